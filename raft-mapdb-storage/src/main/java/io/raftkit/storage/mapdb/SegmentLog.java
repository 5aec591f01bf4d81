package io.raftkit.storage.mapdb;

import io.raftkit.api.LogEntry;
import io.raftkit.storage.mapdb.BatchCodec.CorruptRecordException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's entries as a sequence of {@link Segment} files numbered 1, 2, 3, ... Every append is
 * one frame at the end of the newest segment; a suffix truncation (§5.3) is not a rewrite but the
 * next frame itself, whose first index says where the log continues, so no acknowledged byte is
 * ever overwritten and replaying the frames in order rebuilds exactly the acknowledged log.
 *
 * <p>Recovery: a frame that does not check out at the very end of the newest segment is a write
 * that was cut by a crash and never acknowledged (the acknowledgement follows the fsync); it is
 * moved aside into a {@code .torn-<offset>} file. Anything else that does not check out (a bad
 * frame followed by good ones, a bad frame in an older segment, a missing segment) is corruption,
 * and opening refuses, naming the file and the offset.
 */
final class SegmentLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);
    private static final Pattern NAME = Pattern.compile("segment-(\\d{16})\\.log");
    /** Disk sector size: the unit a crash writes whole or not at all. */
    private static final long SECTOR = 512;

    /** Where one record lives. */
    record Location(Segment segment, long offset, int length) {
    }

    /** Receives each stored record in log order while the segments are scanned. */
    interface Replay {
        void record(Location where, List<LogEntry> entries) throws IOException;
    }

    private final Path dir;
    private final String clusterId;
    private final String nodeId;
    private final long segmentBytes;
    private final List<Segment> segments;

    private SegmentLog(Path dir, String clusterId, String nodeId, long segmentBytes, List<Segment> segments) {
        this.dir = dir;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.segmentBytes = segmentBytes;
        this.segments = segments;
    }

    /** Creates the first segment of a new store. */
    static SegmentLog create(Path dir, String clusterId, String nodeId, long segmentBytes) throws IOException {
        List<Segment> segments = new ArrayList<>();
        segments.add(Segment.create(dir, 1, clusterId, nodeId));
        return new SegmentLog(dir, clusterId, nodeId, segmentBytes, segments);
    }

    /** Opens every segment in order, checks it and hands each record to {@code replay}. */
    static SegmentLog open(Path dir, String clusterId, String nodeId, long segmentBytes, long newestCreated, Replay replay)
            throws IOException {
        TreeMap<Long, Path> files = listSegments(dir);
        if (files.isEmpty() || files.lastKey() < newestCreated) {
            throw new IOException("log store " + dir + " is corrupt: " + Segment.fileName(newestCreated)
                    + " is missing (the state file records that it was created); refusing to start with a shorter log");
        }
        List<Segment> segments = new ArrayList<>();
        SegmentLog opened = new SegmentLog(dir, clusterId, nodeId, segmentBytes, segments);
        try {
            long expected = files.firstKey();
            for (var e : files.entrySet()) {
                if (e.getKey() != expected) {
                    throw new IOException("log store " + dir + " is corrupt: " + Segment.fileName(expected)
                            + " is missing between " + Segment.fileName(expected - 1) + " and " + e.getValue().getFileName());
                }
                expected++;
                Segment segment = Segment.open(e.getValue(), e.getKey(), clusterId, nodeId);
                segments.add(segment);
                scan(segment, e.getKey() == files.lastKey(), replay);
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.closeQuietly();
            throw e;
        }
    }

    private static TreeMap<Long, Path> listSegments(Path dir) throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path p : listing) {
                String name = p.getFileName().toString();
                Matcher m = NAME.matcher(name);
                if (m.matches()) {
                    if (!Files.isRegularFile(p)) {
                        throw new IOException("log segment " + p + " is not a regular file");
                    }
                    files.put(Long.parseLong(m.group(1)), p);
                } else if (name.startsWith("segment-") && name.endsWith(".log.tmp")) {
                    // A segment whose creation a crash interrupted: it holds a header and no record.
                    log.info("removing {}, a segment whose creation was interrupted; it holds no log entry", p);
                    Files.delete(p);
                }
            }
        }
        return files;
    }

    private static void scan(Segment segment, boolean newest, Replay replay) throws IOException {
        long size = segment.size();
        long offset = segment.headerBytes();
        while (offset < size) {
            String problem;
            int length = segment.frameLength(offset, size);
            if (length < 0) {
                problem = "no valid frame header";
            } else if (offset + Segment.FRAME_HEADER + length > size) {
                problem = "a frame of " + length + " bytes that runs past the end of the file";
            } else {
                byte[] record = segment.read(offset, length);
                try {
                    List<LogEntry> entries = BatchCodec.decodeBatch(record);
                    replay.record(new Location(segment, offset, length), entries);
                    segment.noteIndex(entries.get(entries.size() - 1).index());
                    offset += Segment.FRAME_HEADER + length;
                    continue;
                } catch (CorruptRecordException e) {
                    problem = e.getMessage();
                }
            }
            long nextGood = newest ? nextValidFrame(segment, offset + 1, size) : -1;
            if (!newest || nextGood >= 0) {
                throw new IOException("log segment " + segment.file() + " is corrupt at offset " + offset + ": " + problem
                        + (nextGood >= 0 ? "; a valid frame follows at offset " + nextGood + ", so this is not a torn last write" : ""));
            }
            if (!looksTorn(segment, offset, length, size)) {
                // Whole, yet failing its checksum, with every sector written: bytes changed after the
                // write was made durable, and a durable write may have been acknowledged. Cutting it
                // would let this node forget entries a leader counted towards a commit.
                throw new IOException("log segment " + segment.file() + " is corrupt at offset " + offset + ": " + problem
                        + "; the last frame is complete and no sector of it is blank, so this is damage to a durable"
                        + " (possibly acknowledged) write, not a torn one. Refusing to start rather than drop it;"
                        + " nothing was changed. Restore this node's data directory from a copy");
            }
            Path aside = segment.cutTail(offset);
            log.warn("log segment {}: cut a torn last write of {} bytes at offset {} ({}); it was never acknowledged."
                    + " The bytes are kept in {}", segment.file(), size - offset, offset, problem, aside);
            size = offset;
        }
        segment.setEnd(size);
    }

    /**
     * Whether a bad last frame bears the marks of a write the process or machine did not finish: it
     * runs past the end of the file, or one of the disk sectors it spans reads as all zeros (a sector
     * the crash never wrote). A complete frame with every sector written that still fails its
     * checksum was damaged after it was durable: not torn.
     */
    private static boolean looksTorn(Segment segment, long offset, int length, long size) throws IOException {
        long end = length < 0 ? size : offset + Segment.FRAME_HEADER + length;
        if (length < 0 && size - offset < Segment.FRAME_HEADER || end > size) {
            return true;
        }
        if (end - offset > Integer.MAX_VALUE - 64) {
            return false;
        }
        byte[] frame = segment.readRaw(offset, (int) (end - offset));
        long chunkStart = offset;
        while (chunkStart < end) {
            long chunkEnd = Math.min(end, (chunkStart / SECTOR + 1) * SECTOR);
            boolean blank = true;
            for (long i = chunkStart; i < chunkEnd && blank; i++) {
                blank = frame[(int) (i - offset)] == 0;
            }
            if (blank) {
                return true;
            }
            chunkStart = chunkEnd;
        }
        return false;
    }

    /**
     * The offset of the first whole frame with a good checksum after {@code from}, or -1. Only run
     * when a frame is bad, so it reads the rest of the file into memory and searches it there.
     */
    private static long nextValidFrame(Segment segment, long from, long size) throws IOException {
        if (size - from > Integer.MAX_VALUE - 64) {
            return from; // too large to search: call it corruption rather than cut it
        }
        byte[] tail = segment.readRaw(from, (int) (size - from));
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(tail);
        for (int at = 0; at + Segment.FRAME_HEADER < tail.length; at++) {
            if (buf.getInt(at) != Segment.FRAME_MAGIC) {
                continue;
            }
            int length = buf.getInt(at + 4);
            if (length > 0 && length <= tail.length - at - Segment.FRAME_HEADER) {
                byte[] record = java.util.Arrays.copyOfRange(tail, at + Segment.FRAME_HEADER, at + Segment.FRAME_HEADER + length);
                try {
                    BatchCodec.decodeBatch(record);
                    return from + at;
                } catch (CorruptRecordException notAFrame) {
                    // The magic number appeared inside some payload; keep looking.
                }
            }
        }
        return -1;
    }

    /** Appends one record (holding entries up to {@code lastIndex}) durably; starts a new segment when the newest is full. */
    Location append(byte[] record, long lastIndex) throws IOException {
        Segment active = active();
        if (active.end() >= segmentBytes && active.end() > active.headerBytes()) {
            active = Segment.create(dir, active.sequence() + 1, clusterId, nodeId);
            segments.add(active);
        }
        long offset = active.append(record);
        active.noteIndex(lastIndex);
        return new Location(active, offset, record.length);
    }

    byte[] read(Location where) throws IOException {
        return where.segment().read(where.offset(), where.length());
    }

    /**
     * Deletes the oldest segments whose every entry is at or below {@code index}, never the newest.
     * Called after the compaction point is durable, so the entries are no longer part of the log.
     */
    int deleteThrough(long index) throws IOException {
        int deleted = 0;
        while (segments.size() > 1 && segments.get(0).maxIndex() <= index) {
            Segment oldest = segments.remove(0);
            oldest.close();
            Files.delete(oldest.file());
            deleted++;
        }
        if (deleted > 0) {
            DurableFiles.forceDirectory(dir);
        }
        return deleted;
    }

    private Segment active() {
        return segments.get(segments.size() - 1);
    }

    int segmentCount() {
        return segments.size();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // Opening already failed; that error is the one reported.
        }
    }
}
