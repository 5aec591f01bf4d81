package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.NodeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The small, rarely written part of a store: who owns the directory (format version, cluster id,
 * node id), the hard state (term, votedFor, commitIndex) and the compaction point (first index and
 * the term before it), and the newest segment file created, so a lost newest segment is noticed.
 *
 * <p>Layout: a header written once, then two fixed slots. Each save writes the slot not holding
 * the newest state, with a sequence number one higher and a CRC32C, and forces it. A crash can tear
 * only the slot being written; the other still holds the last acknowledged state, and opening
 * picks the valid slot with the higher sequence number. So a save is atomic without a journal.
 *
 * <pre>
 * header (bytes 0..511): magic:i64 formatVersion:i32 clusterLength:i32 cluster nodeLength:i32 node crc:i32
 * slot   (512 and 1024): sequence:i64 firstIndex:i64 compactedTerm:i64 newestSegment:i64 term:i64 commitIndex:i64
 *                        voteLength:i32 (-1 = none) vote crc:i32
 * </pre>
 */
final class StateFile implements AutoCloseable {

    static final String FILE_NAME = "raft-state";
    /** Bumped whenever the stored layout changes incompatibly; older builds refuse newer directories. */
    static final int FORMAT_VERSION = 2;

    private static final long MAGIC = 0x52_41_46_54_4B_53_54_41L; // "RAFTKSTA"
    private static final int SLOT_BYTES = 512;
    private static final int HEADER_BYTES = 512;

    /** What one slot holds. */
    record State(long sequence, long firstIndex, long compactedTerm, long newestSegment, HardState hardState) {
    }

    private final Path file;
    private final FileChannel channel;
    private State current;

    private StateFile(Path file, FileChannel channel, State current) {
        this.file = file;
        this.channel = channel;
        this.current = current;
    }

    static Path path(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /**
     * Creates the state file of a new store through a forced temporary file and a rename, so a
     * crash leaves either no state file or a complete one.
     */
    static StateFile create(Path dataDir, String clusterId, String nodeId) throws IOException {
        Path file = path(dataDir);
        State initial = new State(1, 1, 0, 1, HardState.INITIAL);
        DurableFiles.createAtomically(file, out -> {
            writeFully(out, header(FORMAT_VERSION, clusterId, nodeId), 0);
            writeFully(out, ByteBuffer.allocate(2 * SLOT_BYTES), HEADER_BYTES);
            writeFully(out, slot(initial), slotOffset(initial.sequence()));
        });
        return new StateFile(file, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE), initial);
    }

    /** Opens and checks an existing state file; refuses, naming the file, one this node must not use. */
    static StateFile open(Path dataDir, String clusterId, String nodeId) throws IOException {
        Path file = path(dataDir);
        if (!Files.isRegularFile(file)) {
            throw new IOException("log store state " + file + " is not a regular file");
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            byte[] raw = new byte[HEADER_BYTES + 2 * SLOT_BYTES];
            ByteBuffer buf = ByteBuffer.wrap(raw);
            while (buf.hasRemaining() && channel.read(buf) > 0) {
                // read it all
            }
            if (buf.hasRemaining()) {
                throw new IOException("log store state " + file + " is corrupt: it has " + buf.position()
                        + " bytes, a state file has " + raw.length);
            }
            checkHeader(file, raw, clusterId, nodeId);
            State a = readSlot(raw, HEADER_BYTES);
            State b = readSlot(raw, HEADER_BYTES + SLOT_BYTES);
            State newest = a == null ? b : b == null ? a : a.sequence() > b.sequence() ? a : b;
            if (newest == null) {
                throw new IOException("log store state " + file + " is corrupt: neither state slot passes its CRC32C checksum");
            }
            return new StateFile(file, channel, newest);
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
    void saveHardState(HardState hardState) throws IOException {
        save(new State(current.sequence() + 1, current.firstIndex(), current.compactedTerm(), current.newestSegment(), hardState));
    }

    /** Makes the compaction point durable, keeping the hard state. */
    void saveCompaction(long firstIndex, long compactedTerm) throws IOException {
        save(new State(current.sequence() + 1, firstIndex, compactedTerm, current.newestSegment(), current.hardState()));
    }

    /** Records that segment {@code sequence} exists, so opening notices if it goes missing. */
    void saveNewestSegment(long sequence) throws IOException {
        save(new State(current.sequence() + 1, current.firstIndex(), current.compactedTerm(), sequence, current.hardState()));
    }

    private void save(State next) throws IOException {
        writeFully(channel, slot(next), slotOffset(next.sequence()));
        channel.force(false);
        current = next;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Consecutive sequence numbers alternate between the slots, so a save never overwrites the newest state. */
    private static long slotOffset(long sequence) {
        return HEADER_BYTES + (sequence % 2) * SLOT_BYTES;
    }

    static ByteBuffer header(int formatVersion, String clusterId, String nodeId) {
        byte[] cluster = clusterId.getBytes(StandardCharsets.UTF_8);
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES);
        buf.putLong(MAGIC).putInt(formatVersion).putInt(cluster.length).put(cluster).putInt(node.length).put(node);
        buf.putInt(Segment.crc(buf.array(), buf.position()));
        buf.clear();
        return buf;
    }

    private static void checkHeader(Path file, byte[] raw, String clusterId, String nodeId) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(raw, 0, HEADER_BYTES);
        if (in.getLong() != MAGIC) {
            throw new IOException("log store state " + file + " is corrupt: it does not start with a RaftKit state header");
        }
        try {
            int version = in.getInt();
            String cluster = string(in);
            String node = string(in);
            int end = in.position();
            if (in.getInt() != Segment.crc(raw, end)) {
                throw new IOException("log store state " + file + " is corrupt: its header fails its CRC32C checksum");
            }
            if (version > FORMAT_VERSION) {
                throw new IOException("log store state " + file + " has format version " + version
                        + ", newer than this build reads (" + FORMAT_VERSION + "); upgrade RaftKit, do not delete the directory");
            }
            if (version < FORMAT_VERSION) {
                throw new IOException("log store state " + file + " has format version " + version
                        + ", which this build does not read (it reads " + FORMAT_VERSION + ")");
            }
            if (!cluster.equals(clusterId) || !node.equals(nodeId)) {
                throw new IOException("log store " + file.getParent() + " belongs to node " + node + " of cluster " + cluster
                        + ", not to node " + nodeId + " of cluster " + clusterId + "; refusing to use another node's log");
            }
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException("log store state " + file + " is corrupt: its header is malformed (" + e + ")");
        }
    }

    private static ByteBuffer slot(State s) {
        ByteBuffer buf = ByteBuffer.allocate(SLOT_BYTES);
        HardState h = s.hardState();
        buf.putLong(s.sequence()).putLong(s.firstIndex()).putLong(s.compactedTerm()).putLong(s.newestSegment()).putLong(h.term()).putLong(h.commitIndex());
        if (h.votedFor() == null) {
            buf.putInt(-1);
        } else {
            byte[] vote = h.votedFor().value().getBytes(StandardCharsets.UTF_8);
            buf.putInt(vote.length).put(vote);
        }
        buf.putInt(Segment.crc(buf.array(), buf.position()));
        buf.clear();
        return buf;
    }

    /** The slot's state, or null when it is empty or torn (its checksum does not match). */
    private static State readSlot(byte[] raw, int offset) {
        ByteBuffer in = ByteBuffer.wrap(raw, offset, SLOT_BYTES);
        try {
            long sequence = in.getLong();
            long firstIndex = in.getLong();
            long compactedTerm = in.getLong();
            long newestSegment = in.getLong();
            long term = in.getLong();
            long commitIndex = in.getLong();
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
            byte[] body = java.util.Arrays.copyOfRange(raw, offset, offset + end);
            if (in.getInt() != Segment.crc(body, end) || sequence < 1 || firstIndex < 1) {
                return null;
            }
            return new State(sequence, firstIndex, compactedTerm, newestSegment, new HardState(term, vote, commitIndex));
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > 256) {
            throw new IllegalArgumentException("string length " + length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
    }
}
