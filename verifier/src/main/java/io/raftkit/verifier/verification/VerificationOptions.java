package io.raftkit.verifier.verification;

import io.raftkit.verifier.nemesis.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a verification runs.
 *
 * @param nodes          voters in the cluster
 * @param time           how long clients run while faults are injected
 * @param faults         the kinds the nemesis injects, in turn, from {@code seed}
 * @param seed           the fault schedule, the clients' operations and the election timeouts come from it
 * @param concurrency    client processes at once
 * @param opsPerSecond   how many operations all clients together start per second, on average: a
 *                       linearizability search's cost grows with the history, and a single key's
 *                       history of hundreds of thousands of operations (what an in-process cluster
 *                       serves unthrottled in 30 s) exhausts its memo once one operation ends unknown
 * @param faultInterval  a fault starts about every interval and lasts half to one and a half of it
 * @param requestTimeout how long a node keeps a proposal or read before failing it
 * @param recovery       how long the final operations, after every fault is healed, may take
 * @param report         where the history and report are written
 */
public record VerificationOptions(int nodes, Duration time, List<Fault> faults, long seed, int concurrency,
                                  int opsPerSecond, Duration faultInterval, Duration requestTimeout, Duration recovery, Path report) {

    public VerificationOptions {
        faults = List.copyOf(faults);
        require(nodes >= 1 && nodes <= 15, "nodes must be 1 to 15, was " + nodes);
        require(concurrency >= 1 && concurrency <= 64, "concurrency must be 1 to 64, was " + concurrency);
        require(opsPerSecond >= 1 && opsPerSecond <= 100_000, "opsPerSecond must be 1 to 100000, was " + opsPerSecond);
        require(!time.isNegative() && !time.isZero(), "time must be positive, was " + time);
        require(faultInterval.toMillis() >= 100, "faultInterval must be at least 100 ms, was " + faultInterval);
        require(requestTimeout.toMillis() >= 50, "requestTimeout must be at least 50 ms, was " + requestTimeout);
        require(!recovery.isNegative() && !recovery.isZero(), "recovery must be positive, was " + recovery);
    }

    /**
     * Five nodes, 30 s of partitions, kills and pauses, five clients starting 100 operations a second
     * between them, seed 1; the report under {@code report}.
     */
    public static VerificationOptions defaults(Path report) {
        return new VerificationOptions(5, Duration.ofSeconds(30), List.of(Fault.PARTITION, Fault.KILL, Fault.PAUSE), 1, 5,
                100, Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(20), report);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
