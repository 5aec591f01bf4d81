package io.raftkit.verifier.runner;

import io.raftkit.verifier.nemesis.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One verification run.
 *
 * @param faultInterval how long each fault lasts, and each healed spell between faults
 * @param staleReads    read with {@code ?consistency=stale}: deliberately unsafe, to show the
 *                      checker catches a broken system
 * @param recoveryTimeout how long the final reads may keep failing before the run says the cluster
 *                      did not recover
 */
public record RunOptions(int nodes, Duration timeLimit, int concurrency, int keys, String workload, List<Fault> faults,
                         long seed, Path out, Duration faultInterval, Duration quietPeriod, Duration requestTimeout,
                         boolean staleReads, Duration recoveryTimeout) {

    public RunOptions {
        if (nodes < 1 || nodes > 9) {
            throw new IllegalArgumentException("--nodes must be 1 to 9, was " + nodes);
        }
        if (concurrency < 1 || concurrency > 200) {
            throw new IllegalArgumentException("--concurrency must be 1 to 200, was " + concurrency);
        }
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new IllegalArgumentException("--time-limit must be positive, was " + timeLimit.toSeconds());
        }
        // A zero fault interval would flip faults every scheduler step; negative waits fail at the end of a run.
        if (faultInterval.isNegative() || faultInterval.isZero()) {
            throw new IllegalArgumentException("--fault-seconds must be positive, was " + faultInterval.toSeconds());
        }
        if (quietPeriod.isNegative()) {
            throw new IllegalArgumentException("--quiet-seconds must be 0 or more, was " + quietPeriod.toSeconds());
        }
        if (recoveryTimeout.isNegative()) {
            throw new IllegalArgumentException("--recovery-seconds must be 0 or more, was " + recoveryTimeout.toSeconds());
        }
    }
}
