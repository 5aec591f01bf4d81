package io.raftkit.kv.snapshot;

import io.raftkit.api.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the HTTP snapshot endpoints ({@code GET} and {@code POST /v1/snapshot}) need from the node:
 * its Raft server's snapshots. The server wiring satisfies it from {@code RaftServer.takeSnapshot()}
 * and the node's {@link io.raftkit.api.spi.SnapshotStore}; until the core offers those, a node has
 * none and the endpoints answer 501 {@code snapshots-unavailable}.
 *
 * <p>Threads: called from Vert.x event loop threads ({@link #takeSnapshot}, {@link #latest}) and
 * from a worker thread ({@link #openStream}); must not block in the first two.
 */
public interface SnapshotSource {

    /**
     * Asks the node to take a snapshot now ({@code RaftServer.takeSnapshot()}); completes with its
     * metadata once it is durable, or exceptionally with why not (node stopped, disk error).
     */
    CompletableFuture<SnapshotMeta> takeSnapshot();

    /** The newest durable snapshot, if any ({@code SnapshotStore.latest()}). */
    Optional<SnapshotMeta> latest();

    /**
     * The snapshot's transfer stream ({@code SnapshotStore.openStream(id)}): exactly
     * {@link SnapshotMeta#sizeBytes()} bytes. Stays readable if the snapshot is deleted meanwhile.
     */
    InputStream openStream(String id) throws IOException;
}
