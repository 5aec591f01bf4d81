package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sessions and values are bounded and counted: a session flood through HTTP cannot grow a node without limit. */
class KvMemoryGuardTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Vertx vertx = Vertx.vertx();
    private final List<KvHttpServer> servers = new ArrayList<>();
    private MemoryKvCluster cluster;

    @AfterEach
    void stop() {
        servers.forEach(KvHttpServer::close);
        if (cluster != null) {
            cluster.close();
        }
        vertx.close().await();
    }

    /** Starts the cluster with an HTTP server per node; answers the leader's URL. */
    private String start(int nodes, long maxHeapBytes, SessionPolicy policy) throws Exception {
        cluster = new MemoryKvCluster(nodes, 5, maxHeapBytes);
        Map<NodeId, String> urls = new TreeMap<>();
        for (RaftServer s : cluster.servers) {
            try (ServerSocket socket = new ServerSocket(0)) {
                urls.put(s.id(), "http://127.0.0.1:" + socket.getLocalPort());
            }
        }
        for (RaftServer s : cluster.servers) {
            KvHttpServer server = new KvHttpServer(vertx, s, cluster.stateMachineOf(s), policy, urls,
                    new HttpLimits(64, 64 * 1024, 256 * 1024), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            server.listen("127.0.0.1", URI.create(urls.get(s.id())).getPort()).await();
            servers.add(server);
        }
        return urls.get(cluster.awaitLeader().id());
    }

    private HttpResponse<String> put(String base, String key, String value, long clientId) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key))
                .header("X-Client-Id", Long.toString(clientId)).header("X-Sequence", "1")
                .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("value", value).encode())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSessionFloodLeavesEveryReplicaWithTheSameCapacityBoundedTable() throws Exception {
        String leader = start(3, Runtime.getRuntime().maxMemory(), new SessionPolicy(60_000, 100));
        String big = "v".repeat(16 * 1024);
        for (long client = 1; client <= 250; client++) {
            assertThat(put(leader, "flood", big, client).statusCode()).isEqualTo(200);
        }
        long committed = cluster.awaitLeader().status().commitIndex();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (cluster.servers.stream().anyMatch(s -> s.status().appliedIndex() < committed) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        for (KvStateMachine kv : cluster.stateMachines) {
            assertThat(kv.sessionCount()).isEqualTo(100);
            // One 16 KiB value and 100 sessions of a few hundred bytes: no session keeps a value.
            assertThat(kv.heapBytes()).isLessThan(2 * 16 * 1024 + 100 * 400);
        }
    }

    @Test
    void keysValuesAndSessionsCountAgainstTheMemoryGuardWithTheLog() throws Exception {
        String leader = start(1, 2L << 20, SessionPolicy.DEFAULT); // a 1.6 MB limit
        RaftServer raft = cluster.awaitLeader();
        HttpResponse<String> refused = null;
        RaftStatus atRefusal = null;
        for (long client = 1; client <= 10_000 && refused == null; client++) {
            HttpResponse<String> r = put(leader, "k" + client, "value-" + client, client);
            if (r.statusCode() != 200) {
                refused = r;
                atRefusal = raft.status();
            }
        }
        assertThat(refused).as("a write was refused before 10,000 sessions").isNotNull();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
        JsonObject body = new JsonObject(refused.body());
        assertThat(body.getString("error")).isEqualTo("log-full");
        assertThat(body.getString("outcome")).isEqualTo("not-applied");
        assertThat(body.getString("message")).contains("client sessions", "-Xmx");
        assertThat(atRefusal.logHeapBytes()).as("refused while the log alone was under the limit")
                .isLessThan(atRefusal.logHeapLimitBytes() * 2 / 3);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(leader + "/v1/kv/k1")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("reads go on").isEqualTo(200);
    }
}
