package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Edges only a disk that can fail, lose unforced writes and hold a write in flight can show. Each
 * test runs twice: as the store is, and with the bug it guards against put back
 * ({@link KnownBug}), where it checks that the bug does show. So each test is seen to fail on the
 * behaviour of format 2, which had no file layer to run over a simulated disk.
 */
class SimulatedDiskEdgesTest {

    private static final Path DATA = Path.of("/sim/a/data");
    private static final StoreSettings SETTINGS = new StoreSettings(16, 1 << 20);

    private SimDisk disk = new SimDisk(Path.of("/sim"), 7, SimDisk.Faults.NONE);

    private SegmentedLogStore open() throws IOException {
        return SegmentedLogStore.open(new StoreEnvironment(disk, new SplittableRandom(1), 1 << 20), DATA, "c1", "n1", SETTINGS);
    }

    private static void putBack(boolean bugPutBack, KnownBug bug) {
        KnownBug.reintroduce(bugPutBack ? Set.of(bug) : Set.of());
    }

    @AfterEach
    void noBugStaysPutBack() {
        KnownBug.reintroduce(Set.of());
    }

    private static List<LogEntry> batch(long from, long to) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, 1, ("entry-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aStateSlotWhoseFsyncFailedIsUndoneSoARestartTrustsOnlyTheLastAcknowledgedState(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.STATE_SLOT_NOT_UNDONE);
        HardState acknowledged = new HardState(3, NodeId.of("n2"), 0);
        HardState failed = new HardState(4, NodeId.of("n3"), 0);
        SegmentedLogStore store = open();
        store.saveHardState(acknowledged);
        disk.failNextForce(StateFile.path(DATA));
        assertThatThrownBy(() -> store.saveHardState(failed)).isInstanceOf(IOException.class)
                .hasMessageContaining("simulated failed fsync");
        store.close();
        disk.crash(false); // the process restarts; the page cache, with whatever the failed save left there, stays
        try (SegmentedLogStore restarted = open()) {
            assertThat(restarted.loadHardState())
                    .as("a restart must not trust a vote that never reached the disk")
                    .isEqualTo(bugPutBack ? failed : acknowledged);
        }
        disk.crashLosingEverythingUnforced();
        try (SegmentedLogStore afterPowerLoss = open()) {
            // With the bug, the restart made the failed save durable itself: the vote it trusted stays.
            assertThat(afterPowerLoss.loadHardState()).isEqualTo(bugPutBack ? failed : acknowledged);
        }
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aNewDataDirectorySurvivesAPowerLossRightAfterItsFirstAcknowledgedSave(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.PARENT_DIRECTORY_NOT_FORCED);
        HardState acknowledged = new HardState(2, NodeId.of("n1"), 0);
        try (SegmentedLogStore store = open()) {
            store.saveHardState(acknowledged);
        }
        disk.crashLosingEverythingUnforced();
        try (SegmentedLogStore reopened = open()) {
            assertThat(reopened.loadHardState())
                    .as("without forcing the parents, the new directory's name was in the page cache only")
                    .isEqualTo(bugPutBack ? HardState.INITIAL : acknowledged);
        }
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aVoteLeftInOneCopyByATornSaveGetsItsSecondCopyBackWhenTheStoreOpens(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.STATE_SINGLE_COPY_KEPT);
        HardState before = new HardState(2, NodeId.of("n1"), 0);
        HardState newest = new HardState(3, NodeId.of("n3"), 0);
        try (SegmentedLogStore store = open()) {
            store.saveHardState(before);
            store.saveHardState(newest);
        }
        // A torn save: the newest state's second copy never reached the disk (a damaged byte in it here).
        SimDisk.Inode state = disk.storedFiles().get(StateFile.path(DATA));
        int newestSlot = slotHoldingTerm(state, newest.term());
        SimDisk.flipBit(state, newestSlot + STATE_COPY_BYTES_APART + 40, 0);
        try (SegmentedLogStore reopened = open()) {
            assertThat(reopened.loadHardState()).isEqualTo(newest);
        }
        // Later, one bad sector in the copy that survived.
        SimDisk.flipBit(state, newestSlot + 40, 0);
        try (SegmentedLogStore afterDamage = open()) {
            assertThat(afterDamage.loadHardState())
                    .as("with one copy, one damaged sector falls back to the state before: a vote given twice")
                    .isEqualTo(bugPutBack ? before : newest);
        }
    }

    /**
     * A reset whose save tore (one copy of its slot reached the disk) and crashed before deleting the
     * segments of the log it replaced; then an opening that crashes at each of its disk operations in
     * turn; then one damaged sector in the copy that survived. The store must hold either the reset
     * or the entries acknowledged before it, never the state from before the reset without its
     * segments (found by the storage fault model in CI, seed 10442141530462, which replays it).
     */
    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aResetFoundInOneCopyIsSavedTwiceBeforeOpeningDeletesTheSegmentsItReplaced(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.SINGLE_COPY_ACTED_ON);
        List<Integer> crashPointsLosingEntries = new ArrayList<>();
        boolean openedWithoutCrash = false;
        for (int crashPoint = 1; !openedWithoutCrash; crashPoint++) {
            disk = new SimDisk(Path.of("/sim"), 7, SimDisk.Faults.NONE);
            int newestSlot = tornResetWithItsLeftoverSegments();
            disk.crashAfter(crashPoint);
            try (SegmentedLogStore opened = open()) {
                openedWithoutCrash = true;
                disk.crashAfter(Long.MAX_VALUE);
            } catch (SimDisk.Crash crashed) {
                disk.crash(true);
            }
            SimDisk.flipBit(disk.storedFiles().get(StateFile.path(DATA)), newestSlot + 40, 0);
            try (SegmentedLogStore afterDamage = open()) {
                boolean reset = afterDamage.firstIndex() == 21;
                boolean acknowledgedKept = afterDamage.firstIndex() == 11 && afterDamage.lastIndex() == 15;
                if (!reset && !acknowledgedKept) {
                    crashPointsLosingEntries.add(crashPoint);
                }
            }
        }
        if (bugPutBack) {
            assertThat(crashPointsLosingEntries).as("crash points of the opening that lose entries 11..15").isNotEmpty();
        } else {
            assertThat(crashPointsLosingEntries).as("crash points of the opening that lose entries 11..15").isEmpty();
        }
    }

    /**
     * Entries 11..15 acknowledged after a reset to 10, then a reset to 20 whose state save kept only
     * its first copy and whose deletion of the older segments never happened. Returns the offset of
     * the slot holding the reset to 20.
     */
    private int tornResetWithItsLeftoverSegments() throws IOException {
        Map<Path, byte[]> segmentsBefore = new TreeMap<>();
        try (SegmentedLogStore store = open()) {
            store.reset(10, 1);
            store.append(batch(11, 15));
            disk.storedFiles().forEach((path, inode) -> {
                if (path.getFileName().toString().startsWith("segment-")) {
                    segmentsBefore.put(path, Arrays.copyOf(inode.stored, inode.storedLength));
                }
            });
            store.reset(20, 2);
        }
        for (var segment : segmentsBefore.entrySet()) {
            if (!disk.storedFiles().containsKey(segment.getKey())) {
                DiskFile file = disk.open(segment.getKey(), true);
                file.write(ByteBuffer.wrap(segment.getValue()), 0);
                file.force();
                file.close();
            }
        }
        disk.forceDirectory(DATA);
        SimDisk.Inode state = disk.storedFiles().get(StateFile.path(DATA));
        int newestSlot = ByteBuffer.wrap(state.stored, STATE_PAGE, 8).getLong() > ByteBuffer.wrap(state.stored, 2 * STATE_PAGE, 8).getLong()
                ? STATE_PAGE : 2 * STATE_PAGE;
        SimDisk.flipBit(state, newestSlot + STATE_COPY_BYTES_APART + 40, 0);
        return newestSlot;
    }

    /** The state file's slots are pages 1 and 2; each holds two copies, 2 KiB apart; a copy's term is at byte 32. */
    private static final int STATE_PAGE = 4096;
    private static final int STATE_COPY_BYTES_APART = 2048;

    private static int slotHoldingTerm(SimDisk.Inode state, long term) {
        for (int page = 1; page <= 2; page++) {
            if (java.nio.ByteBuffer.wrap(state.stored, page * STATE_PAGE + 32, 8).getLong() == term) {
                return page * STATE_PAGE;
            }
        }
        throw new AssertionError("no slot holds term " + term);
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aSnapshotDirectoryMadeByACrashedOpeningSurvivesALaterPowerLoss(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.SNAPSHOT_DIRECTORY_TRUSTED_ON_REOPEN);
        SnapshotEnvironment env = new SnapshotEnvironment(disk, false);
        // Three directories are created (a, data, snapshots); the process dies forcing the first parent.
        disk.crashAfter(4);
        assertThatThrownBy(() -> MapDbSnapshotStore.open(env, DATA, "c1", SnapshotSettings.DEFAULTS))
                .isInstanceOf(SimDisk.Crash.class);
        disk.crash(false);
        io.raftkit.api.SnapshotMeta acknowledged;
        try (MapDbSnapshotStore store = MapDbSnapshotStore.open(env, DATA, "c1", SnapshotSettings.DEFAULTS);
                var builder = store.create(7, 1, io.raftkit.api.ClusterConfig.ofVoters("n1"), io.raftkit.api.SnapshotKind.BYTES)) {
            builder.write(new byte[] {1, 2, 3}, 0, 3);
            acknowledged = builder.commit();
        }
        disk.crashLosingEverythingUnforced();
        try (MapDbSnapshotStore reopened = MapDbSnapshotStore.open(env, DATA, "c1", SnapshotSettings.DEFAULTS)) {
            assertThat(reopened.list())
                    .as("the directory's name was in the page cache only, and the committed snapshot went with it")
                    .isEqualTo(bugPutBack ? List.of() : List.of(acknowledged));
        }
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aRestartAfterAProcessCrashForcesWhatItFindsSoAPowerLossCannotTakeItBack(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.OPEN_TRUSTS_PAGE_CACHE);
        SegmentedLogStore store = open();
        store.append(batch(1, 5));
        disk.crashAfter(2); // the append's write reaches the page cache; the process dies in its fsync
        assertThatThrownBy(() -> store.append(batch(6, 10))).isInstanceOf(SimDisk.Crash.class);
        disk.crash(false);
        try (SegmentedLogStore restarted = open()) {
            assertThat(restarted.lastIndex()).as("the unacknowledged append is in the page cache").isEqualTo(10);
            // From here a node would count entries 6..10 as its log, and tell a leader so.
        }
        disk.crashLosingEverythingUnforced();
        try (SegmentedLogStore afterPowerLoss = open()) {
            assertThat(afterPowerLoss.lastIndex()).isEqualTo(bugPutBack ? 5 : 10);
        }
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void closeWaitsForAnAppendInProgressBeforeReleasingTheDirectoryLock(boolean bugPutBack) throws Exception {
        putBack(bugPutBack, KnownBug.CLOSE_RELEASES_LOCK_EARLY);
        Path lockFile = DATA.resolve(DirectoryLock.FILE_NAME);
        SegmentedLogStore store = open();
        store.append(batch(1, 5));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inForce = new CountDownLatch(1);
        disk.holdNextForce(DATA.resolve(Segment.fileName(1)), release, inForce);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> append = threads.submit(() -> {
                store.append(batch(6, 10)); // the driver thread, in a slow fsync
                return null;
            });
            assertThat(inForce.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> close = threads.submit(() -> {
                store.close(); // a server stopping, from another thread
                return null;
            });
            // Either close is still waiting, or (the bug) it has let the lock go while the append writes.
            boolean closedEarly = waitFor(close, 300);
            assertThat(closedEarly).isEqualTo(bugPutBack);
            assertThat(disk.isLocked(lockFile))
                    .as("another process could open the directory while this one still writes")
                    .isEqualTo(!bugPutBack);
            release.countDown();
            append.get(10, TimeUnit.SECONDS);
            close.get(10, TimeUnit.SECONDS);
            assertThat(disk.isLocked(lockFile)).isFalse();
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        try (SegmentedLogStore reopened = open()) {
            assertThat(reopened.lastIndex()).isEqualTo(10);
        }
    }

    private static boolean waitFor(Future<?> task, long millis) throws Exception {
        try {
            task.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException stillRunning) {
            return false;
        }
    }
}
