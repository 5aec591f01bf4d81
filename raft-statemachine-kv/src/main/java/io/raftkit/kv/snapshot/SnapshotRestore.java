package io.raftkit.kv.snapshot;

import io.raftkit.api.HardState;
import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Seeds a new node's data directory from a {@link SnapshotFile} ({@code raft-kv snapshot restore}),
 * the way etcd's {@code snapshot restore} seeds a member: the snapshot goes into the node's snapshot
 * store exactly as a leader's InstallSnapshot would put it there ({@link SnapshotStore#receive},
 * checksum checked again on install), and the log store is reset to start after the snapshot's
 * last included entry ({@link LogStore#reset}). The hard state records the snapshot's term and its
 * index as committed: a snapshot holds only committed entries (§7), and a node's term is never
 * below its last entry's.
 *
 * <p>Refuses, changing nothing: a damaged file, a node id not among the snapshot's members (the
 * configuration comes with the snapshot; restore every member of it, each under its own id), and a
 * data directory that exists and is not empty. A failure half-way removes what it wrote, so the
 * directory is empty again for another try.
 */
public final class SnapshotRestore {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotRestore.class);

    private SnapshotRestore() {
    }

    /** What the restore needs to open the node's stores as the server will. */
    public record Target(Path dataDir, NodeId id, String clusterId, String logStore, String snapshotStore) {
    }

    public static SnapshotMeta restore(Path file, Target target) throws IOException {
        for (String plugin : List.of(target.logStore(), target.snapshotStore())) {
            if (plugin.equals("memory")) {
                throw new IllegalArgumentException("a memory store keeps nothing after this command exits: restore into the"
                        + " durable stores the server will use (default mapdb)");
            }
        }
        SnapshotFileStatus status = SnapshotFileStatus.inspect(file);
        if (!status.ok()) {
            throw new InvalidSnapshotException(file + " is damaged, nothing was restored: " + status.problem().orElse("checksum mismatch"));
        }
        SnapshotMeta meta = status.meta();
        if (!meta.config().members().contains(target.id())) {
            throw new IllegalArgumentException("node " + target.id() + " is not a member of the snapshot's configuration "
                    + meta.config().members().stream().map(NodeId::value).toList()
                    + "; restore each of those members under its own id (--id)");
        }
        Path dir = target.dataDir();
        boolean existed = Files.exists(dir);
        if (existed && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--data-dir " + dir + " is not a directory");
        }
        if (existed) {
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> names = entries.limit(5).map(p -> p.getFileName().toString()).toList();
                if (!names.isEmpty()) {
                    throw new IllegalArgumentException("--data-dir " + dir + " is not empty (it holds " + names
                            + "); restore seeds a new node: give an empty or missing directory");
                }
            }
        }
        Files.createDirectories(dir);
        try {
            installSnapshot(file, meta, target);
            resetLog(meta, target);
            return meta;
        } catch (IOException | RuntimeException e) {
            removeContents(dir, existed);
            throw e;
        }
    }

    private static void installSnapshot(Path file, SnapshotMeta meta, Target target) throws IOException {
        SnapshotStoreConfig config = new SnapshotStoreConfig(target.id(), target.clusterId(), target.dataDir(), Options.EMPTY,
                Resources.EMPTY);
        try (SnapshotStore store = Plugins.snapshotStore(target.snapshotStore()).open(config);
             InputStream in = new BufferedInputStream(Files.newInputStream(file), 256 * 1024)) {
            SnapshotMeta read = SnapshotFile.readHeader(in, file.toString());
            if (!read.equals(meta)) {
                throw new InvalidSnapshotException(file + " changed while it was being restored");
            }
            try (SnapshotStore.SnapshotReceiver receiver = store.receive(meta)) {
                byte[] chunk = new byte[1024 * 1024];
                long offset = 0;
                while (offset < meta.sizeBytes()) {
                    int n = in.readNBytes(chunk, 0, (int) Math.min(chunk.length, meta.sizeBytes() - offset));
                    if (n == 0) {
                        throw new InvalidSnapshotException(file + " ended after " + offset + " of " + meta.sizeBytes() + " stream bytes");
                    }
                    receiver.write(offset, n == chunk.length ? chunk.clone() : java.util.Arrays.copyOf(chunk, n));
                    offset += n;
                }
                receiver.install();
            }
        }
    }

    private static void resetLog(SnapshotMeta meta, Target target) throws IOException {
        LogStoreConfig config = new LogStoreConfig(target.id(), target.clusterId(), target.dataDir(), Options.EMPTY, Resources.EMPTY);
        try (LogStore log = Plugins.logStore(target.logStore()).open(config)) {
            log.reset(meta.lastIncludedIndex(), meta.lastIncludedTerm());
            log.saveHardState(new HardState(meta.lastIncludedTerm(), null, meta.lastIncludedIndex()));
        }
    }

    /** Deletes what a failed restore wrote below {@code dir} (which was empty), and {@code dir} unless it existed. */
    private static void removeContents(Path dir, boolean keepDir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!keepDir || !p.equals(dir)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // The original failure is what the operator needs; this one is named beside it.
            LOG.warn("could not clean up {} after the failed restore: {}", dir, e.toString());
        }
    }
}
