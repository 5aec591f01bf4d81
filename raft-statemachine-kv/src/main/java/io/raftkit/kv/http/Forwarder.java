package io.raftkit.kv.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies a request that needs the leader (writes, linearizable reads) from a follower to the
 * leader's HTTP address. The forwarded request carries {@link #FORWARDED_BY}, and a node that
 * receives a forwarded request never forwards it again, so a stale leader hint cannot loop.
 */
final class Forwarder {

    static final String FORWARDED_BY = "X-Raftkit-Forwarded-By";
    static final String SERVED_BY = "X-Raftkit-Served-By";
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final HttpClient client;
    private final String self;
    private final java.util.function.Predicate<String> reachable;

    /** @param reachable whether the leader at a base URL can be reached now (fault injection may say no) */
    Forwarder(Vertx vertx, String self, java.util.function.Predicate<String> reachable) {
        this.client = vertx.httpClientBuilder().with(new PoolOptions().setHttp1MaxSize(64)).build();
        this.self = self;
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
                .setTimeout(30_000);
        ctx.request().headers().forEach(h -> {
            String name = h.getKey();
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")
                    && !name.equalsIgnoreCase("connection") && !name.equalsIgnoreCase("transfer-encoding")) {
                options.addHeader(name, h.getValue());
            }
        });
        options.putHeader(FORWARDED_BY, self);
        client.request(options)
                .compose(req -> ctx.body().buffer() == null ? req.send() : req.send(ctx.body().buffer()))
                .compose(resp -> resp.body().map(body -> new Object[]{resp, body}))
                .onSuccess(pair -> {
                    HttpClientResponse resp = (HttpClientResponse) pair[0];
                    io.vertx.core.buffer.Buffer body = (io.vertx.core.buffer.Buffer) pair[1];
                    ctx.response().setStatusCode(resp.statusCode());
                    copy(resp, ctx, HttpHeaders.CONTENT_TYPE.toString());
                    copy(resp, ctx, SERVED_BY);
                    ctx.response().putHeader("X-Raftkit-Forwarded-Via", self);
                    ctx.response().end(body);
                    onDone.run();
                })
                .onFailure(e -> {
                    LOG.debug("forwarding {} {} to {} failed", ctx.request().method(), ctx.request().uri(), leaderBaseUrl, e);
                    // The leader may have received and applied the request before the failure.
                    Responses.error(ctx, ApiError.unknown(502, "forward-failed",
                            "forwarding to the leader at " + leaderBaseUrl + " failed: " + e.getMessage()));
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
