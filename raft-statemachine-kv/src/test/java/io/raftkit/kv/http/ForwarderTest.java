package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A follower forwarding to a leader that accepts connections and never answers, as a paused
 * process does (the kernel still completes the handshake).
 */
class ForwarderTest {

    private static final long FORWARD_TIMEOUT_MILLIS = 2_000;

    private final Vertx vertx = Vertx.vertx();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private MemoryKvCluster cluster;
    private ServerSocket pausedLeader;
    private KvHttpServer follower;
    private String followerUrl;

    @BeforeEach
    void start() throws Exception {
        cluster = new MemoryKvCluster(3, 21);
        RaftServer leader = cluster.awaitLeader();
        RaftServer followerRaft = cluster.servers.stream().filter(s -> s != leader).findFirst().orElseThrow();
        pausedLeader = new ServerSocket(0, 1_000, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!pausedLeader.isClosed()) {
                try {
                    held.add(pausedLeader.accept()); // read nothing, answer nothing
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }, "paused-leader");
        acceptor.setDaemon(true);
        acceptor.start();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<NodeId, String> urls = new TreeMap<>();
        for (RaftServer s : cluster.servers) {
            urls.put(s.id(), s == followerRaft ? "http://127.0.0.1:" + port : "http://127.0.0.1:" + pausedLeader.getLocalPort());
        }
        HttpLimits limits = new HttpLimits(64, 1024, 64 * 1024).withConnections(2_000, 2_000)
                .withTimeouts(10_000, 30_000, FORWARD_TIMEOUT_MILLIS);
        follower = new KvHttpServer(vertx, followerRaft, cluster.stateMachineOf(followerRaft), SessionPolicy.DEFAULT, urls, limits,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        follower.listen("127.0.0.1", port).await();
        followerUrl = "http://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() throws Exception {
        follower.close();
        pausedLeader.close();
        for (Socket s : held) {
            s.close();
        }
        cluster.close();
        vertx.close().await();
    }

    private static HttpRequest put(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"v\"}")).build();
    }

    /** The first request of a JVM pays for class loading and the clients' set-up; not what is measured. */
    private void warmUp(HttpClient http) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(followerUrl + "/v1/status")).build(), HttpResponse.BodyHandlers.ofString());
        http.send(HttpRequest.newBuilder(URI.create(followerUrl + "/v1/kv/w?consistency=stale")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aForwardedWriteGetsAnUnknownOutcomeWithinTheRequestTimeoutWhenTheLeaderNeverAnswers() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        warmUp(http);
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(put(followerUrl + "/v1/kv/paused"), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("error")).isEqualTo("forward-timeout");
        assertThat(body.getString("outcome")).isEqualTo("unknown");
        assertThat(millis).as("answered after the forward timeout, not long after").isBetween(FORWARD_TIMEOUT_MILLIS - 50, 2 * FORWARD_TIMEOUT_MILLIS);
    }

    @Test
    void requestsBeyondTheForwardingQueueAreRefusedAtOnceAsNotApplied() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        warmUp(http);
        int extra = 30;
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        List<Long> busyAtNanos = new CopyOnWriteArrayList<>();
        List<Long> timedOutAtNanos = new CopyOnWriteArrayList<>();
        for (int i = 0; i < Forwarder.MAX_CONNECTIONS + Forwarder.MAX_WAITING + extra; i++) {
            sent.add(http.sendAsync(put(followerUrl + "/v1/kv/q" + i), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> (r != null && r.statusCode() == 503 ? busyAtNanos : timedOutAtNanos).add(System.nanoTime())));
        }
        int busy = 0;
        int timedOut = 0;
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.get();
            JsonObject body = new JsonObject(r.body());
            if (r.statusCode() == 503) {
                assertThat(body.getString("error")).isEqualTo("forward-busy");
                assertThat(body.getString("outcome")).isEqualTo("not-applied");
                busy++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
                timedOut++;
            }
        }
        assertThat(busy).as("refused beyond %d connections and %d waiting", Forwarder.MAX_CONNECTIONS, Forwarder.MAX_WAITING)
                .isGreaterThanOrEqualTo(extra);
        assertThat(timedOut).isLessThanOrEqualTo(Forwarder.MAX_CONNECTIONS + Forwarder.MAX_WAITING);
        // Opening 350 connections on two cores takes the client most of a second, so "at once" is
        // measured against the queued requests: every refusal came before the first of them timed out.
        long firstTimeout = timedOutAtNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(busyAtNanos).as("refused at once, not after waiting").allMatch(at -> at < firstTimeout);
    }
}
