package io.raftkit.storage.mapdb;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link SnapshotStore}: each snapshot is a MapDB {@code SortedTableMap} written once
 * in key order (records) or its transfer stream as it is (bytes), in {@code <dataDir>/snapshots}.
 *
 * <p>A snapshot is made durable in this order, each step safe to crash after: its data files are
 * written under temporary names and forced; they are renamed to the snapshot's names and the
 * directory is forced; then its meta file, which records each data file's length and CRC32C, is
 * written through a forced temporary file, renamed and the directory forced. A snapshot exists
 * exactly when its meta file does: opening deletes temporary files and data files without a meta
 * file, which a crash left. Only then are snapshots beyond the retention deleted, meta file first.
 *
 * <p>Opening checks the data files of the newest snapshot against its meta file, and of each older
 * one in turn only while none newer checked out. A damaged snapshot (a flipped byte, a truncated or
 * missing file) is left where it is, for the operator, with a warning naming the file, and the store
 * falls back to the newest valid one; when snapshots exist and none is valid, opening refuses with an
 * {@link IOException} naming them. The older snapshots kept behind a valid one are listed unchecked:
 * a later open checks them if every newer one has failed by then, and a sender's stream checks
 * what it sends.
 */
public final class MapDbSnapshotStore implements SnapshotStore {

    static final String DIRECTORY = "snapshots";
    static final String TEMP = ".tmp";
    static final String BUILD_PREFIX = "build-";
    static final String RECEIVE_PREFIX = "receive-";

    private static final Logger log = LoggerFactory.getLogger(MapDbSnapshotStore.class);

    private final SnapshotEnvironment env;
    private final Path dir;
    private final String clusterId;
    private final int kept;
    private final long writeBackBytes;
    private final DirectoryLock lock;
    /** Valid snapshots by id. */
    private final Map<String, StoredSnapshot> snapshots = new TreeMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private boolean closed;

    private MapDbSnapshotStore(SnapshotEnvironment env, Path dir, String clusterId, SnapshotSettings settings, DirectoryLock lock) {
        this.env = env;
        this.dir = dir;
        this.clusterId = clusterId;
        this.kept = settings.kept();
        this.writeBackBytes = settings.writeBackBytes();
        this.lock = lock;
    }

    /** Every how many bytes a snapshot written here is forced in the background ({@link WriteBack}). */
    long writeBackBytes() {
        return writeBackBytes;
    }

    /** Opens the store in {@code <dataDir>/snapshots}, creating it when missing. */
    public static MapDbSnapshotStore open(Path dataDir, String clusterId, SnapshotSettings settings) throws IOException {
        return open(SnapshotEnvironment.PRODUCTION, dataDir, clusterId, settings);
    }

    static MapDbSnapshotStore open(SnapshotEnvironment env, Path dataDir, String clusterId, SnapshotSettings settings)
            throws IOException {
        Disk disk = env.disk();
        Path dir = dataDir.resolve(DIRECTORY);
        if (disk.exists(dir) && !disk.isDirectory(dir)) {
            throw new IOException("snapshot directory " + dir + " is not a directory");
        }
        List<Path> created = DurableFiles.createDirectories(disk, dir);
        // Always, not only when this call created the directory: a process killed between creating it
        // and forcing its parent leaves a name that only the page cache holds, and this open would find
        // it "already there"; a power loss then took every snapshot committed since with it (found by
        // the snapshot fault model in CI, seed 21040493487854). A few directory fsyncs per open.
        if (!created.isEmpty() || !KnownBug.SNAPSHOT_DIRECTORY_TRUSTED_ON_REOPEN.reintroduced()) {
            DurableFiles.forceAncestors(disk, dir, created);
        }
        DirectoryLock lock = DirectoryLock.acquire(disk, dir);
        MapDbSnapshotStore store = new MapDbSnapshotStore(env, dir, clusterId, settings, lock);
        try {
            store.recover();
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        return store;
    }

    private void recover() throws IOException {
        Disk disk = env.disk();
        // After a process crash the page cache can hold the name of a meta file renamed into place whose
        // directory was never forced: this store is about to count that snapshot as durable (and the
        // driver to compact its log after it), so a power loss must not take the name back (found by the
        // snapshot fault model: a snapshot opened, then lost with its name in a machine crash).
        disk.forceDirectory(dir);
        List<Path> metas = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        for (Path p : disk.list(dir)) {
            String name = p.getFileName().toString();
            if (name.equals(DirectoryLock.FILE_NAME)) {
                continue;
            }
            if (name.startsWith(StoredSnapshot.PREFIX) && name.endsWith(StoredSnapshot.META)) {
                metas.add(p);
            } else {
                others.add(p);
            }
        }
        List<String> damaged = new ArrayList<>();
        List<String> described = new ArrayList<>();
        List<StoredSnapshot> loaded = new ArrayList<>();
        for (Path metaFile : metas) {
            String name = metaFile.getFileName().toString();
            described.add(name.substring(0, name.length() - StoredSnapshot.META.length()));
            try {
                loaded.add(load(metaFile));
            } catch (InvalidSnapshotException e) {
                damaged.add(name.replace(StoredSnapshot.META, ""));
                log.warn("snapshot store {}: {}; it is left in place for inspection and not used", dir, e.getMessage());
            }
        }
        // Newest first, and only until one checks out: a start needs one valid snapshot, and reading
        // every file of every kept snapshot was a second full read of the state at each restart (the
        // previous snapshot is about as big as the newest: 0.7-2.8 s for two of 1 M keys at load 15,
        // RestorePhases). An older one is checked when every newer one failed, at this open or a later one.
        loaded.sort(Comparator.comparing(StoredSnapshot::meta, NEWEST_FIRST));
        boolean oneValid = false;
        for (StoredSnapshot s : loaded) {
            try {
                if (!oneValid) {
                    s.verify();
                    oneValid = true;
                }
                snapshots.put(s.meta().id(), s);
            } catch (InvalidSnapshotException e) {
                damaged.add(StoredSnapshot.PREFIX + s.meta().id());
                log.warn("snapshot store {}: {}; it is left in place for inspection and not used", dir, e.getMessage());
            }
        }
        boolean deleted = false;
        for (Path p : others) {
            if (isLeftover(p.getFileName().toString(), described)) {
                log.info("snapshot store {}: removing {}, left by an interrupted snapshot (it has no meta file)", dir, p.getFileName());
                disk.delete(p);
                deleted = true;
            }
        }
        if (deleted) {
            disk.forceDirectory(dir);
        }
        if (snapshots.isEmpty() && !damaged.isEmpty()) {
            throw new IOException("snapshot store " + dir + " holds no valid snapshot: " + String.join(", ", damaged)
                    + " failed their checks (see the warnings above). Nothing was changed. Restore the directory from a copy,"
                    + " or move it aside to start this node without a snapshot (it then needs its log or a leader's snapshot)");
        }
        latest().ifPresentOrElse(m -> log.info("opened snapshot store {}: newest snapshot {} (index {}, term {}), {} in all", dir,
                m.id(), m.lastIncludedIndex(), m.lastIncludedTerm(), snapshots.size()),
                () -> log.info("opened snapshot store {}: no snapshot yet", dir));
    }

    /**
     * A temporary file, or a data file of a snapshot with no meta file; {@code described} holds the
     * {@code snapshot-<id>} stem of every meta file, valid or damaged (a damaged one's files are
     * kept for inspection).
     */
    private static boolean isLeftover(String name, List<String> described) {
        if (name.endsWith(TEMP)) {
            return true;
        }
        if (!name.startsWith(StoredSnapshot.PREFIX)) {
            return false;
        }
        for (String stem : described) {
            if (name.startsWith(stem + ".")) {
                return false;
            }
        }
        return true;
    }

    private StoredSnapshot load(Path metaFile) throws IOException {
        byte[] raw;
        try (DiskFile f = env.disk().open(metaFile, false)) {
            long size = f.size();
            if (size > SnapshotMetaFile.maxBytes()) {
                throw new InvalidSnapshotException("snapshot meta file " + metaFile + " is damaged: it has " + size + " bytes");
            }
            raw = new byte[(int) size];
            f.read(ByteBuffer.wrap(raw), 0);
        }
        SnapshotMetaFile.Contents contents = SnapshotMetaFile.decode(metaFile, raw);
        if (!contents.clusterId().equals(clusterId)) {
            throw new IOException("snapshot " + metaFile + " belongs to cluster " + contents.clusterId() + ", not to "
                    + clusterId + "; refusing to use another cluster's snapshots");
        }
        String expected = StoredSnapshot.metaPath(dir, contents.meta().id()).getFileName().toString();
        if (!metaFile.getFileName().toString().equals(expected)) {
            throw new InvalidSnapshotException("snapshot meta file " + metaFile + " is damaged: it describes snapshot "
                    + contents.meta().id());
        }
        return new StoredSnapshot(env, dir, contents);
    }

    @Override
    public synchronized Optional<SnapshotMeta> latest() {
        return sorted().stream().findFirst();
    }

    @Override
    public synchronized List<SnapshotMeta> list() {
        return sorted();
    }

    private static final Comparator<SnapshotMeta> NEWEST_FIRST = Comparator.comparingLong(SnapshotMeta::lastIncludedIndex)
            .thenComparingLong(SnapshotMeta::lastIncludedTerm).thenComparing(SnapshotMeta::id).reversed();

    private List<SnapshotMeta> sorted() {
        return snapshots.values().stream().map(StoredSnapshot::meta).sorted(NEWEST_FIRST).toList();
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        checkOpen();
        if (lastIncludedIndex < 1 || lastIncludedTerm < 1) {
            throw new IllegalArgumentException("a snapshot's last included index and term must be >= 1, were "
                    + lastIncludedIndex + " and " + lastIncludedTerm);
        }
        return new LocalSnapshotBuilder(this, BUILD_PREFIX + tokens.incrementAndGet(), lastIncludedIndex, lastIncludedTerm,
                config, kind);
    }

    /** Opened under the lock, so retention cannot delete the files between finding the snapshot and opening them. */
    @Override
    public synchronized SnapshotReader read(String id) throws IOException {
        return find(id).reader();
    }

    @Override
    public synchronized InputStream openStream(String id) throws IOException {
        return find(id).transferStream();
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
        checkOpen();
        return new ReceivedSnapshot(this, meta);
    }

    private synchronized StoredSnapshot find(String id) throws IOException {
        checkOpen();
        StoredSnapshot s = snapshots.get(id);
        if (s == null) {
            throw new NoSuchElementException("snapshot store " + dir + " holds no snapshot " + id + "; it holds " + snapshots.keySet());
        }
        return s;
    }

    SnapshotEnvironment env() {
        return env;
    }

    Path dir() {
        return dir;
    }

    /**
     * Makes a snapshot whose data files are written and forced under temporary names durable:
     * renames them ({@code temporary suffix -> final suffix}), forces the directory, writes the meta
     * file, then applies the retention. A snapshot of the same id already stored (the same content)
     * wins and the temporary files are deleted.
     */
    synchronized SnapshotMeta commit(SnapshotMeta meta, Map<Path, String> dataFiles) throws IOException {
        return commit(meta, dataFiles, Map.of());
    }

    /**
     * {@link #commit(SnapshotMeta, Map)}, taking the CRC32C of the files in {@code knownCrc32c} as
     * computed over the bytes while they were written (an opaque snapshot's stream file is its
     * transfer stream, whose checksum the snapshot's meta already holds), instead of reading each
     * file back: a 512 MiB transfer read its file once more for nothing. Opening checks the files
     * on disk against these values as against any others.
     */
    synchronized SnapshotMeta commit(SnapshotMeta meta, Map<Path, String> dataFiles, Map<Path, Long> knownCrc32c)
            throws IOException {
        checkOpen();
        Disk disk = env.disk();
        if (KnownBug.SNAPSHOT_PREVIOUS_DELETED_FIRST.reintroduced()) {
            applyRetention(null, kept - 1);
        }
        StoredSnapshot existing = snapshots.get(meta.id());
        if (existing != null) {
            for (Path temp : dataFiles.keySet()) {
                disk.delete(temp);
            }
            return existing.meta();
        }
        List<SnapshotMetaFile.DataFile> files = new ArrayList<>();
        for (Map.Entry<Path, String> f : dataFiles.entrySet()) {
            String name = StoredSnapshot.PREFIX + meta.id() + f.getValue();
            try (DiskFile file = disk.open(f.getKey(), false)) {
                Long known = knownCrc32c.get(f.getKey());
                files.add(new SnapshotMetaFile.DataFile(name, file.size(), known != null ? known : DiskStreams.crc32c(file)));
            }
            disk.rename(f.getKey(), dir.resolve(name));
        }
        disk.forceDirectory(dir);
        SnapshotMetaFile.Contents contents = new SnapshotMetaFile.Contents(clusterId, meta, List.copyOf(files));
        byte[] raw = SnapshotMetaFile.encode(contents);
        DurableFiles.createAtomically(disk, StoredSnapshot.metaPath(dir, meta.id()), out -> out.write(ByteBuffer.wrap(raw), 0));
        snapshots.put(meta.id(), new StoredSnapshot(env, dir, contents));
        log.info("snapshot store {}: snapshot {} is durable (index {}, term {}, {} bytes)", dir, meta.id(),
                meta.lastIncludedIndex(), meta.lastIncludedTerm(), meta.sizeBytes());
        applyRetention(meta.id(), kept);
        return meta;
    }

    /**
     * Deletes the snapshots beyond the newest {@code keep}, never {@code justMade}: meta file first
     * (from then on the snapshot does not exist), then its data files.
     */
    private void applyRetention(String justMade, int keep) throws IOException {
        List<SnapshotMeta> all = sorted();
        List<StoredSnapshot> doomed = new ArrayList<>();
        for (int i = keep; i < all.size(); i++) {
            if (!all.get(i).id().equals(justMade)) {
                doomed.add(snapshots.get(all.get(i).id()));
            }
        }
        if (doomed.isEmpty()) {
            return;
        }
        Disk disk = env.disk();
        for (StoredSnapshot s : doomed) {
            snapshots.remove(s.meta().id());
            disk.delete(s.metaFile());
        }
        disk.forceDirectory(dir);
        for (StoredSnapshot s : doomed) {
            for (Path p : s.files().subList(1, s.files().size())) {
                if (disk.exists(p)) {
                    disk.delete(p);
                }
            }
            log.info("snapshot store {}: deleted snapshot {} (index {}), older than the {} kept", dir, s.meta().id(),
                    s.meta().lastIncludedIndex(), kept);
        }
        disk.forceDirectory(dir);
    }

    synchronized void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("snapshot store " + dir + " is closed");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        lock.close();
    }
}
