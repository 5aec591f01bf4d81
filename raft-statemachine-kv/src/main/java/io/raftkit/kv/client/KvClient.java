package io.raftkit.kv.client;

import io.raftkit.kv.KvValue;
import io.raftkit.kv.wire.WireOp;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Java client of the KV store. It finds the leader once (from {@code /v1/status}), then sends
 * there over one connection per node in the binary client protocol: many requests at once on one
 * connection, values as bytes, the answers of one commit read together. A refusal that names
 * another leader (503 {@code not-leader}) moves it there without asking anyone. When the leader's
 * advertised URL does not connect from here (behind published ports or NAT), requests go through a
 * configured endpoint over the JSON API, which forwards ({@link LeaderFinder}).
 *
 * <p>Every method returns at once; the future completes on the client's event loop, so a callback
 * on it must not block (hand blocking work to an executor with {@code thenApplyAsync}). For code
 * that wants to wait, {@link #blocking()} gives the same operations as blocking calls.
 *
 * <p>A request that fails in a way that may be retried (no leader, leader lost, timeout, connection
 * refused or lost) is sent again, to the leader as now known, until {@code retryWindow} passes;
 * then its future fails with a {@link KvClientException} whose {@link KvClientException#outcome}
 * says whether the write may have happened. Retries are safe: every write carries a client id and
 * a sequence number (thesis §6.3), and a retry reuses both, so the state machine applies it at most
 * once and answers a duplicate with the original result. Concurrent writes each borrow their own
 * session from a pool, because a session orders one request at a time. A session the cluster no
 * longer keeps (409 {@code session-expired}) is dropped; the request is sent again under a new one
 * when no attempt of it may have been applied, and otherwise fails with an unknown outcome.
 *
 * <p>Any other answer (a 4xx refusal such as 400 {@code value-too-large}, a 404 for an absent key)
 * completes the future as a {@link KvResponse}: check {@link KvResponse#ok()}, or use
 * {@link #blocking()}, which throws for them.
 *
 * <p>Bounded: at most {@link Builder#maxInFlight} requests are out at once; further calls wait in
 * the client, up to {@link Builder#maxQueued}, and beyond that fail at once (not applied).
 */
public final class KvClient implements AutoCloseable {

    /** How requests travel. */
    public enum Protocol {
        /** The binary client protocol on an upgraded HTTP connection (nodes that refuse it get JSON). */
        BINARY,
        /** The JSON API only (one request at a time per pooled connection). */
        HTTP
    }

    /** What a client was built with. */
    record Settings(Duration requestTimeout, Duration retryWindow, int maxInFlight, int maxQueued, Protocol protocol,
                    int httpConnectionsPerNode) {
    }

    /** Builds a client; every setting has a default. */
    public static final class Builder {
        private final List<String> endpoints;
        private Duration requestTimeout = Duration.ofSeconds(6);
        private Duration retryWindow = Duration.ofSeconds(15);
        private int maxInFlight = 1024;
        private int maxQueued = 65_536;
        private Protocol protocol = Protocol.BINARY;
        private int httpConnectionsPerNode = 64;
        private Vertx vertx;

        private Builder(List<String> endpoints) {
            this.endpoints = List.copyOf(endpoints);
        }

        /** How long one attempt may take (default 6 s); a late attempt is retried, its outcome unknown. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** How long to keep retrying one request (default 15 s). */
        public Builder retryWindow(Duration window) {
            this.retryWindow = Objects.requireNonNull(window, "retryWindow");
            return this;
        }

        /** Requests sent and not yet answered, at most (default 1024). */
        public Builder maxInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, was " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /** Requests waiting in the client beyond {@code maxInFlight}, at most (default 65,536); more fail at once. */
        public Builder maxQueued(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxQueued must not be negative, was " + n);
            }
            this.maxQueued = n;
            return this;
        }

        public Builder protocol(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** Pooled JSON API connections to one node (default 64): the JSON API carries one request at a time on each. */
        public Builder httpConnectionsPerNode(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("httpConnectionsPerNode must be at least 1, was " + n);
            }
            this.httpConnectionsPerNode = n;
            return this;
        }

        /**
         * Runs the client on {@code vertx} (one of its event loops) instead of a Vertx of its own
         * with one event loop; closing the client then leaves {@code vertx} open.
         */
        public Builder vertx(Vertx vertx) {
            this.vertx = Objects.requireNonNull(vertx, "vertx");
            return this;
        }

        public KvClient build() {
            return new KvClient(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final HttpClientAgent http;
    private final HttpClientAgent upgrades;
    private final Dispatcher dispatcher;
    private final BlockingKvClient blocking;

    /**
     * @param endpoints      base URLs of some or all nodes, {@code http://host:port}
     * @param requestTimeout how long one attempt may take
     * @param retryWindow    how long to keep retrying one request
     */
    public KvClient(List<String> endpoints, Duration requestTimeout, Duration retryWindow) {
        this(builder(endpoints).requestTimeout(requestTimeout).retryWindow(retryWindow));
    }

    private KvClient(Builder b) {
        List<String> urls = normalize(b.endpoints);
        Settings settings = new Settings(b.requestTimeout, b.retryWindow, b.maxInFlight, b.maxQueued, b.protocol,
                b.httpConnectionsPerNode);
        this.ownsVertx = b.vertx == null;
        // One event loop: the client's work per request is small, and one thread batches best.
        this.vertx = ownsVertx ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setUseDaemonThread(true)) : b.vertx;
        // Idle pooled connections go before a node's header timeout (10 s by default) would close them.
        this.http = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setKeepAliveTimeout(4))
                .with(new PoolOptions().setHttp1MaxSize(b.httpConnectionsPerNode).setMaxWaitQueueSize(b.maxInFlight + b.maxQueued))
                .build();
        this.upgrades = vertx.httpClientBuilder().with(new HttpClientOptions().setTcpNoDelay(true)).build();
        this.dispatcher = new Dispatcher(vertx, settings, urls, http, upgrades);
        this.blocking = new BlockingKvClient(this);
    }

    public static Builder builder(List<String> endpoints) {
        return new Builder(endpoints);
    }

    public static KvClient create(List<String> endpoints) {
        return builder(endpoints).build();
    }

    private static List<String> normalize(List<String> endpoints) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: give at least one node URL");
        }
        List<String> urls = endpoints.stream().map(e -> e.endsWith("/") ? e.substring(0, e.length() - 1) : e).toList();
        for (String e : urls) {
            URI uri;
            try {
                uri = URI.create(e);
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("endpoint '" + e + "' must look like http://host:port", bad);
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("endpoint '" + e + "' must look like http://host:port");
            }
        }
        return urls;
    }

    /** The same operations, waiting for their answers. */
    public BlockingKvClient blocking() {
        return blocking;
    }

    public CompletableFuture<KvResponse> put(String key, String value) {
        return put(key, KvValue.of(value));
    }

    /** Stores {@code value} as it is: any bytes (the JSON API shows bytes that are not UTF-8 in Base64). */
    public CompletableFuture<KvResponse> put(String key, byte[] value) {
        return put(key, KvValue.of(value));
    }

    private CompletableFuture<KvResponse> put(String key, KvValue value) {
        return submit(WireOp.PUT, key, null, value);
    }

    public CompletableFuture<KvResponse> delete(String key) {
        return submit(WireOp.DELETE, key, null, null);
    }

    /** Sets {@code value} if the current value is {@code expected}; empty expected means "must be absent". */
    public CompletableFuture<KvResponse> cas(String key, Optional<String> expected, String value) {
        return submit(WireOp.CAS, key, expected.map(KvValue::of).orElse(null), KvValue.of(value));
    }

    /** {@link #cas(String, Optional, String)} with values as bytes. */
    public CompletableFuture<KvResponse> casBytes(String key, Optional<byte[]> expected, byte[] value) {
        return submit(WireOp.CAS, key, expected.map(KvValue::of).orElse(null), KvValue.of(value));
    }

    /** A linearizable read (ReadIndex, thesis §6.4); a missing key is a 404 response, not a failure. */
    public CompletableFuture<KvResponse> get(String key) {
        return submit(WireOp.GET, key, null, null);
    }

    /** The state of the node this client sends to, as it is: fast, possibly stale. */
    public CompletableFuture<KvResponse> getStale(String key) {
        return submit(WireOp.GET_STALE, key, null, null);
    }

    /** The status of the node this client considers the leader (or of an endpoint when none is known). */
    public CompletableFuture<KvResponse> status() {
        return dispatcher.submit(new Call(null, null, null, null, true, System.nanoTime()));
    }

    private CompletableFuture<KvResponse> submit(WireOp op, String key, KvValue expected, KvValue value) {
        Objects.requireNonNull(key, "key");
        return dispatcher.submit(new Call(op, key, expected, value, false, System.nanoTime()));
    }

    /**
     * Fails what is still pending (a write already sent with an unknown outcome) and closes the
     * connections, and the client's own event loop.
     */
    @Override
    public void close() {
        try {
            dispatcher.close().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing goes on regardless
        }
        http.close();
        upgrades.close();
        if (ownsVertx) {
            vertx.close();
        }
    }
}
