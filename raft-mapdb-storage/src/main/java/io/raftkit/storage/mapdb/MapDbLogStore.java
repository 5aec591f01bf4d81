package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.spi.LogStore;
import io.raftkit.storage.mapdb.BatchCodec.CorruptRecordException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStore} in one MapDB file with a write-ahead log ({@code transactionEnable}).
 *
 * <p>Layout: one record per appended batch, keyed by the batch's first index, holding its entries
 * and a CRC32C ({@link BatchCodec}). Each {@link #append} and {@link #saveHardState} is exactly one
 * MapDB commit (group commit): MapDB costs several fsyncs per commit, and one record per batch
 * costs one B-tree update per batch instead of one per entry (docs/bench/storage.md has the
 * figures). The term of every index is kept in memory as runs of equal terms, so {@link #term}
 * never touches the disk.
 *
 * <p>Recovery: MapDB replays or discards its write-ahead log on open, so a reopened store holds
 * exactly the committed batches; the open then decodes every batch, checking its CRC and that the
 * batches are consecutive, and refuses a corrupt file rather than serving a torn log.
 *
 * <p>Errors: any MapDB failure (disk full, I/O error) becomes an {@link IOException}; after one the
 * store refuses further writes, since memory and disk may disagree, and the driver stops the node.
 */
public final class MapDbLogStore implements LogStore {

    static final String FILE_NAME = "raft-log.db";

    private static final Logger log = LoggerFactory.getLogger(MapDbLogStore.class);

    private final Path file;
    private final DirectoryLock lock;
    private final DB db;
    private final BTreeMap<Long, byte[]> batches;
    private final BTreeMap<String, String> meta;
    private final Atomic.Var<byte[]> hardStateRecord;
    private final BatchCache cache;
    private final FileStore disk;
    private final long minFreeBytes;
    /** First index of every stored batch -> its number of entries. */
    private final TreeMap<Long, Integer> batchSizes = new TreeMap<>();
    /** Index where a run of equal terms starts -> that term. */
    private final TreeMap<Long, Long> termStarts = new TreeMap<>();

    private long firstIndex;
    private long lastIndex;
    /** The term of {@code firstIndex - 1}, kept when the prefix is compacted. */
    private long compactedTerm;
    private HardState hardState;
    private IOException failure;
    private boolean closed;

    private MapDbLogStore(Path file, DirectoryLock lock, DB db, MapDbSettings settings) throws IOException {
        this.file = file;
        this.lock = lock;
        this.db = db;
        this.batches = db.treeMap("batches", Serializer.LONG, Serializer.BYTE_ARRAY)
                .valuesOutsideNodesEnable().createOrOpen();
        this.meta = db.treeMap("meta", Serializer.STRING, Serializer.STRING).createOrOpen();
        this.hardStateRecord = db.atomicVar("hard-state", Serializer.BYTE_ARRAY).createOrOpen();
        this.cache = new BatchCache(settings.readCacheBatches());
        this.disk = Files.getFileStore(file);
        this.minFreeBytes = settings.minFreeBytes() == 0 ? 0 : settings.minFreeBytes() + settings.allocateIncrementBytes();
    }

    /**
     * Opens the store in {@code dataDir}, creating it when the directory holds no store yet.
     *
     * @throws IOException naming the path and the problem: the directory is not usable, is locked by
     *                     another process, belongs to another node or cluster, has a newer format, or is corrupt
     */
    public static MapDbLogStore open(Path dataDir, String clusterId, String nodeId, MapDbSettings settings) throws IOException {
        createDirectory(dataDir);
        DirectoryLock lock = DirectoryLock.acquire(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        DB db = null;
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new IOException("log store " + file + " is not a regular file");
            }
            db = makeDb(file, settings);
            MapDbLogStore store = new MapDbLogStore(file, lock, db, settings);
            store.recover(clusterId, nodeId);
            return store;
        } catch (IOException | RuntimeException | AssertionError e) {
            closeQuietly(db);
            lock.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("log store " + file + " is corrupt or unreadable: " + e, e);
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

    private static DB makeDb(Path file, MapDbSettings settings) {
        return DBMaker.fileDB(file.toFile())
                .transactionEnable()
                .fileChannelEnable()
                .allocateIncrement(settings.allocateIncrementBytes())
                .fileLockDisable()
                .make();
    }

    private void recover(String clusterId, String nodeId) throws IOException {
        if (meta.isEmpty()) {
            if (!batches.isEmpty() || hardStateRecord.get() != null) {
                throw new IOException("log store " + file + " is corrupt: it holds log records but no metadata");
            }
            // A file without metadata was never committed to: creating it cannot lose an acknowledged write.
            StoreMetadata.initialise(meta, clusterId, nodeId);
            db.commit();
            log.info("created log store {} for node {} of cluster {}", file, nodeId, clusterId);
        }
        StoreMetadata.check(meta, file, clusterId, nodeId);
        firstIndex = StoreMetadata.number(meta, StoreMetadata.FIRST_INDEX_KEY, file);
        compactedTerm = StoreMetadata.number(meta, StoreMetadata.COMPACTED_TERM_KEY, file);
        lastIndex = firstIndex - 1;
        termStarts.put(firstIndex - 1, compactedTerm);
        for (Map.Entry<Long, byte[]> stored : batches.entrySet()) {
            List<LogEntry> entries = decode(stored.getKey(), stored.getValue());
            long key = stored.getKey();
            boolean continues = batchSizes.isEmpty() ? key <= firstIndex : key == lastIndex + 1;
            if (!continues) {
                throw new IOException("log store " + file + " is corrupt: batch at index " + key
                        + " does not follow the log ending at " + lastIndex + " (first index " + firstIndex + ")");
            }
            batchSizes.put(key, entries.size());
            lastIndex = key + entries.size() - 1;
            for (LogEntry e : entries) {
                if (e.index() >= firstIndex) {
                    noteTerm(e.index(), e.term());
                }
            }
        }
        if (lastIndex < firstIndex - 1) {
            throw new IOException("log store " + file + " is corrupt: the log ends at " + lastIndex
                    + " before its first index " + firstIndex);
        }
        byte[] rawState = hardStateRecord.get();
        hardState = rawState == null ? HardState.INITIAL : decodeHardState(rawState);
        log.info("opened log store {}: entries {}..{}, {}", file, firstIndex, lastIndex, hardState);
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
        checkFreeSpace(batch.size() * 2L * (batch.get(0).sizeInBytes() + 16));
        List<LogEntry> keptPrefix = null;
        Long straddling = null;
        try {
            if (from <= lastIndex) {
                // §5.3: a conflicting suffix is deleted before the new entries are stored, in the same commit.
                straddling = batchSizes.floorKey(from);
                if (straddling != null && straddling < from) {
                    keptPrefix = read(straddling).subList(0, (int) (from - straddling));
                    batches.put(straddling, BatchCodec.encodeBatch(keptPrefix));
                }
                for (Long key : batchSizes.tailMap(from, true).keySet()) {
                    batches.remove(key);
                }
            }
            batches.put(from, BatchCodec.encodeBatch(batch));
            db.commit();
        } catch (RuntimeException e) {
            throw fail("append of entries " + from + ".." + (from + entries.size() - 1), e);
        }
        if (from <= lastIndex) {
            batchSizes.tailMap(from, true).clear();
            termStarts.tailMap(from, true).clear();
            cache.removeFrom(from);
            if (keptPrefix != null) {
                batchSizes.put(straddling, keptPrefix.size());
                cache.put(straddling, List.copyOf(keptPrefix));
            }
        }
        batchSizes.put(from, batch.size());
        for (LogEntry e : batch) {
            noteTerm(e.index(), e.term());
        }
        cache.put(from, batch);
        lastIndex = from + batch.size() - 1;
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
        Long key = batchSizes.floorKey(fromIndex);
        while (key != null && key <= to) {
            List<LogEntry> batch = read(key);
            int start = (int) Math.max(0, fromIndex - key);
            int end = (int) Math.min(batch.size(), to - key + 1);
            for (int i = start; i < end; i++) {
                LogEntry e = batch.get(i);
                bytes += e.sizeInBytes();
                if (bytes > maxBytes && !out.isEmpty()) {
                    return out;
                }
                out.add(e);
            }
            key = batchSizes.higherKey(key);
        }
        return out;
    }

    @Override
    public long term(long index) {
        if (index == firstIndex - 1) {
            return compactedTerm;
        }
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
    public void saveHardState(HardState state) throws IOException {
        checkUsable();
        checkFreeSpace(4096);
        try {
            hardStateRecord.set(BatchCodec.encodeHardState(state));
            db.commit();
        } catch (RuntimeException e) {
            throw fail("saving " + state, e);
        }
        hardState = state;
    }

    @Override
    public HardState loadHardState() throws IOException {
        checkOpen();
        return hardState;
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
        checkFreeSpace(4096);
        long termAtIndex = term(index);
        List<Long> discarded = new ArrayList<>();
        for (Map.Entry<Long, Integer> b : batchSizes.headMap(index, true).entrySet()) {
            if (b.getKey() + b.getValue() - 1 <= index) {
                discarded.add(b.getKey());
            }
        }
        try {
            for (Long key : discarded) {
                batches.remove(key);
            }
            meta.put(StoreMetadata.FIRST_INDEX_KEY, Long.toString(index + 1));
            meta.put(StoreMetadata.COMPACTED_TERM_KEY, Long.toString(termAtIndex));
            db.commit();
        } catch (RuntimeException e) {
            throw fail("compaction up to " + index, e);
        }
        for (Long key : discarded) {
            batchSizes.remove(key);
            cache.remove(key);
        }
        firstIndex = index + 1;
        compactedTerm = termAtIndex;
        termStarts.headMap(index, true).clear();
        termStarts.put(index, termAtIndex);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            db.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                throw new IOException("log store " + file + ": close failed: " + e, e);
            }
            // After a failed commit closing may fail too; the first failure was already reported.
        } finally {
            lock.close();
        }
    }

    /** The path of the MapDB file, for messages and tests. */
    public Path file() {
        return file;
    }

    private void noteTerm(long index, long term) {
        Map.Entry<Long, Long> run = termStarts.floorEntry(index - 1);
        if (run == null || run.getValue() != term) {
            termStarts.put(index, term);
        }
    }

    private List<LogEntry> read(long key) throws IOException {
        List<LogEntry> cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] raw;
        try {
            raw = batches.get(key);
        } catch (RuntimeException e) {
            throw fail("reading the batch at index " + key, e);
        }
        if (raw == null) {
            throw new IOException("log store " + file + " is corrupt: the batch at index " + key + " is missing");
        }
        List<LogEntry> decoded = decode(key, raw);
        cache.put(key, decoded);
        return decoded;
    }

    private List<LogEntry> decode(long key, byte[] raw) throws IOException {
        try {
            return BatchCodec.decodeBatch(key, raw);
        } catch (CorruptRecordException e) {
            throw new IOException("log store " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    private HardState decodeHardState(byte[] raw) throws IOException {
        try {
            return BatchCodec.decodeHardState(raw);
        } catch (CorruptRecordException e) {
            throw new IOException("log store " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    private IOException fail(String what, RuntimeException cause) {
        failure = new IOException("log store " + file + ": " + what + " failed: " + cause, cause);
        log.error("log store {} failed; refusing further writes", file, failure);
        return failure;
    }

    /**
     * Refuses a write that would leave less than the reserve free. MapDB 3.1 hitting ENOSPC in the
     * middle of a commit corrupted the previously committed record, so the store stops before that.
     */
    private void checkFreeSpace(long roughBytes) throws IOException {
        if (minFreeBytes == 0) {
            return;
        }
        long usable = disk.getUsableSpace();
        if (usable - roughBytes * 3 < minFreeBytes) {
            throw new IOException("log store " + file + ": disk full: " + (usable >> 20) + " MiB free, the store keeps "
                    + (minFreeBytes >> 20) + " MiB in reserve (option " + MapDbSettings.MIN_FREE_MB + " plus "
                    + MapDbSettings.ALLOCATE_INCREMENT_MB + "); free space and restart the node");
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("log store " + file + " is closed");
        }
    }

    private void checkUsable() throws IOException {
        checkOpen();
        if (failure != null) {
            throw new IOException("log store " + file + " refuses writes after an earlier failure: " + failure.getMessage(), failure);
        }
    }

    private static void closeQuietly(DB db) {
        if (db != null) {
            try {
                db.close();
            } catch (RuntimeException ignored) {
                // Opening already failed; that error is the one reported.
            }
        }
    }
}
