package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.NodeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The small, rarely written part of a store: who owns the directory (format version, cluster id,
 * node id), the hard state (term, votedFor, commitIndex and the term of the entry there), the
 * compaction point (first index and the term before it), and the newest segment file created, so
 * a lost newest segment is noticed.
 *
 * <p>Layout: three 4 KiB pages. Page 0 holds the header, written once. Pages 1 and 2 are the two
 * slots. Each save writes the slot not holding the newest state, with a sequence number one
 * higher, and forces it; opening picks the valid copy with the highest sequence number. So a save
 * is atomic without a journal:
 * <ul>
 *   <li>a crash can tear only the page being written, which holds the older state; the newest
 *       acknowledged state is in the other page, which no write touches (a drive that rewrites a
 *       whole 4 KiB physical sector can garble all of the page it writes, so the slots must not
 *       share one);</li>
 *   <li>each save writes its state twice, in different sectors of its page, so one damaged
 *       sector of the newest slot (a bad sector, a flipped bit) still leaves the newest state
 *       readable instead of silently falling back to the one before.</li>
 * </ul>
 *
 * <pre>
 * page 0:      magic:i64 formatVersion:i32 clusterLength:i32 cluster nodeLength:i32 node crc:i32
 * page 1 or 2: copy at +0 and at +2048:
 *              sequence:i64 firstIndex:i64 compactedTerm:i64 newestSegment:i64 term:i64 commitIndex:i64
 *              commitTerm:i64 (-1 = not known) voteLength:i32 (-1 = none) vote crc:i32
 *              firstSegment:i64 crc2:i32
 * </pre>
 * {@code firstSegment} (the first segment of a log restarted by a reset, 0 when it never was) came
 * after the first release of format 3, so it follows the first checksum with one of its own
 * ({@code crc2}, over the copy from its start): a copy whose first checksum holds and whose second
 * field and checksum are both zero was written before the field existed and reads as 0; one whose
 * second checksum fails otherwise is torn and not used. A build that predates the field
 * reads every newer copy (it stops at the first checksum) and, after a reset whose leftover
 * segments are not deleted yet, refuses to open: the log it finds ends before the compaction point.
 */
final class StateFile implements AutoCloseable {

    static final String FILE_NAME = "raft-state";
    /**
     * Bumped whenever the stored layout changes incompatibly; older builds refuse newer directories.
     * 3: slots in pages of their own, two copies each, the commit term; whitened segment frames.
     */
    static final int FORMAT_VERSION = 3;
    /** The longest cluster id (and node id) the header holds, in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 256;
    /** A commit index whose entry's term was not known when it was saved (compacted, or beyond the log). */
    static final long UNKNOWN_TERM = -1;
    /** {@link State#firstSegment()} of a log never reset: every segment holds part of it. */
    static final long NO_RESET = 0;

    private static final long MAGIC = 0x52_41_46_54_4B_53_54_41L; // "RAFTKSTA"
    private static final int PAGE = 4096;
    private static final int FILE_BYTES = 3 * PAGE;
    private static final int COPY_BYTES = 512;

    /** What one slot holds. */
    record State(long sequence, long firstIndex, long compactedTerm, long newestSegment, HardState hardState, long commitTerm,
                 long firstSegment) {
    }

    private final Path file;
    private final DiskFile channel;
    /** The file's bytes as the disk should hold them: what an undo writes back. */
    private final byte[] image;
    private State current;
    /** Whether opening found the newest state in only one copy of its slot (a crash tore the save). */
    private boolean newestSingleCopy;

    private StateFile(Path file, DiskFile channel, byte[] image, State current) {
        this.file = file;
        this.channel = channel;
        this.image = image;
        this.current = current;
    }

    static Path path(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** Refuses, before anything is created, an id the header cannot hold. */
    static void checkIdLength(String what, String id) {
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ID_BYTES && !KnownBug.CLUSTER_ID_UNCHECKED.reintroduced()) {
            throw new IllegalArgumentException("the mapdb log store cannot keep a " + what + " of " + bytes
                    + " bytes in UTF-8: it holds at most " + MAX_ID_BYTES);
        }
    }

    /**
     * Creates the state file of a new store through a forced temporary file and a rename, so a
     * crash leaves either no state file or a complete one.
     */
    static StateFile create(Disk disk, Path dataDir, String clusterId, String nodeId) throws IOException {
        Path file = path(dataDir);
        State initial = new State(1, 1, 0, 1, HardState.INITIAL, 0, NO_RESET);
        byte[] image = new byte[FILE_BYTES];
        ByteBuffer.wrap(image).put(header(FORMAT_VERSION, clusterId, nodeId));
        byte[] slot = slot(initial);
        System.arraycopy(slot, 0, image, slotOffset(initial.sequence()), slot.length);
        // The other slot gets a copy no open accepts (sequence 0) but whose fields are not zero, so a
        // save there that tears after its first checksum cannot pass for a copy written before the
        // firstSegment field existed (which left zeros).
        State unused = new State(0, 1, 0, 1, HardState.INITIAL, 0, NO_RESET);
        byte[] other = slot(unused);
        System.arraycopy(other, 0, image, slotOffset(unused.sequence()), other.length);
        DurableFiles.createAtomically(disk, file, out -> out.write(ByteBuffer.wrap(image), 0));
        return new StateFile(file, disk.open(file, false), image, initial);
    }

    /** Opens and checks an existing state file; refuses, naming the file, one this node must not use. */
    static StateFile open(Disk disk, Path dataDir, String clusterId, String nodeId) throws IOException {
        Path file = path(dataDir);
        if (!disk.isRegularFile(file)) {
            throw new IOException("log store state " + file + " is not a regular file");
        }
        DiskFile channel = disk.open(file, false);
        try {
            byte[] image = new byte[FILE_BYTES];
            int read = channel.read(ByteBuffer.wrap(image), 0);
            checkHeader(file, image, read, clusterId, nodeId);
            if (read < FILE_BYTES) {
                throw new IOException("log store state " + file + " is corrupt: it has " + read
                        + " bytes, a state file has " + FILE_BYTES);
            }
            State newest = null;
            for (int slot = 0; slot < 2; slot++) {
                for (int copy = 0; copy < 2; copy++) {
                    State s = readCopy(image, slotOffset(slot) + copyOffset(copy));
                    if (s != null && (newest == null || s.sequence() > newest.sequence())) {
                        newest = s;
                    }
                }
            }
            if (newest == null) {
                throw new IOException("log store state " + file + " is corrupt: no copy of either state slot passes its CRC32C checksum");
            }
            StateFile opened = new StateFile(file, channel, image, newest);
            int at = slotOffset(newest.sequence());
            opened.newestSingleCopy = !newest.equals(readCopy(image, at + copyOffset(0)))
                    || !newest.equals(readCopy(image, at + copyOffset(1)));
            return opened;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    State current() {
        return current;
    }

    /** Makes {@code hardState} durable, keeping the compaction point. */
    void saveHardState(HardState hardState, long commitTerm) throws IOException {
        State c = current;
        save(new State(c.sequence() + 1, c.firstIndex(), c.compactedTerm(), c.newestSegment(), hardState, commitTerm, c.firstSegment()));
    }

    /** Makes the compaction point durable, keeping the hard state. */
    void saveCompaction(long firstIndex, long compactedTerm) throws IOException {
        State c = current;
        save(new State(c.sequence() + 1, firstIndex, compactedTerm, c.newestSegment(), c.hardState(), c.commitTerm(), c.firstSegment()));
    }

    /** Records that segment {@code sequence} exists, so opening notices if it goes missing. */
    void saveNewestSegment(long sequence) throws IOException {
        State c = current;
        save(new State(c.sequence() + 1, c.firstIndex(), c.compactedTerm(), sequence, c.hardState(), c.commitTerm(),
                c.firstSegment()));
    }

    /**
     * Restarts the log after a snapshot in one atomic save: the log is empty, starts after
     * {@code compactedIndex} (whose term is {@code compactedTerm}), and lives in segment
     * {@code segment} (just created, empty) and after; every older segment is a leftover that
     * opening deletes unread.
     */
    void saveReset(long compactedIndex, long compactedTerm, long segment) throws IOException {
        State c = current;
        save(new State(c.sequence() + 1, compactedIndex + 1, compactedTerm, segment, c.hardState(), c.commitTerm(), segment));
    }

    /**
     * Saves the newest state again, into the other slot, when opening found it in only one copy: a
     * crash that tore its save, then a damaged sector in that one copy, would silently fall back to
     * the state before, a vote given twice in one term (found by the storage fault model: a torn
     * save of term 3, a flipped bit in its surviving copy, and the store opened at term 2). Called
     * once the state is known durable, so the copy it writes is of acknowledged state.
     */
    void restoreSecondCopy() throws IOException {
        if (newestSingleCopy && !KnownBug.STATE_SINGLE_COPY_KEPT.reintroduced()) {
            State c = current;
            save(new State(c.sequence() + 1, c.firstIndex(), c.compactedTerm(), c.newestSegment(), c.hardState(), c.commitTerm(),
                    c.firstSegment()));
        }
        newestSingleCopy = false;
    }

    /** Makes the file durable as read: opening trusts nothing the page cache alone holds. */
    void force() throws IOException {
        channel.force();
    }

    private void save(State next) throws IOException {
        int at = slotOffset(next.sequence());
        byte[] slot = slot(next);
        try {
            channel.write(ByteBuffer.wrap(slot), at);
            channel.force();
        } catch (IOException e) {
            if (!KnownBug.STATE_SLOT_NOT_UNDONE.reintroduced()) {
                undo(at, slot.length, e);
            }
            throw e;
        }
        System.arraycopy(slot, 0, image, at, slot.length);
        current = next;
    }

    /**
     * After a failed write or fsync the page cache may still hold the new slot, and the next open of
     * this directory (a restart, with no reboot between) would read it: Linux marks the pages of a
     * failed writeback clean, keeps them readable, and may never write them. That restart would then
     * trust a vote or a commit index that never reached the disk, act on it (answer a candidate, apply
     * entries) and lose it to a later power loss: a vote given twice in one term.
     *
     * <p>The rule: a slot whose save failed is written back with what it held before (an older
     * state, never the newest acknowledged one, which lives in the other slot) and forced again.
     * Then every open, before or after a power loss, reads the last acknowledged state. If this
     * write fails too, the store is failed anyway; what the cache then holds is the old bytes or
     * the new ones, and the new ones were never acknowledged: no one acted on them.
     */
    private void undo(int at, int length, IOException cause) {
        try {
            channel.write(ByteBuffer.wrap(Arrays.copyOfRange(image, at, at + length)), at);
            channel.force();
        } catch (IOException again) {
            cause.addSuppressed(again);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Consecutive sequence numbers alternate between the slots, so a save never overwrites the newest state. */
    private static int slotOffset(long sequence) {
        int parity = (int) (sequence % 2);
        return KnownBug.STATE_SLOTS_SHARE_PAGE.reintroduced() ? 512 + parity * 2 * COPY_BYTES : (1 + parity) * PAGE;
    }

    private static int copyOffset(int copy) {
        return copy * (KnownBug.STATE_SLOTS_SHARE_PAGE.reintroduced() ? COPY_BYTES : PAGE / 2);
    }

    static ByteBuffer header(int formatVersion, String clusterId, String nodeId) {
        byte[] cluster = clusterId.getBytes(StandardCharsets.UTF_8);
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(PAGE);
        buf.putLong(MAGIC).putInt(formatVersion).putInt(cluster.length).put(cluster).putInt(node.length).put(node);
        buf.putInt(Segment.crc(buf.array(), buf.position()));
        buf.clear();
        return buf;
    }

    private static void checkHeader(Path file, byte[] raw, int read, String clusterId, String nodeId) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(raw, 0, Math.min(read, PAGE));
        if (in.remaining() < 16 || in.getLong() != MAGIC) {
            throw new IOException("log store state " + file + " is corrupt: it does not start with a RaftKit state header");
        }
        int version = in.getInt();
        String cluster;
        String node;
        try {
            cluster = string(in);
            node = string(in);
            int end = in.position();
            if (in.getInt() != Segment.crc(raw, end)) {
                throw new IOException("log store state " + file + " is corrupt: its header fails its CRC32C checksum");
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException("log store state " + file + " is corrupt: its header is malformed (" + e + ")");
        }
        if (version > FORMAT_VERSION) {
            throw new IOException("log store state " + file + " has format version " + version
                    + ", newer than this build reads (" + FORMAT_VERSION + "); upgrade RaftKit, do not delete the directory");
        }
        if (version < FORMAT_VERSION) {
            throw new IOException("log store state " + file + " has format version " + version + ", which this build does"
                    + " not read (it reads " + FORMAT_VERSION + "). Move the directory aside (do not delete it) and start"
                    + " this node with an empty one; it catches up from its peers");
        }
        if (!cluster.equals(clusterId) || !node.equals(nodeId)) {
            throw new IOException("log store " + file.getParent() + " belongs to node " + node + " of cluster " + cluster
                    + ", not to node " + nodeId + " of cluster " + clusterId + "; refusing to use another node's log");
        }
    }

    /** The slot's bytes: two identical copies, in different sectors. */
    private static byte[] slot(State s) {
        ByteBuffer copy = ByteBuffer.allocate(COPY_BYTES);
        HardState h = s.hardState();
        copy.putLong(s.sequence()).putLong(s.firstIndex()).putLong(s.compactedTerm()).putLong(s.newestSegment())
                .putLong(h.term()).putLong(h.commitIndex()).putLong(s.commitTerm());
        if (h.votedFor() == null) {
            copy.putInt(-1);
        } else {
            byte[] vote = h.votedFor().value().getBytes(StandardCharsets.UTF_8);
            copy.putInt(vote.length).put(vote);
        }
        copy.putInt(Segment.crc(copy.array(), copy.position()));
        copy.putLong(s.firstSegment());
        copy.putInt(Segment.crc(copy.array(), copy.position()));
        byte[] slot = new byte[copyOffset(1) * 2];
        System.arraycopy(copy.array(), 0, slot, copyOffset(0), COPY_BYTES);
        System.arraycopy(copy.array(), 0, slot, copyOffset(1), COPY_BYTES);
        return slot;
    }

    /** The copy's state, or null when it is empty or torn (its checksum does not match). */
    private static State readCopy(byte[] raw, int offset) {
        ByteBuffer in = ByteBuffer.wrap(raw, offset, COPY_BYTES);
        try {
            long sequence = in.getLong();
            long firstIndex = in.getLong();
            long compactedTerm = in.getLong();
            long newestSegment = in.getLong();
            long term = in.getLong();
            long commitIndex = in.getLong();
            long commitTerm = in.getLong();
            int voteLength = in.getInt();
            if (voteLength < -1 || voteLength > 64) {
                return null;
            }
            NodeId vote = null;
            if (voteLength >= 0) {
                byte[] bytes = new byte[voteLength];
                in.get(bytes);
                vote = NodeId.of(new String(bytes, StandardCharsets.UTF_8));
            }
            int end = in.position() - offset;
            byte[] body = Arrays.copyOfRange(raw, offset, offset + end);
            if (in.getInt() != Segment.crc(body, end) || sequence < 1 || firstIndex < 1) {
                return null;
            }
            long firstSegment = in.getLong();
            int extended = in.position() - offset;
            int crc2 = in.getInt();
            if (crc2 != Segment.crc(Arrays.copyOfRange(raw, offset, offset + extended), extended)) {
                // Written before the field existed, the copy's buffer left both fields zero. Anything else
                // is a torn copy: its start (through the first checksum) new, the rest old. Read as "never
                // reset" it made a reset's leftover segments part of the log again, a mix of the old log and
                // the reset one (found by the storage fault model, seed 23076909568874).
                if ((firstSegment != 0 || crc2 != 0) && !KnownBug.TORN_COPY_READ_AS_UNRESET.reintroduced()) {
                    return null;
                }
                firstSegment = NO_RESET;
            }
            return new State(sequence, firstIndex, compactedTerm, newestSegment, new HardState(term, vote, commitIndex), commitTerm,
                    firstSegment > 0 ? firstSegment : NO_RESET);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("string length " + length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
