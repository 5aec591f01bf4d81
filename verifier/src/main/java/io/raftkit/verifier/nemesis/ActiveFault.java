package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.PacketFaults;
import java.util.Map;
import java.util.Set;

/**
 * One injected fault: what it does to the cluster while it lasts. The nemesis combines every active
 * fault into the state the cluster should be in, so faults overlap and each heals only its own part.
 *
 * @param description what the history and the report call it, with its number ({@code #3 kill -9 majority [n1, n4, n5]})
 * @param cutFrom     node -> peers it drops all traffic from
 * @param oneWayFrom  node -> peers whose connections to it are dropped
 * @param packets     packet faults on every link, or null
 * @param killed      nodes down by {@code kill -9}
 * @param crashed     nodes down by a power loss (their unsynced writes dropped)
 * @param paused      nodes stopped by SIGSTOP
 * @param endNanos    when the schedule heals it (System.nanoTime)
 */
public record ActiveFault(int id, Fault kind, String description, Map<String, Set<String>> cutFrom,
                         Map<String, Set<String>> oneWayFrom, PacketFaults packets, Set<String> killed, Set<String> crashed,
                         Set<String> paused, long endNanos) {
}
