package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * A disk in memory, behind a page cache, whose every fault comes from one seed (TigerBeetle's
 * simulated storage is the model; this one simulates a POSIX file system instead of a block
 * device). The store under test runs over it unchanged.
 *
 * <ul>
 *   <li><b>Page cache.</b> A write changes only the cache; {@code force} copies a file's cached
 *       bytes and size to the disk. A created, renamed or deleted name is pending in its directory
 *       until that directory is forced. Reads see the cache.</li>
 *   <li><b>Crash of the process</b> ({@link #crash(boolean) crash(false)}): open files and locks
 *       vanish; the cache survives, nothing more reaches the disk.</li>
 *   <li><b>Crash of the machine</b> ({@code crash(true)}): each directory keeps a prefix of its
 *       pending names (a journaling file system commits them in order). Each file with unforced
 *       changes keeps its old size, its new size, or a sector boundary between. Each 512-byte sector
 *       holding unforced bytes is kept, dropped (the disk keeps what it held, zeros past the old
 *       end) or torn (the start of the sector new, the rest old). Rarely, a 4 KiB page with unforced
 *       bytes is written by a drive that rewrites whole physical sectors: each of its eight sectors is
 *       then kept, dropped or garbled (random bytes), even those whose bytes did not change.</li>
 *   <li><b>I/O errors</b>, when enabled: a write fails with nothing written ("no space left"); a
 *       force fails after sending some sectors and not others, and the cache keeps the new bytes
 *       but marks them clean, as Linux does after a failed writeback, so they never reach the disk
 *       unless written again.</li>
 *   <li>A crash can be scheduled after a number of disk operations: that operation throws
 *       {@link Crash}, which the store does not catch, and so does every later one until
 *       {@link #crash} restarts the simulated machine or process.</li>
 * </ul>
 */
final class SimDisk implements Disk {

    static final int SECTOR = 512;
    static final int PAGE = 4096;

    /** The simulated power going off (or the process dying) in the middle of the store's code. */
    static final class Crash extends Error {
        Crash() {
            super("simulated crash", null, false, false);
        }
    }

    /** Fault rates; all zero is a perfect disk. */
    record Faults(double keepSector, double tearSector, double tornPage, double ioError) {
        static final Faults NONE = new Faults(1, 0, 0, 0);
    }

    /** What the last machine crash did to unforced bytes. */
    record CrashReport(int sectorsKept, int sectorsDropped, int sectorsTorn, int sectorsGarbled, int namesLost) {
        /** A crash that only kept or dropped whole sectors leaves nothing a store cannot recognise. */
        boolean damagedBeyondDrops() {
            return sectorsTorn > 0 || sectorsGarbled > 0;
        }
    }

    private static final Object DIRECTORY = "directory";

    /**
     * One file's bytes, in the cache and on the disk, and its own stream of fault decisions: what a
     * crash does to one file cannot shift what it does to another (the LOCK file holds the pid,
     * whose length differs between JVMs, and replays must not).
     */
    static final class Inode {
        final Random random;
        byte[] cached = new byte[0];
        int cachedLength;
        byte[] stored = new byte[0];
        int storedLength;
        final BitSet dirty = new BitSet();
        /** Offsets of the latest writes, newest last, for faults aimed at the last frames. */
        final ArrayDeque<long[]> recentWrites = new ArrayDeque<>();

        Inode(Random random) {
            this.random = random;
        }
    }

    private record Op(Path name, Path to, Object node) {
    }

    private final Path root;
    private final Random random;
    private Faults faults;
    private final TreeMap<Path, Object> cached = new TreeMap<>();
    private final TreeMap<Path, Object> stored = new TreeMap<>();
    private final TreeMap<Path, List<Op>> pending = new TreeMap<>();
    private final Set<Inode> locks = Collections.newSetFromMap(new IdentityHashMap<>());
    private long operationsLeft = Long.MAX_VALUE;
    private boolean down;
    private boolean ioErrors;
    private int generation;
    private CountDownLatch forceGate;
    private Path gatedFile;
    private CountDownLatch forceReached;
    private Path failingFile;
    private boolean worstCrash;

    SimDisk(Path root, long seed, Faults faults) {
        this.root = root;
        this.random = new Random(seed);
        this.faults = faults;
        cached.put(root, DIRECTORY);
        stored.put(root, DIRECTORY);
    }

    Path root() {
        return root;
    }

    // ----- the test's controls -------------------------------------------------------------------

    /** The {@code n}th disk operation from now throws {@link Crash}. */
    void crashAfter(long n) {
        operationsLeft = n;
    }

    /** Whether writes and forces may fail ({@link Faults#ioError()}); the first failure turns this off again. */
    void ioErrors(boolean on) {
        ioErrors = on;
    }

    /** The next force of {@code file} waits at {@code gate}; {@code reached} opens when it starts waiting. */
    void holdNextForce(Path file, CountDownLatch gate, CountDownLatch reached) {
        gatedFile = file;
        forceGate = gate;
        forceReached = reached;
    }

    /** The next force of {@code file} fails, as {@link Faults#ioError()} would make it. */
    void failNextForce(Path file) {
        failingFile = file;
    }

    /** A machine crash that loses every unforced name, size and sector: what a missing force costs at worst. */
    CrashReport crashLosingEverythingUnforced() {
        worstCrash = true;
        try {
            return crash(true);
        } finally {
            worstCrash = false;
        }
    }

    boolean isLocked(Path file) {
        Object node = cached.get(file);
        return node instanceof Inode inode && locks.contains(inode);
    }

    /** Restarts after a crash of the process ({@code machine} false) or of the whole machine. */
    CrashReport crash(boolean machine) {
        int[] counts = new int[5];
        locks.clear();
        generation++;
        down = false;
        operationsLeft = Long.MAX_VALUE;
        if (!machine) {
            return new CrashReport(0, 0, 0, 0, 0);
        }
        for (var dir : pending.entrySet()) {
            List<Op> ops = dir.getValue();
            int kept = worstCrash ? 0 : random.nextBoolean() ? ops.size() : random.nextInt(ops.size() + 1);
            ops.subList(0, kept).forEach(op -> apply(op, stored));
            counts[4] += ops.size() - kept;
        }
        pending.clear();
        pruneOrphans(stored);
        Set<Inode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Object node : stored.values()) {
            if (node instanceof Inode inode && seen.add(inode)) {
                settle(inode, counts, true);
                inode.cached = Arrays.copyOf(inode.stored, inode.stored.length);
                inode.cachedLength = inode.storedLength;
            }
        }
        cached.clear();
        cached.putAll(stored);
        return new CrashReport(counts[0], counts[1], counts[2], counts[3], counts[4]);
    }

    /** Inodes named on the disk, for faults aimed at files: path to inode, by name. */
    Map<Path, Inode> storedFiles() {
        Map<Path, Inode> files = new TreeMap<>();
        stored.forEach((path, node) -> {
            if (node instanceof Inode inode) {
                files.put(path, inode);
            }
        });
        return files;
    }

    /** Flips one bit of a file's bytes on the disk (and in the cache, which after a crash is the same). */
    static void flipBit(Inode inode, int offset, int bit) {
        inode.stored[offset] ^= (byte) (1 << bit);
        inode.cached[offset] ^= (byte) (1 << bit);
    }

    /** Cuts a file on the disk to {@code size}, as a file system or an operator that lost its tail would. */
    static void loseTail(Inode inode, int size) {
        inode.storedLength = Math.min(inode.storedLength, size);
        inode.cachedLength = inode.storedLength;
        Arrays.fill(inode.stored, inode.storedLength, inode.stored.length, (byte) 0);
        Arrays.fill(inode.cached, inode.cachedLength, inode.cached.length, (byte) 0);
    }

    /** Deletes a name from the disk outright, as an operator would. */
    void loseFile(Path file) {
        stored.remove(file);
        cached.remove(file);
    }

    // ----- Disk ----------------------------------------------------------------------------------

    @Override
    public DiskFile open(Path file, boolean create) throws IOException {
        operation();
        Object node = cached.get(file);
        if (node == DIRECTORY) {
            throw new IOException(file + ": is a directory");
        }
        if (node == null) {
            if (!create) {
                throw new NoSuchFileException(file.toString());
            }
            requireDirectory(file.getParent());
            Inode inode = new Inode(new Random(random.nextLong()));
            link(file, inode);
            node = inode;
        }
        return new SimFile(file, (Inode) node, generation);
    }

    @Override
    public boolean exists(Path path) {
        alive();
        return cached.containsKey(path) || root.startsWith(path);
    }

    @Override
    public boolean isDirectory(Path path) {
        alive();
        return cached.get(path) == DIRECTORY || root.startsWith(path);
    }

    @Override
    public boolean isRegularFile(Path path) {
        alive();
        return cached.get(path) instanceof Inode;
    }

    @Override
    public boolean isWritable(Path path) {
        return exists(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        alive();
        requireDirectory(dir);
        List<Path> entries = new ArrayList<>();
        for (Path p : cached.tailMap(dir, false).keySet()) {
            if (dir.equals(p.getParent())) {
                entries.add(p);
            }
        }
        return entries;
    }

    @Override
    public void createDirectory(Path dir) throws IOException {
        operation();
        if (cached.containsKey(dir)) {
            throw new FileAlreadyExistsException(dir.toString());
        }
        requireDirectory(dir.getParent());
        link(dir, DIRECTORY);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        operation();
        Object node = cached.get(from);
        if (!(node instanceof Inode) || !from.getParent().equals(to.getParent())) {
            throw new NoSuchFileException(from.toString());
        }
        Op op = new Op(from, to, null);
        apply(op, cached);
        pending.computeIfAbsent(from.getParent(), d -> new ArrayList<>()).add(op);
    }

    @Override
    public void delete(Path file) throws IOException {
        operation();
        if (!(cached.get(file) instanceof Inode)) {
            throw new NoSuchFileException(file.toString());
        }
        Op op = new Op(file, null, null);
        apply(op, cached);
        pending.computeIfAbsent(file.getParent(), d -> new ArrayList<>()).add(op);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        operation();
        requireDirectory(dir);
        List<Op> ops = pending.remove(dir);
        if (ops != null) {
            ops.forEach(op -> apply(op, stored));
        }
    }

    // ----- the file system's insides -------------------------------------------------------------

    private void link(Path name, Object node) {
        Op op = new Op(name, null, node);
        apply(op, cached);
        pending.computeIfAbsent(name.getParent(), d -> new ArrayList<>()).add(op);
    }

    private static void apply(Op op, TreeMap<Path, Object> names) {
        if (op.node() != null) {
            names.put(op.name(), op.node());
        } else if (op.to() != null) {
            Object node = names.remove(op.name());
            if (node != null) {
                names.put(op.to(), node);
            }
        } else {
            names.remove(op.name());
        }
    }

    /** Names whose directory did not survive do not survive either. */
    private void pruneOrphans(TreeMap<Path, Object> names) {
        names.keySet().removeIf(p -> !p.equals(root) && names.get(p.getParent()) != DIRECTORY);
    }

    private void requireDirectory(Path dir) throws IOException {
        if (!isDirectory(dir)) {
            throw new NoSuchFileException(dir + " (no such directory)");
        }
    }

    private void alive() {
        if (down) {
            throw new Crash();
        }
    }

    /** Counts one disk operation; the scheduled one crashes. */
    private void operation() {
        alive();
        if (--operationsLeft <= 0) {
            down = true;
            throw new Crash();
        }
    }

    /**
     * Decides what reaches the disk of an inode's unforced bytes: at a machine crash, or when a force
     * fails (then no page is garbled: the device sent some sectors and reported the rest).
     */
    private void settle(Inode inode, int[] counts, boolean powerLoss) {
        int length = inode.storedLength;
        if (inode.cachedLength != inode.storedLength && !worstCrash) {
            int low = Math.min(inode.cachedLength, inode.storedLength);
            int high = Math.max(inode.cachedLength, inode.storedLength);
            double r = inode.random.nextDouble();
            length = r < 0.4 ? inode.storedLength : r < 0.8 ? inode.cachedLength : low + inode.random.nextInt(high - low + 1);
            if (length != inode.storedLength && length != inode.cachedLength) {
                length = Math.max(low, length / SECTOR * SECTOR);
            }
        }
        byte[] old = Arrays.copyOf(inode.stored, Math.max(length, inode.storedLength));
        Arrays.fill(old, inode.storedLength, old.length, (byte) 0);
        byte[] result = Arrays.copyOf(old, length);
        BitSet tornPages = new BitSet();
        for (int s = inode.dirty.nextSetBit(0); s >= 0 && !worstCrash; s = inode.dirty.nextSetBit(s + 1)) {
            if (powerLoss && !tornPages.get(s / 8) && inode.random.nextDouble() < faults.tornPage()) {
                tornPages.set(s / 8);
            }
        }
        for (int s = inode.dirty.nextSetBit(0); s >= 0; s = inode.dirty.nextSetBit(s + 1)) {
            if (worstCrash) {
                counts[1]++;
            } else if (!tornPages.get(s / 8)) {
                settleSector(s, result, inode, counts, false);
            }
        }
        for (int page = tornPages.nextSetBit(0); page >= 0; page = tornPages.nextSetBit(page + 1)) {
            for (int s = page * 8; s < page * 8 + 8; s++) {
                settleSector(s, result, inode, counts, true);
            }
        }
        inode.stored = result;
        inode.storedLength = length;
        inode.dirty.clear();
    }

    private void settleSector(int sector, byte[] result, Inode inode, int[] counts, boolean wholePage) {
        int from = sector * SECTOR;
        int to = Math.min(result.length, from + SECTOR);
        if (from >= to) {
            return;
        }
        double r = inode.random.nextDouble();
        if (wholePage) {
            if (r < 1 / 3.0) {
                copyCached(inode, result, from, to);
                counts[0]++;
            } else if (r < 2 / 3.0) {
                counts[1]++;
            } else {
                byte[] noise = new byte[to - from];
                inode.random.nextBytes(noise);
                System.arraycopy(noise, 0, result, from, noise.length);
                counts[3]++;
            }
        } else if (r < faults.tearSector()) {
            copyCached(inode, result, from, from + Math.min(to - from, 1 + inode.random.nextInt(SECTOR - 1)));
            counts[2]++;
        } else if (r < faults.tearSector() + (1 - faults.tearSector()) * faults.keepSector()) {
            copyCached(inode, result, from, to);
            counts[0]++;
        } else {
            counts[1]++;
        }
    }

    private static void copyCached(Inode inode, byte[] result, int from, int to) {
        for (int i = from; i < to; i++) {
            result[i] = i < inode.cachedLength ? inode.cached[i] : 0;
        }
    }

    /** An open file; dead once the process it belongs to has crashed. */
    private final class SimFile implements DiskFile {
        private final Path path;
        private final Inode inode;
        private final int openedIn;
        private boolean locked;

        SimFile(Path path, Inode inode, int openedIn) {
            this.path = path;
            this.inode = inode;
            this.openedIn = openedIn;
        }

        private void live() {
            alive();
            if (openedIn != generation) {
                throw new IllegalStateException(path + " was opened before a crash");
            }
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long size() {
            live();
            return inode.cachedLength;
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            live();
            int n = (int) Math.max(0, Math.min(dst.remaining(), inode.cachedLength - position));
            if (n > 0) {
                dst.put(inode.cached, (int) position, n);
            }
            return n;
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            live();
            operation();
            if (ioErrors && random.nextDouble() < faults.ioError()) {
                ioErrors = false; // a transient error: the disk works again until the test asks for more
                throw new IOException("No space left on device (simulated)");
            }
            int at = (int) position;
            int n = src.remaining();
            if (at + n > inode.cached.length) {
                inode.cached = Arrays.copyOf(inode.cached, Math.max(at + n, inode.cached.length * 2));
            }
            src.get(inode.cached, at, n);
            inode.cachedLength = Math.max(inode.cachedLength, at + n);
            inode.dirty.set(at / SECTOR, (at + n - 1) / SECTOR + 1);
            inode.recentWrites.addLast(new long[]{at, n});
            if (inode.recentWrites.size() > 4) {
                inode.recentWrites.removeFirst();
            }
        }

        @Override
        public void force() throws IOException {
            live();
            if (path.equals(gatedFile) && forceGate != null) {
                CountDownLatch gate = forceGate;
                forceGate = null;
                forceReached.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            operation();
            boolean fail = path.equals(failingFile) || ioErrors && random.nextDouble() < faults.ioError();
            if (fail) {
                failingFile = null;
                ioErrors = false;
                // Some sectors reached the disk, some did not; the cache keeps the new bytes, clean.
                byte[] cachedCopy = inode.cached;
                int cachedLength = inode.cachedLength;
                settle(inode, new int[5], false);
                inode.cached = cachedCopy;
                inode.cachedLength = cachedLength;
                throw new IOException("Input/output error (simulated failed fsync of " + path + ")");
            }
            inode.stored = Arrays.copyOf(inode.cached, inode.cachedLength);
            inode.storedLength = inode.cachedLength;
            inode.dirty.clear();
        }

        @Override
        public void truncate(long size) {
            live();
            operation();
            if (size < inode.cachedLength) {
                Arrays.fill(inode.cached, (int) size, inode.cachedLength, (byte) 0);
                inode.cachedLength = (int) size;
            }
        }

        @Override
        public boolean tryLock() {
            live();
            if (locks.contains(inode)) {
                return false;
            }
            locks.add(inode);
            locked = true;
            return true;
        }

        @Override
        public void close() {
            if (down || openedIn != generation) {
                return;
            }
            if (locked) {
                locks.remove(inode);
                locked = false;
            }
        }
    }
}
