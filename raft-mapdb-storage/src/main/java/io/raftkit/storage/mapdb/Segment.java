package io.raftkit.storage.mapdb;

import io.raftkit.api.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One append-only file of log records: a header page naming the owner and holding the segment's
 * whitening key, then {@link FrameCodec frames}. Appends are positional writes at the end followed
 * by a force, so once {@link #append} returns the frame survives {@code kill -9} and the operating
 * system's crash.
 *
 * <p>The header has a 4 KiB page to itself: a drive that rewrites a whole 4 KiB physical sector to
 * change part of it (512-byte emulation) and loses power meanwhile can garble the rest of that
 * sector; appends never touch the header's page.
 *
 * <p>Why our own file and not a MapDB B-tree: MapDB 3.1's write-ahead-log recovery after kill -9
 * left B-trees it could not read within 10-100 kills of CrashRecoveryTest, and each MapDB commit
 * costs several fsyncs; an append-only file costs one write and one fsync per batch and a torn
 * write can only be its last frame.
 */
final class Segment implements AutoCloseable {

    /** Frames start here; the header and its padding fill the page before. */
    static final int HEADER_PAGE = 4096;
    /** Version 1 was the segment of store format 2 (plain frames); this build reads only 2. */
    static final int HEADER_VERSION = 2;

    private static final long HEADER_MAGIC = 0x52_41_46_54_4B_53_45_47L; // "RAFTKSEG"

    private final Disk disk;
    private final Path file;
    private final long sequence;
    private final long key;
    private final DiskFile channel;
    private long end;
    /** The highest log index any frame of this file holds; compaction deletes a file at or below it. */
    private long maxIndex;

    private Segment(Disk disk, Path file, long sequence, long key, DiskFile channel, long end) {
        this.disk = disk;
        this.file = file;
        this.sequence = sequence;
        this.key = key;
        this.channel = channel;
        this.end = end;
    }

    static String fileName(long sequence) {
        return String.format("segment-%016d.log", sequence);
    }

    /**
     * Creates segment {@code sequence} with a new random key: the header goes to a temporary file
     * that is forced and then renamed, so a crash leaves either no segment or a complete header.
     */
    static Segment create(StoreEnvironment env, Path dir, long sequence, String clusterId, String nodeId) throws IOException {
        Path file = dir.resolve(fileName(sequence));
        long key = env.keys().nextLong();
        ByteBuffer header = encodeHeader(sequence, key, clusterId, nodeId);
        DurableFiles.createAtomically(env.disk(), file, out -> out.write(header, 0));
        DiskFile channel = env.disk().open(file, false);
        return new Segment(env.disk(), file, sequence, key, channel, channel.size());
    }

    /** Opens an existing segment and checks its header; the caller scans its frames. */
    static Segment open(Disk disk, Path file, long sequence, String clusterId, String nodeId) throws IOException {
        DiskFile channel = disk.open(file, false);
        try {
            long key = checkHeader(file, channel, sequence, clusterId, nodeId);
            return new Segment(disk, file, sequence, key, channel, channel.size());
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

    boolean holdsNoFrame() {
        return end <= HEADER_PAGE;
    }

    long maxIndex() {
        return maxIndex;
    }

    void noteIndex(long index) {
        maxIndex = Math.max(maxIndex, index);
    }

    /**
     * Appends {@code batch}, whose record is {@code recordLength} bytes, as one frame and forces it
     * to disk; returns the frame's offset.
     */
    long append(List<LogEntry> batch, int recordLength) throws IOException {
        long at = end;
        byte[] frame = new byte[Math.toIntExact(FrameCodec.extent(at, recordLength))];
        BatchCodec.encodeBatch(batch, frame, FrameCodec.HEADER);
        FrameCodec.seal(frame, recordLength, key, sequence, at);
        try {
            channel.write(ByteBuffer.wrap(frame), at);
            channel.force();
        } catch (IOException e) {
            // A half-written frame must not sit between acknowledged ones, nor come back after a
            // power loss: cut it and force the cut, if the disk lets us.
            try {
                channel.truncate(at);
                channel.force();
            } catch (IOException ignored) {
                // The open after a restart cuts a torn tail as well.
            }
            throw e;
        }
        end = at + frame.length;
        return at;
    }

    /** The record of the frame at {@code offset}, {@code length} bytes, as {@link BatchCodec} wrote it. */
    byte[] readRecord(long offset, int length) throws IOException {
        byte[] record = readRaw(offset + FrameCodec.HEADER, length);
        FrameCodec.unwhitenRecord(record, key, sequence, offset);
        return record;
    }

    /** The record length the frame header at {@code offset} declares, or -1 when no valid header is there. */
    int recordLength(long offset, long fileSize, int maxRecord) throws IOException {
        if (fileSize - offset < FrameCodec.HEADER) {
            return -1;
        }
        return FrameCodec.recordLength(readRaw(offset, FrameCodec.HEADER), key, sequence, offset, maxRecord);
    }

    /** Reads {@code length} bytes at {@code offset}. */
    byte[] readRaw(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        if (channel.read(buf, offset) < length) {
            throw new IOException("segment " + file + " ends before the " + length + " bytes at offset " + offset);
        }
        return buf.array();
    }

    long size() throws IOException {
        return channel.size();
    }

    /** Makes every frame of this file durable: opening trusts nothing the page cache alone holds. */
    void force() throws IOException {
        channel.force();
    }

    /**
     * Cuts the file at {@code offset}, first copying the bytes cut to {@code <file>.torn-<offset>}
     * so nothing is destroyed: they are a write that was never acknowledged, kept for inspection.
     */
    Path cutTail(long offset) throws IOException {
        long size = channel.size();
        Path aside = file.resolveSibling(file.getFileName() + ".torn-" + offset);
        try (DiskFile out = disk.open(aside, true)) {
            out.truncate(0);
            out.write(ByteBuffer.wrap(readRaw(offset, Math.toIntExact(size - offset))), 0);
            out.force();
        }
        channel.truncate(offset);
        channel.force();
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

    private static ByteBuffer encodeHeader(long sequence, long key, String clusterId, String nodeId) {
        byte[] cluster = clusterId.getBytes(StandardCharsets.UTF_8);
        byte[] node = nodeId.getBytes(StandardCharsets.UTF_8);
        int size = 8 + 4 + 4 + 8 + 8 + 4 + cluster.length + 4 + node.length + 4;
        ByteBuffer buf = ByteBuffer.allocate(HEADER_PAGE);
        buf.putLong(HEADER_MAGIC).putInt(HEADER_VERSION).putInt(size).putLong(sequence).putLong(key)
                .putInt(cluster.length).put(cluster).putInt(node.length).put(node);
        buf.putInt(crc(buf.array(), size - 4));
        buf.clear();
        return buf;
    }

    /** Checks the header and returns the segment's whitening key. */
    private static long checkHeader(Path file, DiskFile channel, long sequence, String clusterId, String nodeId)
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
        if (version < HEADER_VERSION) {
            throw new IOException("log segment " + file + " has segment format version " + version
                    + " (written by store format 2), which this build does not read (it reads " + HEADER_VERSION + ")");
        }
        int size = fixed.getInt();
        if (size < 44 || size > HEADER_PAGE || channel.size() < HEADER_PAGE) {
            throw new IOException("log segment " + file + " is corrupt: its header claims " + size + " bytes in a file of "
                    + channel.size());
        }
        ByteBuffer header = ByteBuffer.allocate(size);
        channel.read(header, 0);
        byte[] raw = header.array();
        if (ByteBuffer.wrap(raw, size - 4, 4).getInt() != crc(raw, size - 4)) {
            throw new IOException("log segment " + file + " is corrupt: its header fails its CRC32C checksum");
        }
        ByteBuffer in = ByteBuffer.wrap(raw, 16, size - 20);
        long storedSequence = in.getLong();
        long key = in.getLong();
        String storedCluster = string(in);
        String storedNode = string(in);
        if (storedSequence != sequence) {
            throw new IOException("log segment " + file + " is corrupt: its header says segment " + storedSequence);
        }
        if (!storedCluster.equals(clusterId) || !storedNode.equals(nodeId)) {
            throw new IOException("log segment " + file + " belongs to node " + storedNode + " of cluster " + storedCluster
                    + ", not to node " + nodeId + " of cluster " + clusterId + "; refusing to use another node's log");
        }
        return key;
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
