package io.raftkit.kv.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator's HTTP side: Vert.x (Netty) with one pooled connection per virtual client,
 * sending straight to the leader. Cheaper per request than {@link io.raftkit.kv.client.KvClient}'s
 * JDK client, which matters when the load shares two cores with the cluster. Each write carries a
 * session (client id, sequence) like KvClient's; failures are counted, not retried.
 */
final class LoadClient implements AutoCloseable {

    private final Vertx vertx;
    private final HttpClient http;
    private volatile URI target;
    private final AtomicLong nextClientId = new AtomicLong(System.nanoTime() & 0xffffffffL);

    LoadClient(URI target, int connections) {
        this.vertx = Vertx.vertx();
        this.target = target;
        this.http = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true))
                .with(new PoolOptions().setHttp1MaxSize(connections))
                .build();
    }

    void retarget(URI leader) {
        target = leader;
    }

    long newClientId() {
        return nextClientId.incrementAndGet();
    }

    /** Completes with the HTTP status. */
    Future<Integer> send(HttpMethod method, String path, Buffer body, long clientId, long sequence) {
        URI t = target;
        RequestOptions options = new RequestOptions().setMethod(method).setHost(t.getHost()).setPort(t.getPort())
                .setURI(path).setTimeout(10_000);
        if (clientId != 0) {
            options.putHeader("X-Client-Id", Long.toString(clientId)).putHeader("X-Sequence", Long.toString(sequence));
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return http.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    @Override
    public void close() {
        http.close().await();
        vertx.close().await();
    }
}
