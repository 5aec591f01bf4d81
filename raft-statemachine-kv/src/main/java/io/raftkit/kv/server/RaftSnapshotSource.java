package io.raftkit.kv.server;

import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.KvCodec;
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

    /** Any query will do: only the read barrier before its answer matters. */
    private static final byte[] BARRIER = KvCodec.encodeGet("raftkit-snapshot-barrier");

    private final RaftServer raft;
    private final SnapshotStore store;

    RaftSnapshotSource(RaftServer raft, SnapshotStore store) {
        this.raft = raft;
        this.store = store;
    }

    /**
     * A snapshot that holds every write acknowledged before the request, on whichever node is asked:
     * first a linearizable read (ReadIndex: on a follower too, this waits until the node has applied
     * what the leader had committed), then the snapshot. The Raft server answers a request that finds
     * a snapshot under way with that one, which can be older; then it asks again (found by
     * RestoreIntoFreshClusterTest: a follower's snapshot missed the write made just before).
     */
    @Override
    public CompletableFuture<SnapshotMeta> takeSnapshot() {
        return raft.read(BARRIER).thenCompose(ignored -> {
            long applied = raft.status().appliedIndex();
            return covering(applied, 3);
        });
    }

    private CompletableFuture<SnapshotMeta> covering(long index, int attempts) {
        return raft.takeSnapshot().thenCompose(meta -> meta.lastIncludedIndex() >= index || attempts <= 1
                ? CompletableFuture.completedFuture(meta)
                : covering(index, attempts - 1));
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
