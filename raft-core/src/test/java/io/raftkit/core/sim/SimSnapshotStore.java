package io.raftkit.core.sim;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.ForwardingSnapshotStore;
import io.raftkit.core.memory.MemorySnapshotStore;
import java.io.IOException;

/**
 * A simulated node's snapshots, across its incarnations: a {@link MemorySnapshotStore} that a
 * crash does not empty (what was committed or installed is durable, what was being written is
 * lost with the process, since its worker's tasks never run again). A crash may strike right after
 * a snapshot became durable, before the node learned it: after a save (the log is then not
 * compacted) and after an install (no reply, the log not reset, the state machine not restored),
 * where recovery at the next start has its work to do.
 */
final class SimSnapshotStore extends ForwardingSnapshotStore {

    private final SimNode node;
    private final SimCluster cluster;

    SimSnapshotStore(SimNode node, SimCluster cluster) {
        super(new MemorySnapshotStore());
        this.node = node;
        this.cluster = cluster;
    }

    @Override
    public SnapshotBuilder create(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config, SnapshotKind kind)
            throws IOException {
        int incarnation = node.incarnation;
        return new Builder(super.create(lastIncludedIndex, lastIncludedTerm, config, kind)) {
            @Override
            public SnapshotMeta commit() throws IOException {
                if (!node.isAlive(incarnation)) {
                    throw new IOException("the process is gone"); // never runs: a dead incarnation's worker is stopped
                }
                SnapshotMeta meta = super.commit();
                cluster.snapshotsSaved++;
                cluster.trace("snapshot " + meta.id() + " saved on " + node.id);
                cluster.crashes.atSnapshot(node, "after saving snapshot " + meta.id());
                return meta;
            }
        };
    }

    @Override
    public SnapshotReceiver receive(SnapshotMeta meta) throws IOException {
        return new Receiver(super.receive(meta)) {
            @Override
            public SnapshotMeta install() throws IOException {
                SnapshotMeta installed = super.install();
                cluster.snapshotsInstalled++;
                cluster.trace("snapshot " + installed.id() + " installed on " + node.id);
                cluster.crashes.atSnapshot(node, "after installing snapshot " + installed.id());
                return installed;
            }
        };
    }

    @Override
    public void close() {
        // the disk outlives the process
    }
}
