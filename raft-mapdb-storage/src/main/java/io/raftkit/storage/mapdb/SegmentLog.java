package io.raftkit.storage.mapdb;

import io.raftkit.api.LogEntry;
import java.io.IOException;
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
 * Opening scans every segment ({@link SegmentScan}); a missing segment is corruption.
 */
final class SegmentLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);
    private static final Pattern NAME = Pattern.compile("segment-(\\d{16})\\.log");

    /** Where one record lives: the frame's offset and the record's length. */
    record Location(Segment segment, long offset, int length) {
    }

    private final StoreEnvironment env;
    private final Path dir;
    private final String clusterId;
    private final String nodeId;
    private final long segmentBytes;
    private final List<Segment> segments;

    private SegmentLog(StoreEnvironment env, Path dir, String clusterId, String nodeId, long segmentBytes, List<Segment> segments) {
        this.env = env;
        this.dir = dir;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.segmentBytes = segmentBytes;
        this.segments = segments;
    }

    /** Creates the first segment of a new store. */
    static SegmentLog create(StoreEnvironment env, Path dir, String clusterId, String nodeId, long segmentBytes) throws IOException {
        List<Segment> segments = new ArrayList<>();
        segments.add(Segment.create(env, dir, 1, clusterId, nodeId));
        return new SegmentLog(env, dir, clusterId, nodeId, segmentBytes, segments);
    }

    /** Opens every segment in order, checks it and hands each record to {@code replay}. */
    static SegmentLog open(StoreEnvironment env, Path dir, String clusterId, String nodeId, long segmentBytes, long newestCreated,
                           long firstSegment, SegmentScan.Replay replay) throws IOException {
        TreeMap<Long, Path> files = listSegments(env.disk(), dir);
        deleteLeftoversOfReset(env.disk(), dir, files, firstSegment);
        if (files.isEmpty() || files.lastKey() < newestCreated) {
            throw new IOException("log store " + dir + " is corrupt: " + Segment.fileName(newestCreated)
                    + " is missing (the state file records that it was created); refusing to start with a shorter log");
        }
        List<Segment> segments = new ArrayList<>();
        SegmentLog opened = new SegmentLog(env, dir, clusterId, nodeId, segmentBytes, segments);
        try {
            long expected = files.firstKey();
            for (var e : files.entrySet()) {
                if (e.getKey() != expected) {
                    throw new IOException("log store " + dir + " is corrupt: " + Segment.fileName(expected)
                            + " is missing between " + Segment.fileName(expected - 1) + " and " + e.getValue().getFileName());
                }
                expected++;
                Segment segment = Segment.open(env.disk(), e.getValue(), e.getKey(), clusterId, nodeId);
                segments.add(segment);
                SegmentScan.scan(segment, e.getKey() == files.lastKey(), env.maxRecordBytes(), replay);
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.closeQuietly();
            throw e;
        }
    }

    /**
     * Deletes the segments a reset left below {@code firstSegment}: the state file recorded the reset
     * (and that the log now starts in {@code firstSegment}) before they were deleted, so a crash in
     * between leaves files that hold no entry of the log. They are not read: their entries end
     * before the compaction point, which a scan would report as a lost segment.
     */
    private static void deleteLeftoversOfReset(Disk disk, Path dir, TreeMap<Long, Path> files, long firstSegment) throws IOException {
        var leftovers = files.headMap(firstSegment, false);
        if (leftovers.isEmpty()) {
            return;
        }
        for (Path p : leftovers.values()) {
            log.info("removing {}, left from before the log was reset to start in {}", p, Segment.fileName(firstSegment));
            disk.delete(p);
        }
        leftovers.clear();
        disk.forceDirectory(dir);
    }

    private static TreeMap<Long, Path> listSegments(Disk disk, Path dir) throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        for (Path p : disk.list(dir)) {
            String name = p.getFileName().toString();
            Matcher m = NAME.matcher(name);
            if (m.matches()) {
                if (!disk.isRegularFile(p)) {
                    throw new IOException("log segment " + p + " is not a regular file");
                }
                files.put(Long.parseLong(m.group(1)), p);
            } else if (name.startsWith("segment-") && name.endsWith(".log.tmp")) {
                // A segment whose creation a crash interrupted: it holds a header and no record.
                log.info("removing {}, a segment whose creation was interrupted; it holds no log entry", p);
                disk.delete(p);
            }
        }
        return files;
    }

    /** Whether the next append goes to a new segment: the newest is full (and holds a frame). */
    boolean full() {
        Segment active = active();
        return active.end() >= segmentBytes && !active.holdsNoFrame();
    }

    /** Creates the next segment; appends go to it from now on. */
    Segment startSegment() throws IOException {
        Segment next = Segment.create(env, dir, active().sequence() + 1, clusterId, nodeId);
        segments.add(next);
        return next;
    }

    /** Appends {@code batch} (a record of {@code recordLength} bytes) durably to the newest segment. */
    Location append(List<LogEntry> batch, int recordLength) throws IOException {
        Segment active = active();
        long offset = active.append(batch, recordLength);
        active.noteIndex(batch.get(batch.size() - 1).index());
        return new Location(active, offset, recordLength);
    }

    byte[] read(Location where) throws IOException {
        return where.segment().readRecord(where.offset(), where.length());
    }

    /** Forces the newest segment, the only one a crash can have left with unforced frames. */
    void forceNewest() throws IOException {
        active().force();
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
            env.disk().delete(oldest.file());
            deleted++;
        }
        if (deleted > 0) {
            env.disk().forceDirectory(dir);
        }
        return deleted;
    }

    /**
     * Deletes every segment but the newest, after a reset made the newest (created empty for it)
     * the first segment of the log. Returns how many were deleted.
     */
    int deleteAllButNewest() throws IOException {
        int deleted = 0;
        while (segments.size() > 1) {
            Segment oldest = segments.remove(0);
            oldest.close();
            env.disk().delete(oldest.file());
            deleted++;
        }
        if (deleted > 0) {
            env.disk().forceDirectory(dir);
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
