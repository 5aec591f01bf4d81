package io.raftkit.kv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KvClient against a scripted stub node: retries, sessions and outcomes. */
class KvClientTest {

    private final Vertx vertx = Vertx.vertx();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    /** A node that answers the first {@code failures} KV requests with {@code status}/{@code outcome}, then 200. */
    private String stub(int failures, int status, String outcome) {
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            String port = Integer.toString(req.localAddress().port());
            if (req.path().equals("/v1/stream")) {
                req.response().setStatusCode(404).end(); // a node without the binary protocol: the client uses JSON
                return;
            }
            if (req.path().equals("/v1/status")) {
                req.response().end(new JsonObject().put("leaderHttp", "http://127.0.0.1:" + port).encode());
                return;
            }
            seen.add(req.method() + " " + req.getHeader("X-Client-Id") + "/" + req.getHeader("X-Sequence"));
            if (calls.incrementAndGet() <= failures) {
                req.response().setStatusCode(status).end(new JsonObject().put("error", "e").put("outcome", outcome).encode());
            } else {
                req.response().end(new JsonObject().put("key", "k").put("value", "v").put("version", 1).encode());
            }
        }).listen(0, "127.0.0.1").await();
        return "http://127.0.0.1:" + server.actualPort();
    }

    @Test
    void aRetryAfterAnUnknownOutcomeReusesTheClientIdAndSequence() throws Exception {
        String url = stub(2, 504, "unknown");
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            KvResponse r = client.cas("k", Optional.empty(), "v").get(10, TimeUnit.SECONDS);
            assertThat(r.ok()).isTrue();
        }
        assertThat(seen).hasSize(3);
        assertThat(seen).allMatch(s -> s.equals(seen.get(0)));
        assertThat(seen.get(0)).doesNotContain("null");
    }

    @Test
    void theNextWriteOfASessionUsesTheNextSequence() throws Exception {
        String url = stub(0, 200, "");
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            client.put("a", "1").get(10, TimeUnit.SECONDS);
            client.put("a", "2").get(10, TimeUnit.SECONDS);
        }
        String[] first = seen.get(0).split("[ /]");
        String[] second = seen.get(1).split("[ /]");
        assertThat(second[1]).isEqualTo(first[1]);
        assertThat(Long.parseLong(second[2])).isEqualTo(Long.parseLong(first[2]) + 1);
    }

    @Test
    void givingUpAfterOnlyNotAppliedRefusalsSaysCertainlyNotApplied() {
        String url = stub(1_000, 503, "not-applied");
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(1), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> client.put("a", "1").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(((KvClientException) e.getCause()).certainlyNotApplied()).isTrue());
        }
    }

    @Test
    void givingUpAfterATimeoutSaysTheOutcomeIsUnknown() {
        String url = stub(1_000, 504, "unknown");
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(1), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> client.put("a", "1").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(((KvClientException) e.getCause()).certainlyNotApplied()).isFalse());
        }
    }

    @Test
    void givingUpWhenNoNodeAcceptedAConnectionSaysCertainlyNotApplied() throws Exception {
        int closedPort = closedPort();
        try (KvClient client = new KvClient(List.of("http://127.0.0.1:" + closedPort), Duration.ofSeconds(1), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> client.put("k", "v").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(KvClientException.class)
                    .hasMessageContaining("ConnectException")
                    .matches(e -> ((KvClientException) e).certainlyNotApplied(), "certainly not applied");
        }
    }

    /** A node that advertises {@code leaderHttp} and answers KV requests from {@code script}, then 200. */
    private String scripted(String leaderHttp, List<JsonObject> script, AtomicInteger statusCalls) {
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/v1/stream")) {
                req.response().setStatusCode(404).end();
                return;
            }
            if (req.path().equals("/v1/status")) {
                statusCalls.incrementAndGet();
                req.response().end(new JsonObject().put("leaderHttp", leaderHttp).encode());
                return;
            }
            seen.add(req.method() + " " + req.getHeader("X-Client-Id") + "/" + req.getHeader("X-Sequence"));
            int call = calls.getAndIncrement();
            if (call < script.size()) {
                JsonObject answer = script.get(call);
                req.response().setStatusCode(answer.getInteger("status")).end(answer.encode());
            } else {
                req.response().putHeader("X-Raftkit-Forwarded-Via", "n2")
                        .end(new JsonObject().put("key", "k").put("value", "v").put("version", 1).encode());
            }
        }).listen(0, "127.0.0.1").await();
        return "http://127.0.0.1:" + server.actualPort();
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void whenTheAdvertisedLeaderDoesNotConnectFromHereTheClientSendsThroughTheEndpointItWasGiven() throws Exception {
        // As behind published ports: the node names the leader by an address only the cluster reaches.
        AtomicInteger statusCalls = new AtomicInteger();
        String url = scripted("http://127.0.0.1:" + closedPort(), List.of(), statusCalls);
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(2), Duration.ofSeconds(3))) {
            for (int i = 0; i < 5; i++) {
                assertThat(client.put("k" + i, "v").get(10, TimeUnit.SECONDS).ok()).isTrue();
            }
        }
        assertThat(seen).hasSize(5);
        assertThat(statusCalls.get()).as("the relay is kept, not re-found after every forwarded answer").isEqualTo(1);
    }

    @Test
    void aSessionTheClusterNoLongerKeepsIsReplacedAndTheRequestSentAgain() throws Exception {
        AtomicInteger statusCalls = new AtomicInteger();
        String url = scripted(null, List.of(expired()), statusCalls);
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            assertThat(client.put("a", "1").get(10, TimeUnit.SECONDS).ok()).isTrue();
            assertThat(client.put("a", "2").get(10, TimeUnit.SECONDS).ok()).isTrue();
        }
        String[] refused = seen.get(0).split("[ /]");
        String[] renewed = seen.get(1).split("[ /]");
        String[] next = seen.get(2).split("[ /]");
        assertThat(renewed[1]).as("a new client id").isNotEqualTo(refused[1]);
        assertThat(renewed[2]).as("starting at the first sequence").isEqualTo("1");
        assertThat(next[1]).as("the new session is reused").isEqualTo(renewed[1]);
        assertThat(next[2]).isEqualTo("2");
    }

    @Test
    void aSessionThatExpiredAfterAnAttemptWithAnUnknownOutcomeFailsWithAnUnknownOutcome() {
        AtomicInteger statusCalls = new AtomicInteger();
        String url = scripted(null, List.of(new JsonObject().put("status", 504).put("error", "timeout").put("outcome", "unknown"),
                expired()), statusCalls);
        try (KvClient client = new KvClient(List.of(url), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> client.put("a", "1").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().hasMessageContaining("session expired")
                    .matches(e -> !((KvClientException) e).certainlyNotApplied(), "outcome unknown");
        }
        assertThat(seen).hasSize(2);
    }

    private static JsonObject expired() {
        return new JsonObject().put("status", 409).put("error", "session-expired").put("outcome", "not-applied");
    }

    @Test
    void aNodeThatNeverAnswersTheSwitchToTheBinaryProtocolIsServedOverTheJsonApi() throws Exception {
        // As behind a proxy that holds upgrade requests: the client must not wait on it for every request.
        AtomicInteger upgrades = new AtomicInteger();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            String self = "http://127.0.0.1:" + req.localAddress().port();
            if (req.path().equals("/v1/stream")) {
                upgrades.incrementAndGet();
                return; // never answered
            }
            if (req.path().equals("/v1/status")) {
                req.response().end(new JsonObject().put("leaderHttp", self).encode());
                return;
            }
            seen.add(req.method() + " " + req.getHeader("X-Client-Id") + "/" + req.getHeader("X-Sequence"));
            req.response().end(new JsonObject().put("key", "k").put("value", "v").put("version", 1).encode());
        }).listen(0, "127.0.0.1").await();
        try (KvClient client = KvClient.create(List.of("http://127.0.0.1:" + server.actualPort()))) {
            long start = System.nanoTime();
            assertThat(client.put("a", "1").get(10, TimeUnit.SECONDS).ok()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).as("after the 2 s the switch may take").isBetween(1_900L, 6_000L);
            start = System.nanoTime();
            assertThat(client.put("a", "2").get(10, TimeUnit.SECONDS).ok()).isTrue();
            // Counted, not only timed (a loaded host can make one request slow): no second upgrade was tried.
            assertThat(upgrades.get()).as("upgrade attempts").isEqualTo(1);
            assertThat((System.nanoTime() - start) / 1_000_000).as("the next request does not wait for the switch").isLessThan(1_900L);
        }
        assertThat(seen).hasSize(2);
    }

    @Test
    void aMalformedEndpointIsRefusedNamingIt() {
        assertThatThrownBy(() -> KvClient.create(List.of("localhost:8001"))).hasMessageContaining("localhost:8001");
    }
}
