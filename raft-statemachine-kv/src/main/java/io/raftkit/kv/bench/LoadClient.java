package io.raftkit.kv.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The load generator's HTTP side: Vert.x (Netty), one connection per virtual client, sending
 * straight to the leader. Each virtual client holds its connection itself instead of going through
 * the client's pool, and a request has no timer of its own (the connection's idle timeout ends a
 * request nobody answers). Through the pool, with a timer per request, this tool drew about half
 * the GET /health rate that wrk drew from the same cluster, since the load shares two cores with
 * it (docs/benchmarks.md). Each write carries a session (client id, sequence) like KvClient's;
 * failures are counted, not retried.
 */
final class LoadClient implements AutoCloseable {

    private static final int IDLE_TIMEOUT_SECONDS = 10;

    /** A virtual client's connection, and the target generation it was opened for. */
    private record Link(HttpClientConnection connection, long generation) {
    }

    private final Vertx vertx;
    private final HttpClientAgent http;
    private final AtomicReferenceArray<Link> links;
    private volatile URI target;
    private volatile long generation;
    private final AtomicLong nextClientId = new AtomicLong(System.nanoTime() & 0xffffffffL);

    LoadClient(URI target, int clients) {
        this.vertx = Vertx.vertx();
        this.target = target;
        this.links = new AtomicReferenceArray<>(clients);
        this.http = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setIdleTimeout(IDLE_TIMEOUT_SECONDS).setIdleTimeoutUnit(TimeUnit.SECONDS))
                .build();
    }

    /** Sends from now on to {@code leader}: each virtual client reconnects on its next request. */
    synchronized void retarget(URI leader) {
        target = leader;
        generation++;
    }

    long newClientId() {
        return nextClientId.incrementAndGet();
    }

    /** Completes with the HTTP status; {@code client} is the virtual client's number. */
    Future<Integer> send(int client, HttpMethod method, String path, Buffer body, long clientId, long sequence) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(path);
        if (clientId != 0) {
            options.putHeader("X-Client-Id", Long.toString(clientId)).putHeader("X-Sequence", Long.toString(sequence));
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return connection(client)
                .compose(c -> c.request(options))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onFailure(e -> drop(client));
    }

    private Future<HttpClientConnection> connection(int client) {
        Link link = links.get(client);
        long current = generation;
        if (link != null && link.generation() == current) {
            return Future.succeededFuture(link.connection());
        }
        if (link != null) {
            link.connection().close();
        }
        URI t = target;
        return http.connect(new HttpConnectOptions().setHost(t.getHost()).setPort(t.getPort()))
                .onSuccess(c -> links.set(client, new Link(c, current)));
    }

    /** After a failure the connection may be broken: the next request opens a new one. */
    private void drop(int client) {
        Link link = links.getAndSet(client, null);
        if (link != null) {
            link.connection().close();
        }
    }

    @Override
    public void close() {
        http.close().await();
        vertx.close().await();
    }
}
