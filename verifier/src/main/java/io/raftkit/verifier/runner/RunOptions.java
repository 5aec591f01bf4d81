package io.raftkit.verifier.runner;

import io.raftkit.verifier.nemesis.Fault;
import io.raftkit.verifier.nemesis.MembershipPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One verification run.
 *
 * @param faultInterval   the mean length of a fault, and of the gap between fault starts
 * @param opsPerKey       operations on a register key before its slot moves to a fresh key
 * @param plantedBug      a deliberate bug, to show the run catches it ({@link PlantedBug#NONE} normally)
 * @param recoveryTimeout how long the final reads may keep failing before the run says the cluster
 *                        did not recover
 * @param membership      what the {@code membership} nemesis does, when {@code faults} has it
 */
public record RunOptions(int nodes, Duration timeLimit, int concurrency, int keys, int opsPerKey, String workload,
                         List<Fault> faults, long seed, Path out, Duration faultInterval, Duration quietPeriod,
                         Duration requestTimeout, PlantedBug plantedBug, Duration recoveryTimeout, MembershipPlan membership) {

    public RunOptions(int nodes, Duration timeLimit, int concurrency, int keys, int opsPerKey, String workload,
                      List<Fault> faults, long seed, Path out, Duration faultInterval, Duration quietPeriod,
                      Duration requestTimeout, PlantedBug plantedBug, Duration recoveryTimeout) {
        this(nodes, timeLimit, concurrency, keys, opsPerKey, workload, faults, seed, out, faultInterval, quietPeriod, requestTimeout,
                plantedBug, recoveryTimeout, MembershipPlan.DEFAULT);
    }

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
        if (opsPerKey < 1) {
            throw new IllegalArgumentException("--ops-per-key must be at least 1, was " + opsPerKey);
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
        faults = List.copyOf(faults);
    }

    public boolean staleReads() {
        return plantedBug == PlantedBug.STALE_READ;
    }
}
