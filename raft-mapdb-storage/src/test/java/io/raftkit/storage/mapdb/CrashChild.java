package io.raftkit.storage.mapdb;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.SnapshotStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * The process the crash test kills: opens the log store and the snapshot store, then loops over
 * appends (some truncating a suffix above the commit index, §5.3), compactions up to the commit
 * index, hard-state saves, snapshots up to the commit index and resets past the log's end,
 * printing {@code BEGIN <op>} before each and {@code ACK} after it returns. It stops by itself
 * after {@code maxMillis} in case the parent died.
 */
public final class CrashChild {

    /** Whether the child also compacts; on unless {@code -Draft.crash.compaction=false}. */
    private static final boolean COMPACTION = !"false".equals(System.getProperty("raft.crash.compaction"));

    /** Whether the child also takes snapshots and resets its log; on unless {@code -Draft.crash.snapshots=false}. */
    private static final boolean SNAPSHOTS = !"false".equals(System.getProperty("raft.crash.snapshots"));
    static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1", "n2", "n3");

    /** Small segments, so kills also land while a segment is created, rolled over to or deleted. */
    static final StoreSettings SETTINGS = new StoreSettings(64, 64 << 10);

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        long deadline = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000L;
        PrintStream out = new PrintStream(System.out, true);
        try (SegmentedLogStore store = SegmentedLogStore.open(dir, "crash-cluster", "n1", SETTINGS);
             MapDbSnapshotStore snapshots = MapDbSnapshotStore.open(dir, "crash-cluster", SnapshotSettings.DEFAULTS)) {
            out.println("READY " + store.firstIndex() + " " + store.lastIndex());
            HardState state = store.loadHardState();
            long snapshotIndex = snapshots.latest().map(SnapshotMeta::lastIncludedIndex).orElse(0L);
            while (System.nanoTime() < deadline) {
                long last = store.lastIndex();
                long lastTerm = Math.max(1, store.term(last));
                long commit = state.commitIndex();
                double r = random.nextDouble();
                String op;
                // As Raft uses a log: a suffix is replaced only above the commit index (§5.3, a leader never
                // overwrites committed entries), compaction stays at or below it, and it never decreases.
                if (r < 0.03 && SNAPSHOTS && commit > snapshotIndex && commit >= store.firstIndex() - 1) {
                    op = "S " + commit + " " + store.term(commit); // a snapshot of the state machine up to the commit index
                } else if (r < 0.04 && SNAPSHOTS) {
                    op = "R " + (last + 1 + random.nextInt(100)) + " " + (lastTerm + 1); // a leader's snapshot installed past the end
                } else if (r < 0.1 && last > Math.max(commit, store.firstIndex()) + 1) {
                    long from = Math.max(Math.max(commit + 1, store.firstIndex()), last - random.nextInt(20));
                    op = "A " + from + " " + (1 + random.nextInt(64)) + " " + (lastTerm + 1);
                } else if (r < 0.15 && COMPACTION && Math.min(commit, last - 500) >= store.firstIndex()) {
                    op = "C " + Math.min(commit, last - 500);
                } else if (r < 0.35) {
                    int vote = random.nextInt(4);
                    long newCommit = commit + (long) (random.nextDouble() * (last - commit + 1));
                    op = "H " + (state.term() + 1) + " " + (vote == 0 ? "-" : "n" + vote) + " " + Math.min(last, newCommit);
                } else {
                    op = "A " + (last + 1) + " " + (1 + random.nextInt(64)) + " " + lastTerm;
                }
                out.println("BEGIN " + op);
                String[] f = op.split(" ");
                switch (f[0]) {
                    case "A" -> store.append(CrashWorkload.batch(Long.parseLong(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3])));
                    case "C" -> store.compact(Long.parseLong(f[1]));
                    case "R" -> store.reset(Long.parseLong(f[1]), Long.parseLong(f[2]));
                    case "S" -> {
                        long index = Long.parseLong(f[1]);
                        try (SnapshotStore.SnapshotBuilder b = snapshots.create(index, Long.parseLong(f[2]), CONFIG,
                                SnapshotKind.RECORDS)) {
                            SnapshotContent.write(index, Long.parseLong(f[2]), SnapshotKind.RECORDS, b);
                            b.commit();
                        }
                        snapshotIndex = index;
                    }
                    default -> {
                        CrashWorkload.Model m = new CrashWorkload.Model();
                        m.apply(op);
                        state = m.hardState;
                        store.saveHardState(state);
                    }
                }
                out.println("ACK");
            }
        }
    }

    private CrashChild() {
    }
}
