package io.raftkit.kv.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps slow and numerous clients from holding the HTTP server's connections and memory: at most
 * {@link HttpLimits#maxConnections} connections, {@link HttpLimits#maxConnectionsPerAddress} of them
 * from one address (a new one beyond either is closed at once), a request head must be complete
 * within {@link HttpLimits#headerTimeoutMillis} of the connection opening or its previous answer
 * (a slowloris trickling a head is closed then, and so is an idle keep-alive connection), and a
 * body must have arrived within {@link HttpLimits#bodyTimeoutMillis} of its head (else 408), and
 * the bodies being read may together declare at most {@link HttpLimits#bodyBufferBytes} (else 503
 * before reading one): without that, slow bodies of {@code max-body-bytes} on every allowed
 * connection (1,000 x 4 MiB by default) could be buffered at once.
 *
 * <p>Vert.x has no hook for "the first byte of the next request" nor a second response end
 * handler (Vert.x Web takes it), so a sweep checks every connection a few times per timeout.
 * A request being answered is left alone: the Raft request timeout and the forwarder bound it.
 */
final class ConnectionGuard {

    /**
     * What a connection is doing: reading or answering {@code request} (null: waiting for the next
     * head) since {@code sinceNanos}, with {@code reservedBodyBytes} of the body buffer. Replaced
     * whole by compare-and-set, so the sweep, the router's end handler and the close handler never
     * undo each other's work on a keep-alive connection that has moved on to its next request.
     */
    private record Current(HttpServerRequest request, long sinceNanos, long reservedBodyBytes) {
        static Current idle(long nanos) {
            return new Current(null, nanos, 0);
        }
    }

    /** The node's buffer for request bodies, shared with binary-protocol frames that arrive in parts. */
    interface BodyBudget {
        /** Takes {@code bytes} of the buffer, or answers false when they are not free. */
        boolean reserve(long bytes);

        void release(long bytes);
    }

    /** One connection. */
    private static final class Tracked {
        final HttpConnection connection;
        final Context context;
        final String address;
        final AtomicReference<Current> current = new AtomicReference<>(Current.idle(System.nanoTime()));
        final AtomicBoolean released = new AtomicBoolean();
        /** Set once the connection was upgraded to the binary protocol: then its own state is checked. */
        volatile StreamConnection stream;

        Tracked(HttpConnection connection, Context context, String address) {
            this.connection = connection;
            this.context = context;
            this.address = address;
        }
    }

    private final Vertx vertx;
    private final HttpLimits limits;
    private final Map<HttpConnection, Tracked> open = new ConcurrentHashMap<>();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicLong bodyBytesReserved = new AtomicLong();
    private final Counter refusedOverCap;
    private final Counter refusedOverAddressCap;
    private final Counter closedHeaderTimeout;
    private final Counter closedBodyTimeout;
    private final Counter refusedBodyBuffer;
    private long sweepTimer = -1;

    ConnectionGuard(Vertx vertx, HttpLimits limits, MeterRegistry registry, String node) {
        this.vertx = vertx;
        this.limits = limits;
        Gauge.builder("kv_http_connections", total, AtomicInteger::get).description("open HTTP API connections")
                .tag("node", node).register(registry);
        refusedOverCap = closed(registry, node, "max-connections");
        refusedOverAddressCap = closed(registry, node, "max-connections-per-address");
        closedHeaderTimeout = closed(registry, node, "header-timeout");
        closedBodyTimeout = closed(registry, node, "body-timeout");
        refusedBodyBuffer = closed(registry, node, "body-buffer-full");
        Gauge.builder("kv_http_body_buffer_bytes", bodyBytesReserved, AtomicLong::get)
                .description("request body bytes being read, by their declared length").tag("node", node).register(registry);
    }

    private static Counter closed(MeterRegistry registry, String node, String reason) {
        return Counter.builder("kv_http_connections_closed").description("HTTP API connections the server closed to protect itself")
                .tag("node", node).tag("reason", reason).register(registry);
    }

    /** For {@code HttpServer.connectionHandler}: counts the connection, or closes it when over a cap. */
    void onConnection(HttpConnection connection) {
        String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
        int all = total.incrementAndGet();
        int mine = perAddress.merge(address, 1, Integer::sum);
        Tracked tracked = new Tracked(connection, vertx.getOrCreateContext(), address);
        connection.closeHandler(v -> release(tracked));
        if (all > limits.maxConnections() || mine > limits.maxConnectionsPerAddress()) {
            (all > limits.maxConnections() ? refusedOverCap : refusedOverAddressCap).increment();
            connection.close(); // no request was read: nothing to answer
            return;
        }
        open.put(connection, tracked);
    }

    /**
     * Wraps the request handler: the connection's head arrived, its body deadline starts, and its
     * body's bytes are reserved, or it is refused when the buffer is full.
     */
    Handler<HttpServerRequest> track(Handler<HttpServerRequest> next) {
        return request -> {
            Tracked tracked = open.get(request.connection());
            if (tracked == null) {
                request.connection().close(); // closed by a timeout meanwhile, or refused
                return;
            }
            long body = declaredBodyBytes(request);
            if (body > 0 && !reserve(body)) {
                refusedBodyBuffer.increment();
                ApiError busy = ApiError.rejected(503, "busy", "request bodies of " + bodyBytesReserved.get() + " bytes are being"
                        + " read, near this node's limit of " + limits.bodyBufferBytes() + "; this one was not read. Retry shortly");
                request.response().setStatusCode(503).putHeader("Content-Type", "application/json").putHeader("Retry-After", "1")
                        .putHeader("Connection", "close").end(busy.toJson().toBuffer())
                        .onComplete(done -> request.connection().close());
                return;
            }
            // HTTP/1.1 hands a connection's requests over one at a time: the previous one is answered.
            giveBack(tracked.current.getAndSet(new Current(request, System.nanoTime(), Math.max(body, 0))));
            next.handle(request);
        };
    }

    /**
     * For the router's first route: gives the body reservation back as soon as the request is
     * answered. Vert.x Web wraps the request, so the connection's current request is captured here,
     * while it is the one being routed.
     */
    void releaseBodyWhenAnswered(RoutingContext ctx) {
        Tracked tracked = open.get(ctx.request().connection());
        if (tracked != null) {
            Current routed = tracked.current.get();
            ctx.addEndHandler(done -> {
                if (tracked.current.compareAndSet(routed, new Current(routed.request(), routed.sinceNanos(), 0))) {
                    bodyBytesReserved.addAndGet(-routed.reservedBodyBytes());
                }
            });
        }
        ctx.next();
    }

    /**
     * {@code connection} now speaks the binary protocol: from here on the sweep closes it when it idles
     * (nothing in flight) for the header timeout or trickles a frame for longer than the body timeout.
     * Returns what to run when the stream's socket closes (Vert.x may not tell the HTTP connection's
     * close handler once the connection was upgraded), or empty when the connection is no longer
     * tracked (closed meanwhile).
     */
    Optional<Runnable> upgraded(HttpConnection connection, StreamConnection stream) {
        Tracked tracked = open.get(connection);
        if (tracked == null) {
            return Optional.empty();
        }
        tracked.stream = stream;
        giveBack(tracked.current.getAndSet(Current.idle(System.nanoTime())));
        return Optional.of(() -> release(tracked));
    }

    BodyBudget budget() {
        return new BodyBudget() {
            @Override
            public boolean reserve(long bytes) {
                return ConnectionGuard.this.reserve(bytes);
            }

            @Override
            public void release(long bytes) {
                bodyBytesReserved.addAndGet(-bytes);
            }
        };
    }

    /** What a body will take: its Content-Length, the most allowed when chunked, 0 when there is none. */
    private long declaredBodyBytes(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                // Beyond the body limit the router answers 413 without reading: reserve no more than that.
                return Math.min(Math.max(0, Long.parseLong(length.trim())), limits.maxBodyBytes());
            } catch (NumberFormatException e) {
                return limits.maxBodyBytes(); // the decoder refuses it; count the worst meanwhile
            }
        }
        String encoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked") ? limits.maxBodyBytes() : 0;
    }

    private boolean reserve(long bytes) {
        long now;
        do {
            now = bodyBytesReserved.get();
            if (now + bytes > limits.bodyBufferBytes()) {
                return false;
            }
        } while (!bodyBytesReserved.compareAndSet(now, now + bytes));
        return true;
    }

    /** Gives back what a replaced state still held. */
    private void giveBack(Current replaced) {
        bodyBytesReserved.addAndGet(-replaced.reservedBodyBytes());
    }

    void start() {
        long interval = Math.max(50, Math.min(1_000, Math.min(limits.headerTimeoutMillis(), limits.bodyTimeoutMillis()) / 5));
        sweepTimer = vertx.setPeriodic(interval, id -> sweep());
    }

    void stop() {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
    }

    int openConnections() {
        return total.get();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Tracked t : open.values()) {
            StreamConnection stream = t.stream;
            if (stream != null) {
                sweep(t, stream, now);
                continue;
            }
            Current c = t.current.get();
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(now - c.sinceNanos());
            if (c.request() != null && c.request().response().ended()) {
                // Answered: the next head's deadline runs from about now.
                if (t.current.compareAndSet(c, Current.idle(now))) {
                    giveBack(c);
                }
            } else if (c.request() == null && waitedMillis > limits.headerTimeoutMillis()) {
                closedHeaderTimeout.increment();
                open.remove(t.connection);
                t.context.runOnContext(v -> t.connection.close());
            } else if (c.request() != null && !c.request().isEnded() && waitedMillis > limits.bodyTimeoutMillis()) {
                closedBodyTimeout.increment();
                open.remove(t.connection);
                t.context.runOnContext(v -> answerBodyTimeout(t, c.request()));
            }
        }
    }

    private void sweep(Tracked t, StreamConnection stream, long now) {
        if (stream.frameTrickledLongerThan(now, TimeUnit.MILLISECONDS.toNanos(limits.bodyTimeoutMillis()))) {
            closedBodyTimeout.increment();
            open.remove(t.connection);
            stream.close();
        } else if (stream.idleLongerThan(now, TimeUnit.MILLISECONDS.toNanos(limits.headerTimeoutMillis()))) {
            closedHeaderTimeout.increment();
            open.remove(t.connection);
            stream.close();
        }
    }

    private void answerBodyTimeout(Tracked t, HttpServerRequest request) {
        if (!request.response().ended() && !request.response().headWritten()) {
            ApiError error = ApiError.rejected(408, "body-timeout", "the request body did not arrive within "
                    + limits.bodyTimeoutMillis() + " ms of its head (http-body-timeout-ms); nothing was applied");
            JsonObject body = error.toJson();
            request.response().setStatusCode(408).putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close").end(body.toBuffer()).onComplete(done -> t.connection.close());
        } else {
            t.connection.close();
        }
    }

    private void release(Tracked tracked) {
        if (!tracked.released.compareAndSet(false, true)) {
            return; // the HTTP connection's close handler and the stream's both report it
        }
        open.remove(tracked.connection);
        giveBack(tracked.current.getAndSet(Current.idle(System.nanoTime())));
        total.decrementAndGet();
        perAddress.computeIfPresent(tracked.address, (address, count) -> count > 1 ? count - 1 : null);
    }
}
