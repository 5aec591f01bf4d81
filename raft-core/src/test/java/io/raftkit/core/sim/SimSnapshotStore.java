package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.core.memory.MemorySnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A simulated node's snapshots, across its incarnations: a {@link MemorySnapshotStore} that a
 * crash does not empty (what was committed or installed is durable, what was being written is
 * lost with the process, since its worker's tasks never run again). A crash may strike right after
 * a snapshot became durable, before the node learned it: after a save (the log is then not
 * compacted) and after an install (no reply, the log not reset, the state machine not restored),
 * where recovery at the next start has its work to do.
 */
final class SimSnapshotStore implements SnapshotStore {

    private final SimNode node;
    private final SimCluster cluster;
    private final MemorySnapshotStore stored = new MemorySnapshotStore();

    SimSnapshotStore(SimNode node, SimCluster cluster) {
        this.node = node;
        this.cluster = cluster;
    }

    @Override
    public Optional<SnapshotMeta> latest() {
        return stored.latest();
    }

    @Override
    public List<SnapshotMeta> list() {
        return stored.list();
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        SnapshotBuilder builder = stored.create(lastIncludedIndex, lastIncludedTerm, config, kind);
        int incarnation = node.incarnation;
        return new SnapshotBuilder() {
            @Override
            public void put(byte[] key, byte[] value) throws IOException {
                builder.put(key, value);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                builder.write(bytes, offset, length);
            }

            @Override
            public SnapshotMeta commit() throws IOException {
                if (!node.isAlive(incarnation)) {
                    throw new IOException("the process is gone"); // never runs: a dead incarnation's worker is stopped
                }
                SnapshotMeta meta = builder.commit();
                cluster.snapshotsSaved++;
                cluster.trace("snapshot " + meta.id() + " saved on " + node.id);
                cluster.crashes.atSnapshot(node, "after saving snapshot " + meta.id());
                return meta;
            }

            @Override
            public void close() throws IOException {
                builder.close();
            }
        };
    }

    @Override
    public SnapshotReader read(String id) throws IOException {
        return stored.read(id);
    }

    @Override
    public InputStream openStream(String id) throws IOException {
        return stored.openStream(id);
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
        SnapshotReceiver receiver = stored.receive(meta);
        return new SnapshotReceiver() {
            @Override
            public SnapshotMeta meta() {
                return receiver.meta();
            }

            @Override
            public long nextOffset() {
                return receiver.nextOffset();
            }

            @Override
            public boolean write(long offset, byte[] data) throws IOException {
                return receiver.write(offset, data);
            }

            @Override
            public SnapshotMeta install() throws IOException {
                SnapshotMeta installed = receiver.install();
                cluster.snapshotsInstalled++;
                cluster.trace("snapshot " + installed.id() + " installed on " + node.id);
                cluster.crashes.atSnapshot(node, "after installing snapshot " + installed.id());
                return installed;
            }

            @Override
            public void close() throws IOException {
                receiver.close();
            }
        };
    }

    @Override
    public void close() {
        // the disk outlives the process
    }
}
