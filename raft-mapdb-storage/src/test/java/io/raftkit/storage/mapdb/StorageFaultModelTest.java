package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The storage fault model (issue 21): the store over a {@link SimDisk} that loses, keeps or tears
 * unforced writes at every crash, fails writes and fsyncs now and then, and sometimes flips a bit
 * or loses a segment's tail afterwards, all from a seed. After each reopening, every acknowledged
 * entry and hard state must be there and no replaced entry back, or the store must refuse to open
 * with a message naming its directory, where damage allows that ({@link FaultModelRun}).
 *
 * <p>{@code -Draft.storage.crashes=N} sets how many crashes the main test simulates (default 6,000);
 * {@code -Draft.storage.seed=S} replays the one run a failure names, and
 * {@code -Draft.storage.bug=NAME} puts a {@link KnownBug} back for that replay (or for a whole run).
 * {@code -Draft.storage.bugSearches=N} searches for each bug from N seeds instead of one.
 */
class StorageFaultModelTest {

    private static final int DEFAULT_CRASHES = 6_000;
    /** A bug the checker needs more crashes than this to catch counts as not caught. */
    private static final int CRASHES_TO_CATCH_A_BUG = 60_000;

    private static Level storeLogLevel;

    @BeforeAll
    static void quietStoreLogs() {
        // Thousands of torn writes cut and failed stores logged would bury the test's own output.
        Logger store = (Logger) LoggerFactory.getLogger("io.raftkit.storage.mapdb");
        storeLogLevel = store.getLevel();
        store.setLevel(Level.OFF);
    }

    @AfterAll
    static void restoreStoreLogs() {
        ((Logger) LoggerFactory.getLogger("io.raftkit.storage.mapdb")).setLevel(storeLogLevel);
        KnownBug.reintroduce(Set.of());
    }

    @Test
    void everyAcknowledgedEntryAndHardStateSurvivesThousandsOfSimulatedCrashesOrTheStoreRefusesClearly() {
        String bug = System.getProperty("raft.storage.bug", "");
        KnownBug.reintroduce(bug.isBlank() ? Set.of() : Set.of(KnownBug.valueOf(bug.trim())));
        String replay = System.getProperty("raft.storage.seed", "");
        FaultModelRun.Tally tally = new FaultModelRun.Tally();
        if (!replay.isBlank()) {
            long seed = Long.parseLong(replay.trim());
            String found = FaultModelRun.run(seed, tally);
            System.out.println("storage fault model, replay of run " + seed + ": " + tally);
            assertThat(found).as("run %d", seed).isNull();
            return;
        }
        int crashes = Integer.getInteger("raft.storage.crashes", DEFAULT_CRASHES);
        long base = System.nanoTime();
        long started = System.nanoTime();
        for (long run = 0; tally.crashes < crashes; run++) {
            long seed = base + run;
            String found = FaultModelRun.run(seed, tally);
            if (found != null) {
                throw new AssertionError(found + "\nreplay: ./mvnw -pl raft-mapdb-storage test -Dtest=StorageFaultModelTest"
                        + " -Draft.storage.seed=" + seed + (bug.isBlank() ? "" : " -Draft.storage.bug=" + bug));
            }
        }
        System.out.printf("storage fault model: %s, in %.1f s (first seed %d)%n", tally,
                (System.nanoTime() - started) / 1e9, base);
    }

    @Test
    void theSameSeedRunsTheSameWay() {
        FaultModelRun.Tally first = new FaultModelRun.Tally();
        FaultModelRun.Tally second = new FaultModelRun.Tally();
        for (long seed = 42; seed < 52; seed++) {
            assertThat(FaultModelRun.run(seed, first)).isNull();
            assertThat(FaultModelRun.run(seed, second)).isNull();
        }
        assertThat(second.toString()).isEqualTo(first.toString());
        assertThat(first.crashes).isPositive();
    }

    /**
     * The runs in which random seeds found the two bugs the fixed-seed search below cannot reach in
     * its budget: each fails with its bug put back and passes without. A change to the model that
     * shifts its draws shifts these runs too; then find new seeds (-Draft.storage.bugSearches) or
     * rely on SimulatedDiskEdgesTest, which pins both.
     */
    @ParameterizedTest
    @CsvSource({"STATE_SINGLE_COPY_KEPT, 21909989310171", "SINGLE_COPY_ACTED_ON, 10442141530462"})
    void theSeedsThatFoundARareBugStillFindIt(KnownBug bug, long seed) {
        KnownBug.reintroduce(Set.of(bug));
        try {
            assertThat(FaultModelRun.run(seed, new FaultModelRun.Tally())).as("run %d with %s put back", seed, bug).isNotNull();
        } finally {
            KnownBug.reintroduce(Set.of());
        }
        assertThat(FaultModelRun.run(seed, new FaultModelRun.Tally())).as("run %d", seed).isNull();
    }

    /**
     * Every bug but: the lock race (a thread interleaving, SimulatedDiskEdgesTest), the snapshot
     * store's (SnapshotFaultModelTest), and two that need a save torn so that one copy survives, no
     * save after it, then a flip in that copy: STATE_SINGLE_COPY_KEPT (found once in a 60,000-crash
     * search, seed 21909989310171) and SINGLE_COPY_ACTED_ON (found by CI's random seeds, seed
     * 10442141530462). Each seed still fails with its bug put back, but a search from this test's
     * seeds needs more than its budget to find either again (also tried: flips in the state file
     * aimed at its copies, not enough and it changed every recorded replay), so
     * SimulatedDiskEdgesTest pins each.
     */
    @ParameterizedTest
    @EnumSource(value = KnownBug.class, names = {"CLOSE_RELEASES_LOCK_EARLY", "SNAPSHOT_DATA_NOT_FORCED",
            "SNAPSHOT_PREVIOUS_DELETED_FIRST", "SNAPSHOT_DIRECTORY_TRUSTED_ON_REOPEN", "STATE_SINGLE_COPY_KEPT",
            "SINGLE_COPY_ACTED_ON"}, mode = EnumSource.Mode.EXCLUDE)
    void theCheckerCatchesEachBugOfFormatTwoPutBack(KnownBug bug) {
        // Fixed seeds, so the default build always takes the same number of crashes to catch each;
        // -Draft.storage.bugSearches=N repeats the search from N different seeds (for the figures).
        int searches = Integer.getInteger("raft.storage.bugSearches", 1);
        KnownBug.reintroduce(Set.of(bug));
        try {
            for (int search = 0; search < searches; search++) {
                FaultModelRun.Tally tally = new FaultModelRun.Tally();
                long seed = 1_000_000L * (bug.ordinal() + 1) + 100_000_000L * search;
                String found = null;
                while (found == null && tally.crashes < CRASHES_TO_CATCH_A_BUG) {
                    found = FaultModelRun.run(seed++, tally);
                }
                System.out.printf("storage fault model caught %s after %d crashes (%d runs); replay:"
                        + " -Draft.storage.seed=%d -Draft.storage.bug=%s%n  %s%n", bug, tally.crashes, tally.runs, seed - 1, bug,
                        found == null ? "" : found.lines().findFirst().orElse(""));
                assertThat(found).as("the checker catches %s within %d crashes", bug, CRASHES_TO_CATCH_A_BUG).isNotNull();
            }
        } finally {
            KnownBug.reintroduce(Set.of());
        }
    }
}
