package io.raftkit.verifier.backend;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every network fault the cluster should have right now, as one value: a backend is told the whole
 * state and makes it so (on every node that is up, and again on a node when it comes back), so
 * overlapping faults combine and healing one fault leaves the others in place.
 *
 * @param cutFrom    node -> peers whose traffic it drops entirely (a symmetric partition is a cut
 *                   both ways); all traffic, Raft and client forwarding alike
 * @param oneWayFrom node -> peers whose connections to it are dropped: the peer cannot reach it,
 *                   while its own connections to the peer still work
 * @param packets    loss, duplication and delay on every link
 */
public record NetworkState(Map<String, Set<String>> cutFrom, Map<String, Set<String>> oneWayFrom, PacketFaults packets) {

    public static final NetworkState HEALED = new NetworkState(Map.of(), Map.of(), PacketFaults.NONE);

    public NetworkState {
        cutFrom = copy(cutFrom);
        oneWayFrom = copy(oneWayFrom);
    }

    private static Map<String, Set<String>> copy(Map<String, Set<String>> m) {
        Map<String, Set<String>> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k, Set.copyOf(new TreeSet<>(v)));
            }
        });
        return Map.copyOf(out);
    }

    public Set<String> cutFrom(String node) {
        return cutFrom.getOrDefault(node, Set.of());
    }

    public Set<String> oneWayFrom(String node) {
        return oneWayFrom.getOrDefault(node, Set.of());
    }

    /** Everything {@code node} drops, either way: what a transport that only drops messages is told. */
    public Set<String> dropFrom(String node) {
        Set<String> all = new TreeSet<>(cutFrom(node));
        all.addAll(oneWayFrom(node));
        return all;
    }
}
