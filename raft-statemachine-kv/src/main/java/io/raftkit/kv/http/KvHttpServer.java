package io.raftkit.kv.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.core.server.SnapshotStats;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.members.MemberDirectory;
import io.raftkit.kv.SessionPolicy;
import io.raftkit.kv.snapshot.SnapshotSource;
import io.raftkit.kv.wire.WireCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KV node's HTTP API on Vert.x Web: {@code /v1/kv/{key}} (PUT, GET, DELETE),
 * {@code /v1/kv/{key}/cas} (POST), {@code /v1/status}, {@code /v1/snapshot} (GET, POST), {@code /health}, {@code /metrics}, and
 * {@code /v1/stream}, which switches a connection to the binary client protocol.
 * Every error, the router's own 404/405/413 and the HTTP decoder's 414/431/400 included, is the JSON
 * {@code {"error","message","outcome"}}. Connections are capped and timed ({@link ConnectionGuard}).
 */
public final class KvHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KvHttpServer.class);
    /** How often the replicated member directory is read back: a member added elsewhere is known here this soon. */
    public static final long DIRECTORY_REFRESH_MILLIS = 500;

    private final Vertx vertx;
    private final RaftServer raft;
    private final KvStateMachine kv;
    private final HttpLimits limits;
    private final ConnectionGuard connections;
    private final MemberDirectory directory;
    private final long refreshTimer;
    private final PrometheusMeterRegistry registry;
    private final long commitIndexAtStart;
    private final Forwarder forwarder;
    private final KvMetrics metrics;
    private final KvService service;
    private final Router router;
    private final SnapshotRoutes snapshots;
    private HttpServer server;

    /**
     * @param kv            the node's state machine, for its memory and sessions
     * @param sessionPolicy the session policy this node puts into the log when it leads
     * @param httpUrls      every member's HTTP base URL ({@code http://host:port}), this node's included
     */
    public KvHttpServer(Vertx vertx, RaftServer raft, KvStateMachine kv, SessionPolicy sessionPolicy,
                        Map<NodeId, String> httpUrls, HttpLimits limits, PrometheusMeterRegistry registry) {
        this(vertx, raft, kv, sessionPolicy, httpUrls, limits, registry, Reachability.ALWAYS);
    }

    /**
     * @param reachability asked before forwarding to the leader; a request is not forwarded across a cut
     */
    public KvHttpServer(Vertx vertx, RaftServer raft, KvStateMachine kv, SessionPolicy sessionPolicy,
                        Map<NodeId, String> httpUrls, HttpLimits limits, PrometheusMeterRegistry registry,
                        Reachability reachability) {
        this(vertx, raft, kv, sessionPolicy, MemberDirectory.ofHttpUrls(httpUrls), limits, registry, reachability);
    }

    /**
     * @param directory every member's addresses: those this node was started with, and the replicated
     *                  directory, which this server reads from the state machine every
     *                  {@link #DIRECTORY_REFRESH_MILLIS} ms
     */
    public KvHttpServer(Vertx vertx, RaftServer raft, KvStateMachine kv, SessionPolicy sessionPolicy,
                        MemberDirectory directory, HttpLimits limits, PrometheusMeterRegistry registry,
                        Reachability reachability) {
        this.vertx = vertx;
        this.raft = raft;
        this.kv = kv;
        this.limits = limits;
        this.directory = directory;
        this.registry = registry;
        // Health waits until this node has applied what was committed when it started.
        this.commitIndexAtStart = raft.status().commitIndex();
        // Asked on every forwarded request: without fault injection, nothing to look up.
        this.forwarder = new Forwarder(vertx, raft.id().value(), limits.forwardTimeoutMillis(), limits.headerTimeoutMillis(),
                reachability == Reachability.ALWAYS ? url -> true
                        : url -> directory.all().values().stream().filter(m -> url.equals(m.http()))
                        .allMatch(m -> reachability.reaches(m.id())));
        this.connections = new ConnectionGuard(vertx, limits, registry, raft.id().value());
        this.metrics = new KvMetrics(registry, raft, kv);
        this.service = new KvService(raft, kv, new SessionPolicyKeeper(raft, kv, sessionPolicy), directory, limits);
        KvRoutes kvRoutes = new KvRoutes(service, forwarder, metrics);
        router = Router.router(vertx);
        router.route().handler(connections::releaseBodyWhenAnswered);
        router.route("/v1/kv/*").handler(new BodyAsJson())
                .handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()));
        router.put("/v1/kv/:key").handler(kvRoutes::put);
        router.get("/v1/kv/:key").handler(kvRoutes::get);
        router.delete("/v1/kv/:key").handler(kvRoutes::delete);
        router.post("/v1/kv/:key/cas").handler(kvRoutes::cas);
        TxnRoutes txnRoutes = new TxnRoutes(service, kvRoutes, metrics);
        router.route("/v1/txn").handler(new BodyAsJson()).handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()));
        router.post("/v1/txn").handler(txnRoutes::txn);
        MemberRoutes memberRoutes = new MemberRoutes(raft, service, kvRoutes, directory, limits.forwardTimeoutMillis());
        router.route("/v1/members*").handler(new BodyAsJson()).handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()));
        router.route("/v1/leader").handler(new BodyAsJson()).handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()));
        router.get("/v1/members").handler(memberRoutes::list);
        router.post("/v1/members").handler(memberRoutes::add);
        router.post("/v1/members/:id/promote").handler(memberRoutes::promote);
        router.delete("/v1/members/:id").handler(memberRoutes::remove);
        router.post("/v1/leader").handler(memberRoutes::lead);
        router.get(WireCodec.PATH).handler(this::upgrade);
        snapshots = new SnapshotRoutes(vertx);
        router.get("/v1/snapshot").handler(snapshots::get);
        router.post("/v1/snapshot").handler(snapshots::post);
        router.get("/v1/status").handler(this::status);
        router.get("/health").handler(this::health);
        router.head("/health").handler(this::health); // load balancers probe with HEAD too
        router.get("/metrics").handler(this::metrics);
        router.errorHandler(400, ctx -> routerError(ctx, 400, "bad-request", "the request could not be read"));
        router.errorHandler(404, ctx -> routerError(ctx, 404, "not-found", "no such path: " + ctx.request().path()));
        router.errorHandler(405, ctx -> {
            String allowed = allowedMethods(ctx.request().path());
            ctx.response().putHeader(HttpHeaders.ALLOW, allowed); // RFC 9110 asks a 405 to list them
            routerError(ctx, 405, "method-not-allowed",
                    ctx.request().method() + " is not allowed on " + ctx.request().path() + "; allowed: " + allowed);
        });
        router.errorHandler(413, ctx -> routerError(ctx, 413, "body-too-large",
                "the request body exceeds " + limits.maxBodyBytes() + " bytes (max-body-bytes)"));
        router.errorHandler(500, ctx -> routerError(ctx, 500, "internal", String.valueOf(ctx.failure())));
        // A client that went away mid-request (or was cut off by the connection guard) leaves
        // nothing to answer; without this Vert.x Web logs an ERROR per such request, which any
        // client could provoke at will.
        router.route().failureHandler(ctx -> {
            if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) {
                LOG.debug("{} {}: the connection closed before the answer", ctx.request().method(), ctx.request().path());
            } else {
                ctx.next();
            }
        });
        refreshDirectory();
        refreshTimer = vertx.setPeriodic(DIRECTORY_REFRESH_MILLIS, t -> refreshDirectory());
    }

    /** Reads the replicated member directory from this node's state machine (any node: a stale read is enough, it only grows by committed changes). */
    private void refreshDirectory() {
        raft.readStale(KvCodec.encodeGet(MemberDirectory.KEY)).whenComplete((bytes, failure) -> {
            if (failure == null) {
                directory.replicated(KvCodec.decodeResult(bytes).value().flatMap(KvValue::utf8).orElse(null));
            }
        });
    }

    public Future<Integer> listen(String host, int port) {
        HttpServerOptions options = new HttpServerOptions()
                // A key arrives percent-encoded in the request line: the line must fit the longest key.
                .setMaxInitialLineLength(limits.maxRequestLineChars())
                .setMaxHeaderSize(HttpLimits.MAX_HEADER_BYTES)
                // With h2c on (Vert.x's default) a connection stays anonymous until its first bytes
                // tell HTTP/2 from HTTP/1.1: a silent one reached no cap and no header timeout.
                // The API speaks HTTP/1.1 only.
                .setHttp2ClearTextEnabled(false)
                // A backstop for a connection where nothing moves at all (the guard's sweep does the rest).
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, limits.headerTimeoutMillis() + limits.bodyTimeoutMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        return vertx.createHttpServer(options)
                .connectionHandler(connections::onConnection)
                .invalidRequestHandler(this::invalidRequest)
                .requestHandler(connections.track(router))
                .listen(port, host).map(s -> {
                    server = s;
                    connections.start();
                    return s.actualPort();
                });
    }

    /**
     * A request the HTTP decoder refused before routing (Vert.x's default answers with an empty body);
     * the connection closes after the answer, since the decoder cannot tell where the next request starts.
     */
    private void invalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ApiError error;
        if (cause instanceof TooLongHttpLineException) {
            error = ApiError.rejected(414, "uri-too-long", "the request line exceeds " + limits.maxRequestLineChars()
                    + " characters: keys are limited to " + limits.maxKeyBytes() + " bytes (max-key-bytes), up to three characters each when percent-encoded");
        } else if (cause instanceof TooLongHttpHeaderException) {
            error = ApiError.rejected(431, "headers-too-large", "the request headers exceed " + HttpLimits.MAX_HEADER_BYTES + " bytes");
        } else {
            error = ApiError.rejected(400, "bad-request", "the request could not be parsed as HTTP/1.1: "
                    + (cause == null ? "malformed" : cause.getMessage()));
        }
        request.response().setStatusCode(error.status()).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close").end(error.toJson().toBuffer())
                .onComplete(done -> request.connection().close());
    }

    /**
     * {@code GET /v1/stream} with {@code Upgrade: raftkit-kv/1}: the connection switches to the binary
     * client protocol ({@link WireCodec}, {@link StreamConnection}). The 101 answer names this node.
     */
    private void upgrade(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        String connectionHeader = request.getHeader(HttpHeaders.CONNECTION);
        if (upgrade == null || !upgrade.trim().equalsIgnoreCase(WireCodec.PROTOCOL) || connectionHeader == null
                || !connectionHeader.toLowerCase(Locale.ROOT).contains("upgrade")) {
            ctx.response().putHeader(HttpHeaders.UPGRADE, WireCodec.PROTOCOL);
            Responses.error(ctx, ApiError.rejected(426, "upgrade-required", WireCodec.PATH + " switches the connection to the"
                    + " binary client protocol: send 'Connection: Upgrade' and 'Upgrade: " + WireCodec.PROTOCOL + "'"
                    + (upgrade == null ? "" : " (Upgrade was '" + upgrade + "')")));
            return;
        }
        HttpConnection connection = request.connection();
        ctx.response().putHeader(HttpHeaders.UPGRADE, WireCodec.PROTOCOL).putHeader(WireCodec.SERVED_BY, raft.id().value());
        request.toNetSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
                LOG.debug("upgrading a connection to {} failed: {}", WireCodec.PROTOCOL, upgraded.cause().toString());
                connection.close();
                return;
            }
            NetSocket socket = upgraded.result();
            StreamConnection stream = new StreamConnection(socket, vertx.getOrCreateContext(), service, metrics, limits,
                    connections.budget());
            Optional<Runnable> onClosed = connections.upgraded(connection, stream);
            if (onClosed.isEmpty()) {
                socket.close(); // the guard closed it meanwhile
                return;
            }
            stream.start(onClosed.get());
        });
    }

    /**
     * Serves {@code GET} and {@code POST /v1/snapshot} and the snapshot fields of {@code /v1/status}
     * from {@code source}; without it (a Raft server that takes no snapshots) they answer 501.
     */
    public void snapshotSource(SnapshotSource source) {
        snapshots.source(source);
        metrics.snapshotGauges(source);
    }

    /** Open HTTP connections; for tests and the connection gauge. */
    public int openConnections() {
        return connections.openConnections();
    }

    /**
     * Every body of this API is JSON, whatever its Content-Type says. {@code curl -d} labels its body a
     * form unless told otherwise, and for a form Vert.x Web decodes the body as form fields, refusing
     * one over 8 KB with a bare 400 before the handler could say what was wrong. A platform handler,
     * because Vert.x Web runs those before the body handler.
     */
    private static final class BodyAsJson implements PlatformHandler {
        @Override
        public void handle(RoutingContext ctx) {
            String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (type != null && (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
                    || type.regionMatches(true, 0, "multipart/", 0, 10))) {
                ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
            }
            ctx.next();
        }
    }

    /** The methods the routes above take on {@code path}, for a 405's Allow header. */
    private static String allowedMethods(String path) {
        if (path.startsWith("/v1/kv/")) {
            return path.endsWith("/cas") ? "POST" : "GET, PUT, DELETE";
        }
        if (path.equals("/v1/members")) {
            return "GET, POST";
        }
        if (path.startsWith("/v1/members/")) {
            return path.endsWith("/promote") ? "POST" : "DELETE";
        }
        if (path.equals("/v1/txn") || path.equals("/v1/leader")) {
            return "POST";
        }
        if (path.equals("/v1/snapshot")) {
            return "GET, POST";
        }
        return path.equals("/health") ? "GET, HEAD" : "GET";
    }

    private static void routerError(RoutingContext ctx, int status, String error, String message) {
        // Nothing reached the state machine: the router refused the request.
        Responses.error(ctx, ApiError.rejected(status, error, message));
    }

    private void status(RoutingContext ctx) {
        RaftStatus s = raft.status();
        JsonArray members = new JsonArray();
        for (NodeId member : s.members().members()) {
            members.add(new JsonObject().put("id", member.value()).put("http", directory.httpUrl(member).orElse(null))
                    .put("voter", s.members().isVoter(member)));
        }
        JsonObject json = new JsonObject().put("id", s.id().value()).put("role", s.role().name().toLowerCase())
                .put("term", s.term()).put("leader", s.leader().map(NodeId::value).orElse(null))
                .put("leaderHttp", s.leader().flatMap(directory::httpUrl).orElse(null))
                .put("commitIndex", s.commitIndex()).put("appliedIndex", s.appliedIndex())
                .put("lastLogIndex", s.lastLogIndex()).put("members", members)
                .put("proposals", s.proposals()).put("reads", s.reads()).put("running", s.running())
                .put("logHeapBytes", s.logHeapBytes()).put("logHeapLimitBytes", s.logHeapLimitBytes())
                .put("kvHeapBytes", kv.heapBytes()).put("sessions", kv.sessionCount())
                .put("sessionPolicy", kv.sessionPolicy().map(p -> new JsonObject().put("ttlMs", p.ttlMillis())
                        .put("capacity", p.capacity())).orElse(null))
                .put("snapshot", snapshots.status())
                .put("snapshots", snapshotStats(raft.snapshotStats()))
                .put("failure", s.failure().orElse(null));
        ctx.response().putHeader(Forwarder.SERVED_BY, s.id().value());
        Responses.json(ctx, 200, json);
    }

    private static JsonObject snapshotStats(SnapshotStats s) {
        return new JsonObject().put("enabled", s.enabled()).put("latestIndex", s.latestIndex()).put("latestTerm", s.latestTerm())
                .put("latestSizeBytes", s.latestSizeBytes()).put("lastDurationMs", s.lastDurationMillis())
                .put("taken", s.snapshotsTaken()).put("installsSent", s.installsSent())
                .put("installsReceived", s.installsReceived()).put("logFirstIndex", s.logFirstIndex());
    }

    private void health(RoutingContext ctx) {
        RaftStatus s = raft.status();
        boolean caughtUp = s.appliedIndex() >= commitIndexAtStart;
        boolean ready = s.running() && s.leader().isPresent() && caughtUp;
        String reason = !s.running() ? "node stopped: " + s.failure().orElse("closed")
                : s.leader().isEmpty() ? "no leader known"
                : !caughtUp ? "applying the log: " + s.appliedIndex() + " of " + commitIndexAtStart
                : "ok";
        Responses.json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not-ready")
                .put("reason", reason).put("id", s.id().value()).put("leader", s.role() == Role.LEADER));
    }

    private void metrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape());
    }

    @Override
    public void close() {
        vertx.cancelTimer(refreshTimer);
        connections.stop();
        forwarder.close();
        if (server != null) {
            server.close().await();
        }
    }
}
