package io.raftkit.storage.mapdb;

import io.raftkit.storage.mapdb.FaultModelWorkload.Append;
import io.raftkit.storage.mapdb.FaultModelWorkload.Compact;
import io.raftkit.storage.mapdb.FaultModelWorkload.Op;
import io.raftkit.storage.mapdb.FaultModelWorkload.Save;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * One run of the storage fault model: a new simulated disk and store, driven by the workload
 * through crashes until {@link #CRASHES} crashes have happened or the store refused to open where
 * refusing is allowed. Everything comes from the run's seed, so a run replays exactly.
 *
 * <p>After every reopening the checker asks: is the store exactly what was acknowledged, or that
 * plus the one operation a crash interrupted? Refusing to open is accepted, with a message naming
 * the directory, only after damage the store is not expected to mend: a sector torn inside or
 * garbled by the crash, a flipped bit, a lost segment tail. After a lost tail, entries above the
 * commit index may be gone, nothing else. A store created with a cluster id the format refuses
 * must never have been created. An operation that failed with an I/O error must not be there.
 */
final class FaultModelRun {

    /** Crashes per run: enough for damage to build on damage, few enough for many fresh starts. */
    static final int CRASHES = 10;

    private static final Path DATA = Path.of("/sim/a/data");
    private static final StoreSettings SETTINGS = new StoreSettings(8, 16 * 1024);
    private static final SimDisk.Faults FAULTS = new SimDisk.Faults(0.5, 0.04, 0.08, 0.003);

    /** Totals over runs. */
    static final class Tally {
        long runs;
        long crashes;
        long machineCrashes;
        long restartsAfterIoErrors;
        long operations;
        long oversizeRefused;
        long longClusterIdsRefused;
        long bitFlips;
        long lostTails;
        long refusedAfterDamage;
        long refusedAfterTear;

        @Override
        public String toString() {
            return runs + " runs, " + crashes + " crashes (" + machineCrashes + " of the machine), " + restartsAfterIoErrors
                    + " restarts after I/O errors, " + operations + " operations acknowledged, " + oversizeRefused
                    + " oversize batches refused, " + longClusterIdsRefused + " long cluster ids refused, " + bitFlips
                    + " bit flips, " + lostTails + " lost segment tails; refusals to open: " + refusedAfterDamage
                    + " after a bit flip or lost tail, " + refusedAfterTear + " after a crash tore or garbled sectors";
        }
    }

    private final long seed;
    private final Tally tally;
    private final Random random;
    private final SimDisk disk;
    private final StoreEnvironment env;
    private final ArrayDeque<String> history = new ArrayDeque<>();
    private AcknowledgedState acknowledged = new AcknowledgedState();
    private String clusterId;
    private int crashes;
    /** Why refusing to open is allowed now (damage since the last successful open), or null. */
    private String damage;
    private boolean lostTail;
    private Op interrupted;

    private FaultModelRun(long seed, Tally tally) {
        this.seed = seed;
        this.tally = tally;
        this.random = new Random(seed);
        this.disk = new SimDisk(Path.of("/sim"), seed * 31 + 1, FAULTS);
        this.env = new StoreEnvironment(disk, new SplittableRandom(seed * 31 + 2), FaultModelWorkload.MAX_RECORD);
        // One run in 25 asks for a cluster id the state file header cannot hold (257 to 490 bytes).
        this.clusterId = random.nextInt(25) == 0 ? "c".repeat(257 + random.nextInt(234)) : "c1";
    }

    /** Runs seed {@code seed}; returns null, or what the checker found, with its history. */
    static String run(long seed, Tally tally) {
        tally.runs++;
        FaultModelRun run = new FaultModelRun(seed, tally);
        try {
            String found = run.go();
            return found == null ? null : found + "\nhistory of run " + seed + " (last events):\n  " + String.join("\n  ", run.history);
        } catch (IOException | RuntimeException e) {
            return "unexpected " + e + "\nhistory of run " + seed + ":\n  " + String.join("\n  ", run.history);
        }
    }

    private void note(String event) {
        history.addLast(event);
        if (history.size() > 40) {
            history.removeFirst();
        }
    }

    private String go() throws IOException {
        while (crashes < CRASHES) {
            if (random.nextInt(7) == 0) {
                disk.crashAfter(1 + random.nextInt(25)); // this crash lands in recovery
            }
            SegmentedLogStore store;
            try {
                store = SegmentedLogStore.open(env, DATA, clusterId, "n1", SETTINGS);
            } catch (SimDisk.Crash c) {
                crash("while opening");
                continue;
            } catch (IllegalArgumentException e) {
                if (clusterId.length() > StateFile.MAX_ID_BYTES && !disk.exists(StateFile.path(DATA))
                        && e.getMessage().contains("at most " + StateFile.MAX_ID_BYTES)) {
                    note("open refused a cluster id of " + clusterId.length() + " bytes, creating nothing");
                    tally.longClusterIdsRefused++;
                    clusterId = "c1";
                    continue;
                }
                return "opening threw " + e;
            } catch (IOException e) {
                return refused(e);
            }
            String wrong = check(store);
            if (wrong != null) {
                store.close();
                return wrong;
            }
            work(store);
        }
        return null;
    }

    /** Judges a refusal to open: allowed only after damage, with a message naming the directory. */
    private String refused(IOException e) {
        note("open refused: " + e.getMessage());
        if (damage == null) {
            return "the store refused to open although the disk holds only what it wrote (crashes kept or dropped whole"
                    + " sectors): " + e.getMessage();
        }
        if (!e.getMessage().contains(DATA.toString())) {
            return "a refusal must name the data directory: " + e.getMessage();
        }
        if (lostTail || damage.startsWith("bit flip")) {
            tally.refusedAfterDamage++;
        } else {
            tally.refusedAfterTear++;
        }
        crashes = CRASHES; // the directory needs an operator now; the run ends
        return null;
    }

    /** Compares a freshly opened store with what was acknowledged; adopts the interrupted operation if it is there. */
    private String check(SegmentedLogStore store) throws IOException {
        String exact = acknowledged.differenceFrom(store);
        AcknowledgedState withInterrupted = interrupted == null ? null : acknowledged.with(interrupted);
        if (exact != null && withInterrupted != null && withInterrupted.differenceFrom(store) == null) {
            note("opened: the interrupted " + interrupted + " is there");
            acknowledged = withInterrupted;
            exact = null;
        }
        if (exact != null && lostTail) {
            String upToCommit = acknowledged.differenceUpToCommit(store);
            String withItUpToCommit = withInterrupted == null ? null : withInterrupted.differenceUpToCommit(store);
            if (upToCommit != null && withInterrupted != null && withItUpToCommit == null) {
                acknowledged = withInterrupted;
                upToCommit = null;
            } else if (upToCommit != null && withInterrupted != null) {
                upToCommit += " (with the interrupted " + interrupted + ": " + withItUpToCommit + ")";
            }
            if (upToCommit != null) {
                return "after a lost segment tail: " + upToCommit;
            }
            note("opened after a lost tail: log " + store.firstIndex() + ".." + store.lastIndex() + " adopted");
            acknowledged.adoptLogOf(store);
            exact = null;
        }
        if (exact != null) {
            return exact + (interrupted == null ? "" : " (nor is it that plus the interrupted " + interrupted + ")");
        }
        note("opened: " + store.firstIndex() + ".." + store.lastIndex() + " " + store.loadHardState());
        interrupted = null;
        damage = null;
        lostTail = false;
        return null;
    }

    /** Runs operations until a scheduled crash, or an I/O error (then the process restarts). */
    private void work(SegmentedLogStore store) throws IOException {
        disk.crashAfter(1 + random.nextInt(150));
        disk.ioErrors(true);
        try {
            while (true) {
                Op op = FaultModelWorkload.next(random, acknowledged);
                interrupted = op;
                try {
                    perform(store, op);
                } catch (IOException e) {
                    interrupted = null;
                    if (op instanceof Append a && FaultModelWorkload.oversize(a) && e.getMessage().contains("over the limit")) {
                        tally.oversizeRefused++;
                        continue;
                    }
                    // An I/O error: the store is failed and the operation did not happen. The process restarts.
                    note(op + " failed: " + e.getMessage());
                    store.close();
                    disk.crash(false);
                    tally.restartsAfterIoErrors++;
                    return;
                }
                acknowledged.apply(op);
                interrupted = null;
                tally.operations++;
                note(op.toString());
            }
        } catch (SimDisk.Crash c) {
            crash("during " + interrupted);
        } finally {
            disk.ioErrors(false);
        }
    }

    private static void perform(SegmentedLogStore store, Op op) throws IOException {
        if (op instanceof Append a) {
            store.append(FaultModelWorkload.entries(a));
        } else if (op instanceof Compact c) {
            store.compact(c.index());
        } else if (op instanceof Save s) {
            store.saveHardState(s.hardState());
        } else if (op instanceof FaultModelWorkload.Reset r) {
            store.reset(r.index(), r.term());
        } else {
            throw new AssertionError("unhandled " + op);
        }
    }

    /** The scheduled crash happened: restart the process or the machine, maybe damage the disk further. */
    private void crash(String when) {
        crashes++;
        tally.crashes++;
        boolean machine = random.nextInt(4) != 0;
        SimDisk.CrashReport report = disk.crash(machine);
        note((machine ? "machine" : "process") + " crash " + when + (machine ? ": " + report : ""));
        if (!machine) {
            return;
        }
        tally.machineCrashes++;
        if (report.damagedBeyondDrops()) {
            damage = "torn or garbled sectors";
        }
        double r = random.nextDouble();
        if (r < 0.08) {
            flipBit();
        } else if (r < 0.11) {
            loseTail();
        }
    }

    /** A flipped bit where it hurts most often: in the newest writes' headers and bodies, or anywhere in a file. */
    private void flipBit() {
        Map<Path, SimDisk.Inode> files = storeFiles();
        if (files.isEmpty()) {
            return;
        }
        List<Path> names = List.copyOf(files.keySet());
        Path state = StateFile.path(DATA);
        List<Path> segments = names.stream().filter(p -> !p.equals(state)).toList();
        double pick = random.nextDouble();
        Path target = files.containsKey(state) && (pick < 0.25 || segments.isEmpty()) ? state
                : pick < 0.75 ? segments.get(segments.size() - 1) // the newest segment, where the last frame is
                : names.get(random.nextInt(names.size()));
        SimDisk.Inode inode = files.get(target);
        if (inode.storedLength == 0) {
            return;
        }
        List<long[]> recent = inode.recentWrites.stream().filter(w -> w[0] < inode.storedLength).toList();
        double r = random.nextDouble();
        long at;
        if (recent.isEmpty() || r >= 0.7) {
            at = random.nextInt(inode.storedLength);
        } else {
            // Most often the newest write: recovery decides torn against damaged on the last frame.
            long[] write = r < 0.5 ? recent.get(recent.size() - 1) : recent.get(random.nextInt(recent.size()));
            boolean header = random.nextBoolean();
            at = write[0] + random.nextInt((int) (header ? Math.min(FrameCodec.HEADER, write[1]) : write[1]));
        }
        if (at >= inode.storedLength) {
            return;
        }
        int bit = random.nextInt(8);
        SimDisk.flipBit(inode, (int) at, bit);
        tally.bitFlips++;
        damage = "bit flip";
        note("flipped bit " + bit + " of byte " + at + " of " + target.getFileName());
    }

    /** The end of the newest segment lost at a frame boundary, or every older segment lost and the newest emptied. */
    private void loseTail() {
        Map<Path, SimDisk.Inode> segments = storeFiles();
        segments.keySet().removeIf(p -> !p.getFileName().toString().matches("segment-\\d+\\.log"));
        if (segments.isEmpty()) {
            return;
        }
        Path newest = ((java.util.TreeMap<Path, SimDisk.Inode>) segments).lastKey();
        SimDisk.Inode inode = segments.get(newest);
        if (random.nextInt(3) == 0) {
            for (Path p : segments.keySet()) {
                if (!p.equals(newest)) {
                    disk.loseFile(p);
                }
            }
            SimDisk.loseTail(inode, Segment.HEADER_PAGE);
            note("lost every segment before " + newest.getFileName() + " and all its frames");
        } else {
            List<long[]> starts = inode.recentWrites.stream().filter(w -> w[0] < inode.storedLength).toList();
            if (starts.isEmpty()) {
                return;
            }
            long cut = starts.get(random.nextInt(starts.size()))[0];
            SimDisk.loseTail(inode, (int) cut);
            note("lost the tail of " + newest.getFileName() + " from byte " + cut);
        }
        tally.lostTails++;
        lostTail = true;
        damage = "lost tail";
    }

    private Map<Path, SimDisk.Inode> storeFiles() {
        Map<Path, SimDisk.Inode> files = new java.util.TreeMap<>(disk.storedFiles());
        files.keySet().removeIf(p -> !DATA.equals(p.getParent())
                || !(p.getFileName().toString().matches("segment-\\d+\\.log") || p.equals(StateFile.path(DATA))));
        return files;
    }
}
