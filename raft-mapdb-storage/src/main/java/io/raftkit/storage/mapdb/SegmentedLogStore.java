package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import io.raftkit.storage.mapdb.BatchCodec.CorruptRecordException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link LogStore}: entries in append-only, checksummed segment files
 * ({@link SegmentLog}), the hard state and compaction point in a two-slot state file
 * ({@link StateFile}), and a {@code LOCK} file naming the owner's pid.
 *
 * <p>Group commit: each {@link #append} is one frame and one fsync, whatever the batch size; each
 * {@link #saveHardState} and {@link #compact} is one slot write and one fsync. When a call returns,
 * its change survives {@code kill -9} and an operating-system crash.
 *
 * <p>The index of the log lives in memory: where each batch is stored, and the term of every index
 * as runs of equal terms, so {@link #term} never touches the disk. The newest decoded batches are
 * cached for the AppendEntries reads a leader makes right after appending.
 */
public final class SegmentedLogStore implements LogStore {

    /** The MapDB file of format 1, whose write-ahead-log recovery did not survive kill -9; this build refuses it. */
    static final String FORMAT_1_FILE = "raft-log.db";

    private static final Logger log = LoggerFactory.getLogger(SegmentedLogStore.class);

    /** One stored batch that is (partly) in the log: its first {@code count} entries are. */
    private record Batch(SegmentLog.Location where, int count) {
    }

    private final Path dir;
    private final DirectoryLock lock;
    private final StateFile state;
    private final BatchCache cache;
    /** First index of every batch in the log -> where it is. */
    private final TreeMap<Long, Batch> batches = new TreeMap<>();
    /** Index where a run of equal terms starts -> that term. */
    private final TreeMap<Long, Long> termStarts = new TreeMap<>();
    private SegmentLog segments;

    private long firstIndex = 1;
    private long lastIndex;
    private IOException failure;
    private boolean closed;

    private SegmentedLogStore(Path dir, DirectoryLock lock, StateFile state, StoreSettings settings) {
        this.dir = dir;
        this.lock = lock;
        this.state = state;
        this.cache = new BatchCache(settings.readCacheBatches());
    }

    /**
     * Opens the store in {@code dataDir}, creating it when the directory holds no store yet.
     *
     * @throws IOException naming the path and the problem: the directory is not usable, is locked by
     *                     another process, belongs to another node or cluster, has another format, or is corrupt
     */
    public static SegmentedLogStore open(Path dataDir, String clusterId, String nodeId, StoreSettings settings)
            throws IOException {
        createDirectory(dataDir);
        DirectoryLock lock = DirectoryLock.acquire(dataDir);
        StateFile state = null;
        try {
            refuseFormatOne(dataDir);
            boolean fresh = !Files.exists(StateFile.path(dataDir)) && isEmptyOrInterruptedCreation(dataDir);
            state = fresh ? null : StateFile.open(dataDir, clusterId, nodeId);
            SegmentedLogStore store;
            if (fresh) {
                // Segment 1 first, the state file last: its rename is what makes the directory a store.
                SegmentLog created = SegmentLog.create(dataDir, clusterId, nodeId, settings.segmentBytes());
                state = StateFile.create(dataDir, clusterId, nodeId);
                store = new SegmentedLogStore(dataDir, lock, state, settings);
                store.segments = created;
                store.termStarts.put(0L, 0L);
                log.info("created log store {} for node {} of cluster {}", dataDir, nodeId, clusterId);
            } else {
                store = new SegmentedLogStore(dataDir, lock, state, settings);
                store.recover(clusterId, nodeId, settings);
            }
            return store;
        } catch (IOException | RuntimeException e) {
            if (state != null) {
                state.close();
            }
            lock.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("log store " + dataDir + " is corrupt or unreadable: " + e, e);
        }
    }

    private static void createDirectory(Path dataDir) throws IOException {
        try {
            Files.createDirectories(dataDir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("data directory " + dataDir + " is not a directory", e);
        } catch (IOException e) {
            throw new IOException("data directory " + dataDir + " cannot be created: " + e, e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new IOException("data directory " + dataDir + " is not writable");
        }
    }

    private static void refuseFormatOne(Path dataDir) throws IOException {
        Path old = dataDir.resolve(FORMAT_1_FILE);
        if (Files.exists(old)) {
            throw new IOException("log store " + old + " has format version 1 (entries inside MapDB), which this build"
                    + " does not read: MapDB 3.1's recovery after kill -9 was not reliable. Move the directory aside"
                    + " (do not delete it) and start this node with an empty one; it catches up from its peers");
        }
    }

    /** True when the directory holds no store file, or only what a crash during creation can leave. */
    private static boolean isEmptyOrInterruptedCreation(Path dataDir) throws IOException {
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dataDir, "segment-*")) {
            for (Path p : listing) {
                String name = p.getFileName().toString();
                boolean headerOnlyFirst = name.equals(Segment.fileName(1)) && Files.size(p) <= 4096
                        && Files.size(p) == headerSize(p);
                if (!name.endsWith(".tmp") && !headerOnlyFirst) {
                    throw new IOException("log store " + dataDir + " is corrupt: it holds " + p.getFileName()
                            + " but no " + StateFile.FILE_NAME + " file; refusing to start over on top of a log");
                }
            }
        }
        return true;
    }

    private static long headerSize(Path segment) throws IOException {
        byte[] head = new byte[16];
        try (var in = Files.newInputStream(segment)) {
            if (in.readNBytes(head, 0, 16) < 16) {
                return -1;
            }
        }
        return java.nio.ByteBuffer.wrap(head, 12, 4).getInt();
    }

    private void recover(String clusterId, String nodeId, StoreSettings settings) throws IOException {
        StateFile.State stored = state.current();
        segments = SegmentLog.open(dir, clusterId, nodeId, settings.segmentBytes(), stored.newestSegment(), this::replay);
        try {
            check(stored);
        } catch (IOException | RuntimeException e) {
            segments.close();
            throw e;
        }
    }

    private void check(StateFile.State stored) throws IOException {
        firstIndex = stored.firstIndex();
        if (!batches.isEmpty() && batches.firstKey() > firstIndex) {
            throw corrupt("the log's entries start at " + batches.firstKey() + " but its first index is " + firstIndex
                    + "; a segment with entries " + firstIndex + ".." + (batches.firstKey() - 1) + " is missing");
        }
        // No entry at all is what a fresh store or one compacted through its last entry holds.
        long replayedLast = batches.isEmpty() ? firstIndex - 1 : lastIndex;
        if (replayedLast < firstIndex - 1) {
            throw corrupt("the log ends at " + replayedLast + " before its compaction point " + (firstIndex - 1));
        }
        lastIndex = Math.max(replayedLast, firstIndex - 1);
        // Drop what compaction covered; batches straddling the first index stay and are read from it.
        batches.headMap(firstIndex, false).entrySet().removeIf(b -> b.getKey() + b.getValue().count() - 1 < firstIndex);
        termStarts.headMap(firstIndex - 1, true).clear();
        termStarts.put(firstIndex - 1, stored.compactedTerm());
        int deleted = segments.deleteThrough(firstIndex - 1);
        log.info("opened log store {}: entries {}..{}, {}, {} segment file(s){}", dir, firstIndex, lastIndex,
                stored.hardState(), segments.segmentCount(), deleted > 0 ? ", deleted " + deleted + " compacted one(s)" : "");
    }

    /** Places one stored record while the segments are scanned: the log continues at its first index (§5.3). */
    private void replay(SegmentLog.Location where, List<LogEntry> entries) throws IOException {
        long from = entries.get(0).index();
        if (!batches.isEmpty() && from > lastIndex + 1) {
            throw corrupt("the record at offset " + where.offset() + " of " + where.segment().file().getFileName()
                    + " starts at index " + from + ", leaving a gap after " + lastIndex);
        }
        place(where, entries);
    }

    /** Truncates the log from the batch's first index, then adds the batch. */
    private void place(SegmentLog.Location where, List<LogEntry> entries) {
        long from = entries.get(0).index();
        Map.Entry<Long, Batch> straddling = batches.lowerEntry(from);
        if (straddling != null && straddling.getKey() + straddling.getValue().count() > from) {
            batches.put(straddling.getKey(), new Batch(straddling.getValue().where(), (int) (from - straddling.getKey())));
        }
        if (from <= lastIndex) {
            // A suffix is replaced (§5.3): rare, so the cache's linear sweep is only paid here.
            batches.tailMap(from, true).clear();
            termStarts.tailMap(from, true).clear();
            cache.removeFrom(from);
        }
        batches.put(from, new Batch(where, entries.size()));
        for (LogEntry e : entries) {
            noteTerm(e.index(), e.term());
        }
        lastIndex = from + entries.size() - 1;
    }

    @Override
    public void append(List<LogEntry> entries) throws IOException {
        checkUsable();
        if (entries.isEmpty()) {
            return;
        }
        long from = entries.get(0).index();
        if (from < firstIndex) {
            throw new IllegalArgumentException("append at " + from + " falls in the compacted prefix (first index " + firstIndex + ")");
        }
        if (from > lastIndex + 1) {
            throw new IllegalArgumentException("append at " + from + " would leave a gap after last index " + lastIndex);
        }
        for (int i = 1; i < entries.size(); i++) {
            if (entries.get(i).index() != from + i) {
                throw new IllegalArgumentException("batch is not consecutive at position " + i + ": " + entries.get(i));
            }
        }
        List<LogEntry> batch = List.copyOf(entries);
        SegmentLog.Location where;
        try {
            where = segments.append(BatchCodec.encodeBatch(batch), from + batch.size() - 1);
        } catch (IOException e) {
            throw fail("append of entries " + from + ".." + (from + batch.size() - 1), e);
        }
        place(where, batch);
        cache.put(from, batch);
        if (where.segment().sequence() > state.current().newestSegment()) {
            try {
                state.saveNewestSegment(where.segment().sequence());
            } catch (IOException e) {
                throw fail("recording new segment " + where.segment().file(), e);
            }
        }
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) throws IOException {
        checkOpen();
        if (fromIndex < firstIndex) {
            throw new IllegalArgumentException("entries from " + fromIndex + " were compacted (first index " + firstIndex + ")");
        }
        long to = Math.min(toIndex, lastIndex);
        List<LogEntry> out = new ArrayList<>((int) Math.max(0, Math.min(to - fromIndex + 1, 1024)));
        if (fromIndex > to) {
            return out;
        }
        long bytes = 0;
        Map.Entry<Long, Batch> b = batches.floorEntry(fromIndex);
        while (b != null && b.getKey() <= to) {
            long key = b.getKey();
            List<LogEntry> batch = read(key, b.getValue());
            int start = (int) Math.max(0, fromIndex - key);
            int end = (int) Math.min(b.getValue().count(), to - key + 1);
            for (int i = start; i < end; i++) {
                LogEntry e = batch.get(i);
                bytes += e.sizeInBytes();
                if (bytes > maxBytes && !out.isEmpty()) {
                    return out;
                }
                out.add(e);
            }
            b = batches.higherEntry(key);
        }
        return out;
    }

    @Override
    public long term(long index) {
        if (index < firstIndex - 1 || index > lastIndex) {
            throw new IllegalArgumentException("no term for index " + index + ": the log holds " + firstIndex + ".." + lastIndex);
        }
        return termStarts.floorEntry(index).getValue();
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public void saveHardState(HardState hardState) throws IOException {
        checkUsable();
        try {
            state.saveHardState(hardState);
        } catch (IOException e) {
            throw fail("saving " + hardState, e);
        }
    }

    @Override
    public HardState loadHardState() throws IOException {
        checkOpen();
        return state.current().hardState();
    }

    @Override
    public void compact(long index) throws IOException {
        checkUsable();
        if (index < firstIndex) {
            return;
        }
        if (index > lastIndex) {
            throw new IllegalArgumentException("cannot compact up to " + index + " beyond last index " + lastIndex);
        }
        long termAtIndex = term(index);
        try {
            state.saveCompaction(index + 1, termAtIndex);
        } catch (IOException e) {
            throw fail("compaction up to " + index, e);
        }
        firstIndex = index + 1;
        for (var it = batches.headMap(firstIndex, false).entrySet().iterator(); it.hasNext(); ) {
            var b = it.next();
            if (b.getKey() + b.getValue().count() - 1 < firstIndex) {
                cache.remove(b.getKey());
                it.remove();
            }
        }
        termStarts.headMap(index, true).clear();
        termStarts.put(index, termAtIndex);
        try {
            // The compaction point is durable, so these files no longer hold any entry of the log.
            segments.deleteThrough(index);
        } catch (IOException e) {
            log.warn("log store {}: deleting segments compacted up to {} failed; the next open retries: {}", dir, index, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            segments.close();
            state.close();
        } finally {
            lock.close();
        }
    }

    /** The data directory, for messages and tests. */
    public Path dataDir() {
        return dir;
    }

    private void noteTerm(long index, long term) {
        Map.Entry<Long, Long> run = termStarts.floorEntry(index - 1);
        if (run == null || run.getValue() != term) {
            termStarts.put(index, term);
        }
    }

    private List<LogEntry> read(long key, Batch batch) throws IOException {
        List<LogEntry> cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] raw;
        try {
            raw = segments.read(batch.where());
        } catch (IOException e) {
            throw new IOException("log store " + dir + ": reading the batch at index " + key + " from "
                    + batch.where().segment().file() + " failed: " + e, e);
        }
        List<LogEntry> decoded;
        try {
            decoded = BatchCodec.decodeBatch(raw);
        } catch (CorruptRecordException e) {
            throw new IOException("log segment " + batch.where().segment().file() + " is corrupt at offset "
                    + batch.where().offset() + ": " + e.getMessage(), e);
        }
        if (decoded.get(0).index() != key) {
            throw new IOException("log segment " + batch.where().segment().file() + " is corrupt at offset "
                    + batch.where().offset() + ": expected the batch at index " + key + ", found " + decoded.get(0).index());
        }
        // Not cached: the cache holds what was appended last, which up-to-date followers read next;
        // a lagging follower's reads of old batches would only evict those.
        return decoded;
    }

    private IOException corrupt(String problem) {
        return new IOException("log store " + dir + " is corrupt: " + problem);
    }

    private IOException fail(String what, IOException cause) {
        failure = new IOException("log store " + dir + ": " + what + " failed: " + cause.getMessage(), cause);
        log.error("log store {} failed; refusing further writes", dir, failure);
        return failure;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("log store " + dir + " is closed");
        }
    }

    private void checkUsable() throws IOException {
        checkOpen();
        if (failure != null) {
            throw new IOException("log store " + dir + " refuses writes after an earlier failure: " + failure.getMessage(), failure);
        }
    }
}
