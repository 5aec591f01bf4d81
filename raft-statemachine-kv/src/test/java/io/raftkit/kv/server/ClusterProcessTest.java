package io.raftkit.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvClientException;
import io.raftkit.kv.client.KvResponse;
import io.raftkit.kv.demo.LocalCluster;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: three {@code raft-kv server} processes on loopback with the default plugins
 * (vertx-tcp, mapdb), driven over HTTP by KvClient, killed with {@code kill -9}.
 */
class ClusterProcessTest {

    @TempDir
    Path dir;

    @Test
    void killingTheLeaderElectsANewOneAndEveryAcknowledgedWriteSurvivesKillingAllThree() throws Exception {
        int[] ports = FreePorts.take(6);
        try (LocalCluster cluster = new LocalCluster(dir, new int[]{ports[0], ports[1], ports[2]},
                new int[]{ports[3], ports[4], ports[5]},
                // C1 only and a small heap: two cores shared by three nodes and the test; C2
                // compile threads would compete with the nodes for the whole run.
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of())) {
            cluster.startAll();
            int firstLeader = cluster.awaitStableLeader(Duration.ofSeconds(60), Duration.ofSeconds(2));
            checkForwardingAndBadInput(cluster, firstLeader);
            Map<String, KvResponse> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger ackedAfterKill = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicBoolean writing = new AtomicBoolean(true);
            try (KvClient client = new KvClient(List.of(cluster.endpoints().split(",")), Duration.ofSeconds(5), Duration.ofSeconds(20))) {
                Thread writer = new Thread(() -> {
                    for (int i = 0; writing.get(); i++) {
                        String key = "w-" + i;
                        try {
                            KvResponse r = client.put(key, "value-" + i).get(30, TimeUnit.SECONDS);
                            if (r.ok()) {
                                acknowledged.put(key, r);
                                if (killed.get()) {
                                    ackedAfterKill.incrementAndGet();
                                }
                            }
                        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                            // not acknowledged: no promise to check
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "writer");
                writer.start();
                awaitAcknowledged(acknowledged, 20);

                cluster.kill(firstLeader);
                killed.set(true);
                int secondLeader = cluster.awaitLeader(Duration.ofSeconds(30));
                assertThat(secondLeader).isNotEqualTo(firstLeader);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ackedAfterKill.get() < 20 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(ackedAfterKill.get()).as("writes acknowledged after the leader was killed").isGreaterThanOrEqualTo(20);
                cluster.start(firstLeader);

                // One key overwritten by acknowledged writes only: its version must come back exactly.
                for (int v = 1; v <= 5; v++) {
                    assertThat(client.put("counter", "c" + v).get(30, TimeUnit.SECONDS).version()).isEqualTo(v);
                }
                writing.set(false);
                writer.join(35_000);
            }

            for (int i = 0; i < 3; i++) {
                cluster.kill(i);
            }
            cluster.startAll();
            cluster.awaitLeader(Duration.ofSeconds(60));
            try (KvClient client = new KvClient(List.of(cluster.endpoints().split(",")), Duration.ofSeconds(5), Duration.ofSeconds(20))) {
                KvResponse counter = client.get("counter").get(30, TimeUnit.SECONDS);
                assertThat(counter.value()).contains("c5");
                assertThat(counter.version()).isEqualTo(5);
                for (Map.Entry<String, KvResponse> e : acknowledged.entrySet()) {
                    KvResponse now = client.get(e.getKey()).get(30, TimeUnit.SECONDS);
                    assertThat(now.status()).as("acknowledged write of %s", e.getKey()).isEqualTo(200);
                    assertThat(now.value()).isEqualTo(e.getValue().value());
                    assertThat(now.version()).isEqualTo(e.getValue().version());
                    assertThat(now.body().getLong("modIndex")).isEqualTo(e.getValue().body().getLong("modIndex"));
                }
            } catch (ExecutionException e) {
                throw new AssertionError("a read after restart failed: " + e.getCause(), e.getCause() instanceof KvClientException ? e.getCause() : e);
            }
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(40);
            benchRunsAgainstTheRestartedCluster(cluster);
        }
    }

    /** The load tool end to end (its own connections, sessions, the JSON line), briefly. */
    private static void benchRunsAgainstTheRestartedCluster(LocalCluster cluster) {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        int status;
        System.setOut(new java.io.PrintStream(captured, true));
        try {
            status = io.raftkit.kv.cli.Main.run("bench", "--endpoints", cluster.endpoints(), "--clients", "8",
                    "--seconds", "2", "--warmup", "1", "--keys", "50", "--mode", "mixed");
        } finally {
            System.setOut(out);
        }
        String[] lines = captured.toString().strip().split("\n");
        assertThat(status).as("bench exit status; output:%n%s", captured).isZero();
        io.vertx.core.json.JsonObject summary = new io.vertx.core.json.JsonObject(lines[lines.length - 1]);
        assertThat(summary.getLong("ops_per_sec")).isPositive();
        assertThat(summary.getLong("errors")).isZero();
        assertThat(summary.getString("mode")).isEqualTo("mixed");
    }

    /** Over the real processes: a follower forwards and names the leader; bad input is refused. */
    private static void checkForwardingAndBadInput(LocalCluster cluster, int leader) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // Elections can happen on a starved machine: retry until one attempt sees a stable leader.
        String follower = null;
        String servedBy = null;
        String expectedLeader = null;
        boolean forwarded = false;
        for (int attempt = 0; attempt < 5 && (servedBy == null || !servedBy.equals(expectedLeader)); attempt++) {
            int current = cluster.awaitLeader(Duration.ofSeconds(30));
            expectedLeader = cluster.nodes().get(current).id();
            follower = cluster.nodes().get((current + 1) % 3).http();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(follower + "/v1/kv/via-follower"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
            servedBy = put.statusCode() == 200 ? new JsonObject(put.body()).getString("servedBy") : null;
            forwarded = put.headers().firstValue("X-Raftkit-Forwarded-Via").isPresent();
        }
        assertThat(servedBy).as("the leader served the request sent to a follower").isEqualTo(expectedLeader);
        assertThat(forwarded).as("the follower forwarded it").isTrue();
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(follower + "/v1/kv/k"))
                .PUT(HttpRequest.BodyPublishers.ofString("{oops")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("outcome")).isEqualTo("not-applied");
        HttpResponse<String> huge = http.send(HttpRequest.newBuilder(URI.create(follower + "/v1/kv/k"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[5 * 1024 * 1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(huge.statusCode()).isEqualTo(413);
        // curl -d sends its body as a form unless told otherwise; a 9 KB value must still be read as JSON.
        String nineKb = "n".repeat(9 * 1024);
        HttpResponse<String> formTyped = http.send(HttpRequest.newBuilder(URI.create(follower + "/v1/kv/form-typed"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"" + nineKb + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(formTyped.statusCode()).as(formTyped.body()).isEqualTo(200);
        assertThat(new JsonObject(formTyped.body()).getString("value")).isEqualTo(nineKb);
        String metrics = http.send(HttpRequest.newBuilder(URI.create(follower + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).as("raft, storage and transport counters in one scrape")
                .contains("raft_commit_index{", "raftkit_storage_append_seconds_count{", "raftkit_transport_messages_total{",
                        "jvm_memory_used_bytes{");
    }

    private static void awaitAcknowledged(Map<String, KvResponse> acknowledged, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acknowledged.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(count);
    }
}
