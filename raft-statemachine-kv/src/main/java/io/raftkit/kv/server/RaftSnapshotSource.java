package io.raftkit.kv.server;

import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.snapshot.SnapshotSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP snapshot endpoints' view of a node: snapshots are taken by its {@link RaftServer} (so a
 * snapshot on request is the same durable, compacting snapshot the policy takes) and read from the
 * store the server writes them to. The store is safe to read from other threads while the server
 * writes (its methods synchronize, and a stream opened stays readable after retention deletes it).
 */
final class RaftSnapshotSource implements SnapshotSource {

    private final RaftServer raft;
    private final SnapshotStore store;

    RaftSnapshotSource(RaftServer raft, SnapshotStore store) {
        this.raft = raft;
        this.store = store;
    }

    @Override
    public CompletableFuture<SnapshotMeta> takeSnapshot() {
        return raft.takeSnapshot();
    }

    @Override
    public Optional<SnapshotMeta> latest() {
        return store.latest();
    }

    @Override
    public InputStream openStream(String id) throws IOException {
        return store.openStream(id);
    }
}
