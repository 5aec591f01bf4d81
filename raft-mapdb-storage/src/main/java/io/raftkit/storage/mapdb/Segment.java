package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One append-only file of log records: a header naming the owner, then frames of
 * {@code magic:i32 length:i32 record} where the record is a {@link BatchCodec} batch ending in its
 * own CRC32C. Appends are positional writes at the end followed by {@code force}, so once
 * {@link #append} returns the frame survives {@code kill -9} and the operating system's crash.
 *
 * <p>Why our own file and not a MapDB B-tree: MapDB 3.1's write-ahead-log recovery after kill -9
 * left B-trees it could not read within 10-100 kills of CrashRecoveryTest, and each MapDB commit
 * costs several fsyncs; an append-only file costs one write and one fsync per batch and a torn
 * write can only be its last frame.
 */
final class Segment implements AutoCloseable {

    static final int FRAME_MAGIC = 0x52_4B_4C_47; // "RKLG"
    static final int FRAME_HEADER = 8;
    /** No batch record is larger; a length beyond it is corruption, not a huge batch. */
    static final int MAX_RECORD = 256 << 20;

    private static final long HEADER_MAGIC = 0x52_41_46_54_4B_53_45_47L; // "RAFTKSEG"
    private static final int HEADER_VERSION = 1;

    private final Path file;
    private final long sequence;
    private final FileChannel channel;
    private final int headerBytes;
    private long end;
    /** The highest log index any frame of this file holds; compaction deletes a file at or below it. */
    private long maxIndex;

    private Segment(Path file, long sequence, FileChannel channel, int headerBytes, long end) {
        this.file = file;
        this.sequence = sequence;
        this.channel = channel;
        this.headerBytes = headerBytes;
        this.end = end;
    }

    static String fileName(long sequence) {
        return String.format("segment-%016d.log", sequence);
    }

    /**
     * Creates segment {@code sequence}: the header goes to a temporary file that is forced and then
     * renamed, so a crash leaves either no segment or a complete header, never a torn one.
     */
    static Segment create(Path dir, long sequence, String clusterId, String nodeId) throws IOException {
        Path file = dir.resolve(fileName(sequence));
        ByteBuffer header = encodeHeader(sequence, clusterId, nodeId);
        DurableFiles.createAtomically(file, out -> {
            while (header.hasRemaining()) {
                out.write(header);
            }
        });
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Segment(file, sequence, channel, header.limit(), channel.size());
    }

    /** Opens an existing segment and checks its header; the caller scans its frames. */
    static Segment open(Path file, long sequence, String clusterId, String nodeId) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            int headerBytes = checkHeader(file, channel, sequence, clusterId, nodeId);
            return new Segment(file, sequence, channel, headerBytes, channel.size());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    long sequence() {
        return sequence;
    }

    long end() {
        return end;
    }

    int headerBytes() {
        return headerBytes;
    }

    long maxIndex() {
        return maxIndex;
    }

    void noteIndex(long index) {
        maxIndex = Math.max(maxIndex, index);
    }

    /** Appends one framed record and forces it to disk; returns the frame's offset. */
    long append(byte[] record) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER + record.length);
        frame.putInt(FRAME_MAGIC).putInt(record.length).put(record).flip();
        long at = end;
        try {
            long position = at;
            while (frame.hasRemaining()) {
                position += channel.write(frame, position);
            }
            channel.force(false);
        } catch (IOException e) {
            // A half-written frame must not sit between acknowledged ones: cut it if the disk lets us.
            try {
                channel.truncate(at);
            } catch (IOException ignored) {
                // The open after a restart cuts a torn tail as well.
            }
            throw e;
        }
        end = at + frame.capacity();
        return at;
    }

    /** Reads the record of the frame at {@code offset} whose record is {@code length} bytes. */
    byte[] read(long offset, int length) throws IOException {
        return readRaw(offset + FRAME_HEADER, length);
    }

    /** Reads {@code length} bytes at {@code offset}. */
    byte[] readRaw(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        long position = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position);
            if (n < 0) {
                throw new IOException("segment " + file + " ends before the record at offset " + offset);
            }
            position += n;
        }
        return buf.array();
    }

    /**
     * Reads the frame header at {@code offset}: the record length, or -1 when no whole, plausible
     * frame header is there (end of file, wrong magic, impossible length).
     */
    int frameLength(long offset, long fileSize) throws IOException {
        if (fileSize - offset < FRAME_HEADER) {
            return -1;
        }
        ByteBuffer head = ByteBuffer.allocate(FRAME_HEADER);
        channel.read(head, offset);
        head.flip();
        if (head.remaining() < FRAME_HEADER || head.getInt() != FRAME_MAGIC) {
            return -1;
        }
        int length = head.getInt();
        return length < 1 || length > MAX_RECORD ? -1 : length;
    }

    long size() throws IOException {
        return channel.size();
    }

    /**
     * Cuts the file at {@code offset}, first copying the bytes cut to {@code <file>.torn-<offset>}
     * so nothing is destroyed: they are a write that was never acknowledged, kept for inspection.
     */
    Path cutTail(long offset) throws IOException {
        long size = channel.size();
        Path aside = file.resolveSibling(file.getFileName() + ".torn-" + offset);
        try (FileChannel out = FileChannel.open(aside, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            channel.transferTo(offset, size - offset, out);
            out.force(true);
        }
        channel.truncate(offset);
        channel.force(true);
        end = offset;
        return aside;
    }

    void setEnd(long end) {
        this.end = end;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static ByteBuffer encodeHeader(long sequence, String clusterId, String nodeId) {
        byte[] cluster = clusterId.getBytes(StandardCharsets.UTF_8);
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        int size = 8 + 4 + 4 + 8 + 4 + cluster.length + 4 + node.length + 4;
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putLong(HEADER_MAGIC).putInt(HEADER_VERSION).putInt(size).putLong(sequence)
                .putInt(cluster.length).put(cluster).putInt(node.length).put(node);
        buf.putInt(crc(buf.array(), size - 4));
        buf.flip();
        return buf;
    }

    private static int checkHeader(Path file, FileChannel channel, long sequence, String clusterId, String nodeId)
            throws IOException {
        ByteBuffer fixed = ByteBuffer.allocate(16);
        channel.read(fixed, 0);
        fixed.flip();
        if (fixed.remaining() < 16 || fixed.getLong() != HEADER_MAGIC) {
            throw new IOException("log segment " + file + " is corrupt: it does not start with a RaftKit segment header");
        }
        int version = fixed.getInt();
        if (version > HEADER_VERSION) {
            throw new IOException("log segment " + file + " has segment format version " + version
                    + ", newer than this build reads (" + HEADER_VERSION + "); upgrade RaftKit, do not delete the directory");
        }
        int size = fixed.getInt();
        if (size < 36 || size > 4096 || size > channel.size()) {
            throw new IOException("log segment " + file + " is corrupt: its header claims " + size + " bytes");
        }
        ByteBuffer header = ByteBuffer.allocate(size);
        channel.read(header, 0);
        byte[] raw = header.array();
        if (ByteBuffer.wrap(raw, size - 4, 4).getInt() != crc(raw, size - 4)) {
            throw new IOException("log segment " + file + " is corrupt: its header fails its CRC32C checksum");
        }
        ByteBuffer in = ByteBuffer.wrap(raw, 16, size - 20);
        long storedSequence = in.getLong();
        String storedCluster = string(in);
        String storedNode = string(in);
        if (storedSequence != sequence) {
            throw new IOException("log segment " + file + " is corrupt: its header says segment " + storedSequence);
        }
        if (!storedCluster.equals(clusterId) || !storedNode.equals(nodeId)) {
            throw new IOException("log segment " + file + " belongs to node " + storedNode + " of cluster " + storedCluster
                    + ", not to node " + nodeId + " of cluster " + clusterId + "; refusing to use another node's log");
        }
        return size;
    }

    private static String string(ByteBuffer in) throws IOException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IOException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
