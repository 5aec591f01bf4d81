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
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (KvClient client = new KvClient(List.of("http://127.0.0.1:" + closedPort), Duration.ofSeconds(1), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> client.put("k", "v").get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(KvClientException.class)
                    .hasMessageContaining("ConnectException")
                    .matches(e -> ((KvClientException) e).certainlyNotApplied(), "certainly not applied");
        }
    }

    @Test
    void aMalformedEndpointIsRefusedNamingIt() {
        assertThatThrownBy(() -> KvClient.create(List.of("localhost:8001"))).hasMessageContaining("localhost:8001");
    }
}
