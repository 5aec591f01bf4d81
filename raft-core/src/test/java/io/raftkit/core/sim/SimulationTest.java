package io.raftkit.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.LongStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole clusters under seeded faults, every safety property checked after every step, the client
 * history checked for linearizability at the end. The cluster's shape follows from the seed (see
 * {@link #shape}), so a seed alone replays a run. Properties:
 * <ul>
 *   <li>{@code raft.sim.seeds=N}: how many seeds, from 1 (default 200);</li>
 *   <li>{@code raft.sim.seed=S}: replay one seed;</li>
 *   <li>{@code raft.sim.ticks=T}: ticks per run (default 20,000: 200 simulated seconds);</li>
 *   <li>{@code raft.sim.trace=FILE}: write the replayed run's trace (with {@code raft.sim.seed}).</li>
 * </ul>
 */
class SimulationTest {

    static final int DEFAULT_TICKS = 20_000;
    static final int DEFAULT_SEEDS = 200;

    /**
     * Seed 1 mod 4: 3 voters; 2: 5 voters; 3: one voter and two learners (the usual bootstrap:
     * start one node, add learners, promote them); 0: 3 voters and 2 learners.
     */
    static SimCluster.Options shape(long seed, int ticks) {
        return switch ((int) Math.floorMod(seed, 4L)) {
            case 1 -> new SimCluster.Options(3, 0, ticks, true);
            case 2 -> new SimCluster.Options(5, 0, ticks, true);
            case 3 -> new SimCluster.Options(1, 2, ticks, true);
            default -> new SimCluster.Options(3, 2, ticks, true);
        };
    }

    static LongStream seeds() {
        String one = property("raft.sim.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        return LongStream.rangeClosed(1, Integer.parseInt(orDefault(property("raft.sim.seeds"), String.valueOf(DEFAULT_SEEDS))));
    }

    static int ticks() {
        return Integer.parseInt(orDefault(property("raft.sim.ticks"), String.valueOf(DEFAULT_TICKS)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void clusterStaysSafeUnderFaultsAndRecoversAfterHealing(long seed) throws IOException {
        int ticks = ticks();
        String traceFile = property("raft.sim.trace");
        SimCluster.Options options = shape(seed, ticks);
        SimCluster cluster = new SimCluster(seed, options, traceFile != null);
        SimCluster.Result result;
        try {
            result = cluster.run();
        } catch (RuntimeException | AssertionError e) {
            // Anything the node or the driver throws is a finding too, and must be replayable.
            writeTrace(traceFile, cluster.traceSoFar() + "FAILED " + e.getMessage() + "\n");
            throw new AssertionError(e.getMessage() + "\nshape: " + options + "\nreplay: " + replayCommand(seed, ticks), e);
        }
        writeTrace(traceFile, result.trace());
        SNAPSHOTS_SAVED.addAndGet(result.snapshotsSaved());
        SNAPSHOTS_INSTALLED.addAndGet(result.snapshotsInstalled());
        MEMBERSHIP_CHANGES.addAndGet(result.membershipChanges());
        LOG_READS.addAndGet(result.logReads());
        SEEDS_RUN.incrementAndGet();
        // A run that commits nothing proves nothing: the clients must have made progress.
        assertThat(result.writesAcked()).as("acknowledged writes").isPositive();
        assertThat(result.readsServed()).as("served reads").isPositive();
    }

    private static final AtomicLong SNAPSHOTS_SAVED = new AtomicLong();
    private static final AtomicLong SNAPSHOTS_INSTALLED = new AtomicLong();
    private static final AtomicLong SEEDS_RUN = new AtomicLong();
    private static final AtomicLong MEMBERSHIP_CHANGES = new AtomicLong();
    private static final AtomicLong LOG_READS = new AtomicLong();

    /** Snapshots are exercised, not merely enabled: over the default seeds, many are taken and installed. */
    @AfterAll
    static void snapshotsWereTakenAndInstalled() {
        System.out.printf("simulation: %d seeds passed, %d snapshots saved, %d installed from a leader,"
                + " %d membership changes committed, %d reads of evicted entries%n",
                SEEDS_RUN.get(), SNAPSHOTS_SAVED.get(), SNAPSHOTS_INSTALLED.get(), MEMBERSHIP_CHANGES.get(), LOG_READS.get());
        if (SEEDS_RUN.get() >= 50) {
            // Issue 17: membership changes are made and complete, not merely enabled.
            assertThat(MEMBERSHIP_CHANGES.get()).as("membership changes over %d seeds", SEEDS_RUN.get())
                    .isGreaterThan(SEEDS_RUN.get() / 4);
            assertThat(SNAPSHOTS_SAVED.get()).as("snapshots saved over %d seeds", SEEDS_RUN.get()).isGreaterThan(SEEDS_RUN.get());
            assertThat(SNAPSHOTS_INSTALLED.get()).as("snapshots installed over %d seeds", SEEDS_RUN.get()).isGreaterThan(SEEDS_RUN.get() / 10);
            // Issue 16: leaders read evicted entries back from their stores, many times per seed.
            assertThat(LOG_READS.get()).as("reads of evicted entries over %d seeds", SEEDS_RUN.get())
                    .isGreaterThan(10 * SEEDS_RUN.get());
        }
    }

    static String replayCommand(long seed, int ticks) {
        return "./mvnw -pl raft-core test -Dtest=SimulationTest -Draft.sim.seed=" + seed
                + (ticks == DEFAULT_TICKS ? "" : " -Draft.sim.ticks=" + ticks) + " -Draft.sim.trace=/tmp/sim-" + seed + ".txt";
    }

    /**
     * Seeds beyond the default budget that found snapshot bugs (issue 16), kept in the default build:
     * 1228 (a follower installing a snapshot failed its pending proposals as certainly not applied,
     * though the snapshot held one) and 634 (a crash inside the start-up's log reset was reported as
     * a failure to start). The simulator's draws may change; then these are two more seeds.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {634, 1228})
    void seedsThatFoundSnapshotBugsStillPass(long seed) {
        SimCluster.Result result = new SimCluster(seed, shape(seed, DEFAULT_TICKS), false).run();
        assertThat(result.snapshotsInstalled()).as("the run installs snapshots").isPositive();
    }

    @Test
    void theSameSeedGivesAByteIdenticalTrace() {
        SimCluster.Options options = shape(6, 3000);
        String first = new SimCluster(6, options, true).run().trace();
        String second = new SimCluster(6, options, true).run().trace();
        assertThat(first).hasSizeGreaterThan(10_000);
        assertThat(second).isEqualTo(first);
        String other = new SimCluster(10, options, true).run().trace();
        assertThat(other).isNotEqualTo(first);
    }

    private static void writeTrace(String traceFile, String trace) throws IOException {
        if (traceFile != null) {
            Files.writeString(Path.of(traceFile), trace, StandardCharsets.UTF_8);
        }
    }

    static String property(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
