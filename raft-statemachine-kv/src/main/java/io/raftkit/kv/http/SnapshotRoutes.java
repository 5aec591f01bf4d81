package io.raftkit.kv.http;

import io.raftkit.api.SnapshotMeta;
import io.raftkit.kv.snapshot.SnapshotFile;
import io.raftkit.kv.snapshot.SnapshotSource;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/snapshot}: the node's newest snapshot as a {@link SnapshotFile} (what
 * {@code raft-kv snapshot save} stores), streamed from the snapshot store in 64 KiB pieces read on a
 * worker thread, never whole in the heap; {@code Content-Length} is exact, so a transfer cut short
 * is visible to the client. {@code POST /v1/snapshot}: takes a snapshot now and answers its
 * metadata once it is durable. Both need a {@link SnapshotSource}; a node without one answers 501.
 */
final class SnapshotRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRoutes.class);
    static final String SNAPSHOT_ID = "X-Raftkit-Snapshot-Id";
    private static final int PIECE_BYTES = 64 * 1024;

    private final Vertx vertx;
    private volatile SnapshotSource source;

    SnapshotRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    void source(SnapshotSource source) {
        this.source = source;
    }

    Optional<SnapshotSource> source() {
        return Optional.ofNullable(source);
    }

    void get(RoutingContext ctx) {
        SnapshotSource s = source;
        if (s == null) {
            unavailable(ctx);
            return;
        }
        Optional<SnapshotMeta> latest = s.latest();
        if (latest.isEmpty()) {
            Responses.error(ctx, ApiError.rejected(404, "no-snapshot",
                    "this node holds no snapshot yet; POST /v1/snapshot takes one"));
            return;
        }
        SnapshotMeta meta = latest.get();
        byte[] header = SnapshotFile.header(meta);
        vertx.<InputStream>executeBlocking(() -> s.openStream(meta.id())).onComplete(opened -> {
            if (opened.failed()) {
                LOG.warn("GET /v1/snapshot: snapshot {} could not be opened: {}", meta.id(), opened.cause().toString());
                Responses.error(ctx, ApiError.rejected(500, "snapshot-unreadable", "snapshot " + meta.id()
                        + " could not be opened: " + opened.cause().getMessage()));
                return;
            }
            HttpServerResponse response = ctx.response();
            if (response.closed()) {
                closeQuietly(opened.result());
                return;
            }
            response.putHeader(HttpHeaders.CONTENT_TYPE, SnapshotFile.CONTENT_TYPE)
                    .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(header.length + meta.sizeBytes()))
                    .putHeader(SNAPSHOT_ID, meta.id());
            response.write(Buffer.buffer(header));
            pump(response, opened.result(), meta, meta.sizeBytes());
        });
    }

    /** Copies the rest of the stream, one piece at a time, waiting for the socket when its queue is full. */
    private void pump(HttpServerResponse response, InputStream in, SnapshotMeta meta, long remaining) {
        if (response.closed()) {
            closeQuietly(in);
            return;
        }
        if (remaining == 0) {
            closeQuietly(in);
            response.end();
            return;
        }
        vertx.<byte[]>executeBlocking(() -> in.readNBytes((int) Math.min(PIECE_BYTES, remaining))).onComplete(read -> {
            if (read.failed() || read.result().length == 0) {
                // The head is sent: the only honest signal left is a body shorter than Content-Length.
                LOG.warn("GET /v1/snapshot: reading snapshot {} failed with {} bytes left: {}", meta.id(), remaining,
                        read.failed() ? read.cause().toString() : "its stream ended early");
                closeQuietly(in);
                response.reset();
                return;
            }
            long left = remaining - read.result().length;
            response.write(Buffer.buffer(read.result()));
            if (response.writeQueueFull()) {
                response.drainHandler(v -> pump(response, in, meta, left));
            } else {
                pump(response, in, meta, left);
            }
        });
    }

    void post(RoutingContext ctx) {
        SnapshotSource s = source;
        if (s == null) {
            unavailable(ctx);
            return;
        }
        Context context = vertx.getOrCreateContext();
        s.takeSnapshot().whenComplete((meta, failure) -> context.runOnContext(v -> {
            if (failure == null) {
                Responses.json(ctx, 200, SnapshotFile.metaJson(meta));
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            LOG.warn("POST /v1/snapshot failed: {}", cause.toString());
            Responses.error(ctx, ApiError.rejected(503, "snapshot-failed", "the node took no snapshot: " + cause.getMessage()));
        }));
    }

    /** The newest snapshot for {@code /v1/status}, or null when there is none or no source. */
    JsonObject status() {
        SnapshotSource s = source;
        return s == null ? null : s.latest().map(SnapshotFile::metaJson).orElse(null);
    }

    private static void unavailable(RoutingContext ctx) {
        Responses.error(ctx, ApiError.rejected(501, "snapshots-unavailable",
                "this node takes no snapshots: its Raft server offers none to the HTTP API"));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("closing a snapshot stream: {}", e.toString());
        }
    }
}
