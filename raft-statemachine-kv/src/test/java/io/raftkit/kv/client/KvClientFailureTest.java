package io.raftkit.kv.client;

import io.raftkit.kv.http.HttpKvNodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.http.HttpLimits;
import io.raftkit.kv.wire.WireCodec;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** KvClient on the binary protocol against real (in-JVM) nodes and against nodes that misbehave. */
class KvClientFailureTest {

    private static final HttpLimits LIMITS = new HttpLimits(64, 256, 1024);

    @Test
    void valuesAreBytesTheLeaderServesAndTheJsonViewShowsWhatIsNotTextInBase64() throws Exception {
        try (HttpKvNodes nodes = new HttpKvNodes(21, LIMITS); KvClient client = KvClient.create(nodes.endpoints())) {
            byte[] bytes = {0, (byte) 0xFF, 'a', (byte) 0xC3};
            KvResponse put = client.blocking().put("b", bytes);
            KvResponse got = client.blocking().get("b");
            assertThat(got.valueBytes()).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes));
            assertThat(got.value()).as("not text").isEmpty();
            assertThat(got.body().getString("valueBase64")).isEqualTo(java.util.Base64.getEncoder().encodeToString(bytes));
            assertThat(got.servedBy()).contains(nodes.cluster.awaitLeader().id().value());
            assertThat(got.index()).isGreaterThanOrEqualTo(put.index());
            assertThat(client.blocking().get("never").found()).isFalse();
            assertThat(client.blocking().cas("b", Optional.of("x"), "y").succeeded()).isFalse();
            assertThat(client.blocking().casBytes("b", Optional.of(bytes), new byte[]{1}).succeeded()).isTrue();
        }
    }

    @Test
    void aLeaderChangeUnderLoadLosesAndDoublesNoAcknowledgedWrite() throws Exception {
        try (HttpKvNodes nodes = new HttpKvNodes(22, LIMITS);
             KvClient client = KvClient.builder(nodes.endpoints()).requestTimeout(Duration.ofSeconds(2)).retryWindow(Duration.ofSeconds(20)).build()) {
            RaftServer first = nodes.cluster.awaitLeader();
            Map<String, AtomicInteger> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                String key = "w" + w;
                acknowledged.put(key, new AtomicInteger());
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        try {
                            KvResponse r = client.blocking().put(key, "x");
                            assertThat(r.ok()).isTrue();
                            acknowledged.get(key).incrementAndGet();
                        } catch (RuntimeException | AssertionError e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    }
                });
                t.start();
                writers.add(t);
            }
            Thread.sleep(300);
            RaftServer target = nodes.cluster.servers.stream().filter(s -> s != first).findFirst().orElseThrow();
            first.transferLeadership(target.id()).get(5, TimeUnit.SECONDS);
            RaftServer second = nodes.cluster.awaitLeaderOtherThan(first);
            Thread.sleep(500);
            running.set(false);
            for (Thread t : writers) {
                t.join(30_000);
            }
            assertThat(failures).isEmpty();
            for (Map.Entry<String, AtomicInteger> e : acknowledged.entrySet()) {
                // Each acknowledged put raised the version by exactly one: none lost, none applied twice.
                assertThat(client.blocking().get(e.getKey()).version()).as(e.getKey()).isEqualTo(e.getValue().get());
            }
            assertThat(client.blocking().get("w0").servedBy()).contains(second.id().value());
        }
    }

    @Test
    void aNodeGoingDownMovesTheClientToTheNewLeader() throws Exception {
        try (HttpKvNodes nodes = new HttpKvNodes(23, LIMITS);
             KvClient client = KvClient.builder(nodes.endpoints()).requestTimeout(Duration.ofSeconds(2)).retryWindow(Duration.ofSeconds(20)).build()) {
            RaftServer first = nodes.cluster.awaitLeader();
            client.blocking().put("k", "1");
            CompletableFuture<KvResponse> during = new CompletableFuture<>();
            nodes.stop(first);
            // Sent while the leader is gone: retried until the survivors elect one.
            client.put("k", "2").whenComplete((r, e) -> {
                if (e != null) {
                    during.completeExceptionally(e);
                } else {
                    during.complete(r);
                }
            });
            KvResponse r = during.get(30, TimeUnit.SECONDS);
            assertThat(r.ok()).isTrue();
            RaftServer second = nodes.cluster.awaitLeaderOtherThan(first);
            assertThat(r.servedBy()).contains(second.id().value());
            assertThat(client.blocking().get("k").value()).contains("2");
        }
    }

    @Test
    void anAttemptThatGetsNoAnswerTimesOutAndAWriteThenHasAnUnknownOutcome() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            AtomicInteger frames = new AtomicInteger();
            HttpServer silent = vertx.createHttpServer().requestHandler(req -> {
                String self = "http://127.0.0.1:" + req.localAddress().port();
                if (req.path().equals("/v1/status")) {
                    req.response().end("{\"leaderHttp\":\"" + self + "\"}");
                } else if (req.path().equals(WireCodec.PATH)) {
                    req.response().putHeader("Upgrade", WireCodec.PROTOCOL);
                    req.toNetSocket().onSuccess(s -> s.handler(b -> frames.incrementAndGet())); // reads, never answers
                } else {
                    req.response().setStatusCode(404).end();
                }
            }).listen(0, "127.0.0.1").await();
            String url = "http://127.0.0.1:" + silent.actualPort();
            try (KvClient client = KvClient.builder(List.of(url)).requestTimeout(Duration.ofMillis(200))
                    .retryWindow(Duration.ofMillis(700)).build()) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> client.blocking().put("k", "v"))
                        .isInstanceOf(KvClientException.class)
                        .hasMessageContaining("no answer within 200 ms")
                        .matches(e -> ((KvClientException) e).outcome() == Outcome.UNKNOWN, "outcome unknown");
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(tookMillis).as("gave up after the retry window").isBetween(600L, 5_000L);
                assertThat(frames.get()).as("it was sent, and retried").isGreaterThanOrEqualTo(2);
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void anOversizedValueIsRefusedNotAppliedWhileTheOtherRequestsOnTheConnectionGoOn() throws Exception {
        try (HttpKvNodes nodes = new HttpKvNodes(24, LIMITS); KvClient client = KvClient.create(nodes.endpoints())) {
            List<CompletableFuture<KvResponse>> small = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                small.add(client.put("s" + i, "v"));
            }
            CompletableFuture<KvResponse> overLimit = client.put("big", new byte[257]);
            CompletableFuture<KvResponse> overFrame = client.put("huge", new byte[100_000]);
            for (int i = 50; i < 100; i++) {
                small.add(client.put("s" + i, "v"));
            }
            assertThat(overLimit.get(10, TimeUnit.SECONDS).status()).isEqualTo(400);
            assertThat(overLimit.get().error()).contains("value-too-large");
            assertThat(overLimit.get().outcome()).isEqualTo(Outcome.NOT_APPLIED);
            assertThat(overFrame.get(10, TimeUnit.SECONDS).status()).isEqualTo(413);
            for (CompletableFuture<KvResponse> f : small) {
                assertThat(f.get(10, TimeUnit.SECONDS).ok()).isTrue();
            }
            assertThatThrownBy(() -> client.blocking().put("big", new byte[300]))
                    .isInstanceOf(KvClientException.class)
                    .matches(e -> ((KvClientException) e).outcome() == Outcome.NOT_APPLIED, "not applied")
                    .matches(e -> ((KvClientException) e).error().orElse("").equals("value-too-large"), "names the error");
            assertThat(client.blocking().get("big").found()).isFalse();
        }
    }

    @Test
    void callsBeyondTheInFlightAndQueueBoundsFailAtOnceNotApplied() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer silent = vertx.createHttpServer().requestHandler(req -> {
                String self = "http://127.0.0.1:" + req.localAddress().port();
                if (req.path().equals("/v1/status")) {
                    req.response().end("{\"leaderHttp\":\"" + self + "\"}");
                } else if (req.path().equals(WireCodec.PATH)) {
                    req.response().putHeader("Upgrade", WireCodec.PROTOCOL);
                    req.toNetSocket().onSuccess(s -> s.handler(b -> { }));
                }
            }).listen(0, "127.0.0.1").await();
            try (KvClient client = KvClient.builder(List.of("http://127.0.0.1:" + silent.actualPort()))
                    .maxInFlight(2).maxQueued(1).requestTimeout(Duration.ofSeconds(5)).build()) {
                for (int i = 0; i < 3; i++) {
                    client.put("k" + i, "v");
                }
                CompletableFuture<KvResponse> fourth = client.put("k3", "v");
                assertThatThrownBy(() -> fourth.get(1, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(KvClientException.class).hasMessageContaining("maxInFlight")
                        .matches(e -> ((KvClientException) e).outcome() == Outcome.NOT_APPLIED, "not applied");
            }
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void sixtyFourCallersShareOneConnectionToTheLeader() throws Exception {
        try (HttpKvNodes nodes = new HttpKvNodes(25, LIMITS); KvClient client = KvClient.create(nodes.endpoints())) {
            RaftServer leader = nodes.cluster.awaitLeader();
            int before = nodes.servers.get(leader.id()).openConnections();
            List<Thread> callers = new ArrayList<>();
            AtomicInteger ok = new AtomicInteger();
            for (int c = 0; c < 64; c++) {
                String key = "c" + c;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 20; i++) {
                        if (client.blocking().put(key, "v" + i).ok()) {
                            ok.incrementAndGet();
                        }
                    }
                });
                t.start();
                callers.add(t);
            }
            for (Thread t : callers) {
                t.join(30_000);
            }
            assertThat(ok.get()).isEqualTo(64 * 20);
            assertThat(nodes.servers.get(leader.id()).openConnections() - before)
                    .as("one stream to the leader (and at most the pooled connection of the leader search)").isBetween(1, 2);
        }
    }
}
