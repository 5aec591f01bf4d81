package io.raftkit.kv.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies a request that needs the leader (writes, linearizable reads) from a follower to the
 * leader's HTTP address. The forwarded request carries {@link #FORWARDED_BY}, and a node that
 * receives a forwarded request never forwards it again, so a stale leader hint cannot loop.
 *
 * <p>Bounded in time and in waiting: the answer comes within {@code timeoutMillis} (the node's
 * request timeout: a paused leader held a forwarded put for the client's whole 30 s while a new
 * leader had long been elected), and at most {@link #MAX_WAITING} requests wait for one of the
 * {@link #MAX_CONNECTIONS} connections; beyond that the follower answers 503 at once.
 */
final class Forwarder {

    static final String FORWARDED_BY = "X-Raftkit-Forwarded-By";
    static final String SERVED_BY = "X-Raftkit-Served-By";
    /** Connections to the leader; each carries one request at a time (HTTP/1.1). */
    static final int MAX_CONNECTIONS = 64;
    /** Requests queued for a connection; more are refused, not queued: a queue is a promise of waiting. */
    static final int MAX_WAITING = 256;
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final Vertx vertx;
    private final HttpClient client;
    private final String self;
    private final long timeoutMillis;
    private final java.util.function.Predicate<String> reachable;

    /**
     * @param idleCloseMillis how soon the leader closes an idle connection (its header timeout):
     *                        this side lets idle connections go at half that, so a forwarded
     *                        request is not sent on one the leader is closing at that moment
     * @param reachable       whether the leader at a base URL can be reached now (fault injection may say no)
     */
    Forwarder(Vertx vertx, String self, long timeoutMillis, long idleCloseMillis,
              java.util.function.Predicate<String> reachable) {
        this.vertx = vertx;
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAliveTimeout((int) Math.max(1, idleCloseMillis / 2_000)))
                .with(new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS).setMaxWaitQueueSize(MAX_WAITING))
                .build();
        this.self = self;
        this.timeoutMillis = timeoutMillis;
        this.reachable = reachable;
    }

    static boolean wasForwarded(RoutingContext ctx) {
        return ctx.request().getHeader(FORWARDED_BY) != null;
    }

    void forward(RoutingContext ctx, String leaderBaseUrl, Runnable onDone) {
        if (!reachable.test(leaderBaseUrl)) {
            // Nothing is sent, so the request certainly did not happen.
            Responses.error(ctx, ApiError.rejected(503, "leader-unreachable", "node " + self + " cannot reach the leader at "
                    + leaderBaseUrl + " (a network partition); retry on the leader's side"));
            onDone.run();
            return;
        }
        URI base = URI.create(leaderBaseUrl);
        RequestOptions options = new RequestOptions()
                .setMethod(ctx.request().method())
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(ctx.request().uri())
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis);
        ctx.request().headers().forEach(h -> {
            String name = h.getKey();
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")
                    && !name.equalsIgnoreCase("connection") && !name.equalsIgnoreCase("transfer-encoding")) {
                options.addHeader(name, h.getValue());
            }
        });
        options.putHeader(FORWARDED_BY, self);
        AtomicBoolean answered = new AtomicBoolean();
        // The whole exchange, queueing included, ends by the deadline: connect and idle timeouts
        // alone would let a connect, a wait in the queue and a slow answer add up.
        long deadline = vertx.setTimer(timeoutMillis, id -> {
            if (answered.compareAndSet(false, true)) {
                // Sent or not, the leader may have applied it.
                Responses.error(ctx, ApiError.unknown(504, "forward-timeout", "the leader at " + leaderBaseUrl
                        + " did not answer within " + timeoutMillis + " ms (request-timeout-ms); retry, with the same session headers"));
                onDone.run();
            }
        });
        client.request(options)
                .compose(req -> {
                    if (answered.get()) {
                        req.reset();
                        return io.vertx.core.Future.failedFuture("answered by the deadline");
                    }
                    Buffer body = ctx.body().buffer();
                    return body == null ? req.send() : req.send(body);
                })
                .compose(resp -> resp.body().map(body -> new Object[]{resp, body}))
                .onComplete(done -> vertx.cancelTimer(deadline))
                .onSuccess(pair -> {
                    if (!answered.compareAndSet(false, true)) {
                        return;
                    }
                    HttpClientResponse resp = (HttpClientResponse) pair[0];
                    Buffer body = (Buffer) pair[1];
                    ctx.response().setStatusCode(resp.statusCode());
                    copy(resp, ctx, HttpHeaders.CONTENT_TYPE.toString());
                    copy(resp, ctx, SERVED_BY);
                    ctx.response().putHeader("X-Raftkit-Forwarded-Via", self);
                    ctx.response().end(body);
                    onDone.run();
                })
                .onFailure(e -> {
                    if (!answered.compareAndSet(false, true)) {
                        return;
                    }
                    LOG.debug("forwarding {} {} to {} failed", ctx.request().method(), ctx.request().uri(), leaderBaseUrl, e);
                    if (e instanceof ConnectionPoolTooBusyException) {
                        // Never sent: the queue for the leader was full.
                        Responses.error(ctx, ApiError.rejected(503, "forward-busy", MAX_WAITING + " requests already wait to be"
                                + " forwarded to the leader at " + leaderBaseUrl + "; this one was not sent. Retry, or send to the leader"));
                    } else {
                        // The leader may have received and applied the request before the failure.
                        Responses.error(ctx, ApiError.unknown(502, "forward-failed",
                                "forwarding to the leader at " + leaderBaseUrl + " failed: " + e.getMessage()));
                    }
                    onDone.run();
                });
    }

    private static void copy(HttpClientResponse from, RoutingContext to, String header) {
        String value = from.getHeader(header);
        if (value != null) {
            to.response().putHeader(header, value);
        }
    }

    void close() {
        client.close();
    }
}
