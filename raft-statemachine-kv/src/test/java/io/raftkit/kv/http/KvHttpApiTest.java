package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API of three in-JVM nodes (memory plugins): answers, errors, forwarding, observability. */
class KvHttpApiTest {

    private static final HttpLimits LIMITS = new HttpLimits(16, 64, 1024);
    private static HttpKvNodes nodes;
    private static MemoryKvCluster cluster;
    private static Map<NodeId, String> urls;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        nodes = new HttpKvNodes(7, LIMITS);
        cluster = nodes.cluster;
        urls = nodes.urls;
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static String leaderUrl() throws InterruptedException {
        return nodes.leaderUrl();
    }

    private static String followerUrl() throws InterruptedException {
        return nodes.followerUrl();
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> r) {
        return new JsonObject(r.body());
    }

    @Test
    void putThenGetReturnsTheValueWithVersionAndLogIndex() throws Exception {
        String base = leaderUrl();
        JsonObject put = json(send("PUT", base + "/v1/kv/alpha", "{\"value\":\"one\"}"));
        JsonObject get = json(send("GET", base + "/v1/kv/alpha", null));
        assertThat(put.getString("key")).isEqualTo("alpha");
        assertThat(get.getString("value")).isEqualTo("one");
        assertThat(get.getLong("version")).isEqualTo(put.getLong("version"));
        assertThat(get.getLong("modIndex")).isEqualTo(put.getLong("index"));
    }

    @Test
    void casAnswersSucceededAndTheCurrentValue() throws Exception {
        String base = leaderUrl();
        JsonObject created = json(send("POST", base + "/v1/kv/lock/cas", "{\"expected\":null,\"value\":\"a\"}"));
        JsonObject refused = json(send("POST", base + "/v1/kv/lock/cas", "{\"expected\":null,\"value\":\"b\"}"));
        JsonObject swapped = json(send("POST", base + "/v1/kv/lock/cas", "{\"expected\":\"a\",\"value\":\"c\"}"));
        assertThat(created.getBoolean("succeeded")).isTrue();
        assertThat(refused.getBoolean("succeeded")).isFalse();
        assertThat(refused.getString("value")).isEqualTo("a");
        assertThat(swapped.getBoolean("succeeded")).isTrue();
        assertThat(swapped.getLong("version")).isEqualTo(2);
    }

    @Test
    void deleteRemovesAndAMissingKeyIs404WithErrorJson() throws Exception {
        String base = leaderUrl();
        send("PUT", base + "/v1/kv/gone", "{\"value\":\"x\"}");
        assertThat(send("DELETE", base + "/v1/kv/gone", null).statusCode()).isEqualTo(200);
        HttpResponse<String> missing = send("GET", base + "/v1/kv/gone", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).getString("error")).isEqualTo("key-not-found");
    }

    @Test
    void aFollowerForwardsWritesAndLinearizableReadsToTheLeaderAndSaysWhoServed() throws Exception {
        String leaderId = cluster.awaitLeader().id().value();
        String follower = followerUrl();
        HttpResponse<String> put = send("PUT", follower + "/v1/kv/fwd", "{\"value\":\"v\"}");
        HttpResponse<String> get = send("GET", follower + "/v1/kv/fwd", null);
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(json(put).getString("servedBy")).isEqualTo(leaderId);
        assertThat(put.headers().firstValue("X-Raftkit-Forwarded-Via")).isPresent();
        assertThat(json(get).getString("value")).isEqualTo("v");
        assertThat(json(get).getString("servedBy")).isEqualTo(leaderId);
    }

    @Test
    void aStaleReadIsServedByTheNodeAsked() throws Exception {
        String follower = followerUrl();
        send("PUT", leaderUrl() + "/v1/kv/stale", "{\"value\":\"v\"}");
        HttpResponse<String> r = send("GET", follower + "/v1/kv/stale?consistency=stale", null);
        String followerId = urls.entrySet().stream().filter(e -> e.getValue().equals(follower)).findFirst().orElseThrow().getKey().value();
        assertThat(json(r).getString("servedBy")).isEqualTo(followerId);
    }

    @Test
    void invalidJsonIs400NotApplied() throws Exception {
        assertError(send("PUT", leaderUrl() + "/v1/kv/a", "{\"value\":"), 400, "invalid-json", "not-applied");
    }

    @Test
    void aBodyThatIsNotAnObjectIs400() throws Exception {
        assertError(send("PUT", leaderUrl() + "/v1/kv/a", "[1,2]"), 400, "invalid-json", "not-applied");
    }

    @Test
    void aMissingValueIs400() throws Exception {
        assertError(send("PUT", leaderUrl() + "/v1/kv/a", "{\"valu\":\"x\"}"), 400, "missing-field", "not-applied");
    }

    @Test
    void aCasWithoutExpectedIs400() throws Exception {
        assertError(send("POST", leaderUrl() + "/v1/kv/a/cas", "{\"value\":\"x\"}"), 400, "missing-field", "not-applied");
    }

    @Test
    void aNonStringValueIs400() throws Exception {
        assertError(send("PUT", leaderUrl() + "/v1/kv/a", "{\"value\":5}"), 400, "invalid-field", "not-applied");
    }

    @Test
    void aKeyOverTheLimitIs400NamingTheLimit() throws Exception {
        HttpResponse<String> r = send("PUT", leaderUrl() + "/v1/kv/" + "k".repeat(17), "{\"value\":\"x\"}");
        assertError(r, 400, "key-too-long", "not-applied");
        assertThat(json(r).getString("message")).contains("max-key-bytes");
    }

    @Test
    void aValueOverTheLimitIs400() throws Exception {
        assertError(send("PUT", leaderUrl() + "/v1/kv/a", "{\"value\":\"" + "v".repeat(65) + "\"}"), 400, "value-too-large", "not-applied");
    }

    @Test
    void aBodyBeyondTheBodyLimitIs413() throws Exception {
        assertError(send("PUT", leaderUrl() + "/v1/kv/a", "{\"value\":\"" + "v".repeat(200_000) + "\"}"), 413, "body-too-large", "not-applied");
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        assertError(send("GET", leaderUrl() + "/v2/nothing", null), 404, "not-found", "not-applied");
    }

    @Test
    void healthAnswersHead() throws Exception {
        HttpResponse<String> head = send("HEAD", leaderUrl() + "/health", null);
        assertThat(head.statusCode()).isIn(200, 503);
        assertThat(head.body()).isEmpty();
        assertThat(send("POST", leaderUrl() + "/health", "{}").headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void aWrongMethodIs405() throws Exception {
        HttpResponse<String> patch = send("PATCH", leaderUrl() + "/v1/kv/a", "{}");
        assertError(patch, 405, "method-not-allowed", "not-applied");
        assertThat(patch.headers().firstValue("Allow")).contains("GET, PUT, DELETE");
        assertThat(send("GET", leaderUrl() + "/v1/kv/a/cas", null).headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void aBadSessionHeaderIs400() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(leaderUrl() + "/v1/kv/a"))
                .header("X-Client-Id", "abc").header("X-Sequence", "1")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(r, 400, "invalid-header", "not-applied");
    }

    @Test
    void aRetryWithTheSameSessionHeadersReturnsTheOriginalAnswer() throws Exception {
        String base = leaderUrl();
        HttpRequest cas = HttpRequest.newBuilder(URI.create(base + "/v1/kv/once/cas"))
                .header("X-Client-Id", "991").header("X-Sequence", "1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"expected\":null,\"value\":\"a\"}")).build();
        JsonObject first = json(http.send(cas, HttpResponse.BodyHandlers.ofString()));
        JsonObject second = json(http.send(cas, HttpResponse.BodyHandlers.ofString()));
        assertThat(first.getBoolean("succeeded")).isTrue();
        assertThat(second.getBoolean("succeeded")).isTrue();
        assertThat(second.getLong("index")).isEqualTo(first.getLong("index"));
    }

    @Test
    void aRetryWithTheSameSequenceButADifferentCommandIs409AndChangesNothing() throws Exception {
        String base = leaderUrl();
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/reused"))
                .header("X-Client-Id", "992").header("X-Sequence", "1")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"kept\"}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/reused"))
                .header("X-Client-Id", "992").header("X-Sequence", "1").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertError(delete, 409, "sequence-reused", "not-applied");
        assertThat(json(delete).getLong("appliedIndex")).isEqualTo(json(put).getLong("index"));
        assertThat(json(send("GET", base + "/v1/kv/reused", null)).getString("value")).isEqualTo("kept");
    }

    @Test
    void aDuplicateAnswerSaysSoAndTheLeaderHasPutItsSessionPolicyIntoTheLog() throws Exception {
        String base = leaderUrl();
        HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/v1/kv/dup"))
                .header("X-Client-Id", "993").header("X-Sequence", "1")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":\"v\"}")).build();
        JsonObject first = json(http.send(put, HttpResponse.BodyHandlers.ofString()));
        JsonObject second = json(http.send(put, HttpResponse.BodyHandlers.ofString()));
        assertThat(first.containsKey("duplicate")).isFalse();
        assertThat(second.getBoolean("duplicate")).isTrue();
        assertThat(second.getString("value")).isEqualTo("v");
        assertThat(second.getLong("index")).isEqualTo(first.getLong("index"));
        JsonObject policy = json(send("GET", base + "/v1/status", null)).getJsonObject("sessionPolicy");
        assertThat(policy.getLong("ttlMs")).isEqualTo(SessionPolicy.DEFAULT.ttlMillis());
        assertThat(policy.getInteger("capacity")).isEqualTo(SessionPolicy.DEFAULT.capacity());
    }

    @Test
    void statusHealthAndMetricsDescribeTheNode() throws Exception {
        String base = followerUrl();
        JsonObject status = json(send("GET", base + "/v1/status", null));
        assertThat(status.getString("role")).isEqualTo("follower");
        assertThat(status.getString("leaderHttp")).isEqualTo(leaderUrl());
        assertThat(status.getJsonArray("members")).hasSize(3);
        assertThat(status.getLong("logHeapBytes")).isPositive().isLessThan(status.getLong("logHeapLimitBytes"));
        assertThat(send("GET", base + "/health", null).statusCode()).isEqualTo(200);
        send("GET", leaderUrl() + "/v1/kv/anything", null);
        String metrics = send("GET", leaderUrl() + "/metrics", null).body();
        assertThat(metrics).contains("raft_term{", "raft_role{", "raft_commit_index{", "raft_applied_index{",
                "raft_proposals_total{", "raft_reads_total{", "kv_request_seconds_bucket{",
                "raft_log_heap_bytes{", "raft_log_heap_limit_bytes{", "raft_read_confirm_seconds_count{",
                "kv_state_heap_bytes{", "kv_sessions{", "kv_http_connections{", "kv_http_connections_closed_total{");
    }

    @Test
    void raftFailuresMapToOutcomesByWhetherTheWriteMayHaveHappened() {
        assertThat(ApiError.from(new io.raftkit.core.server.NotLeaderException(java.util.Optional.empty())).outcome()).isEqualTo("not-applied");
        assertThat(ApiError.from(new io.raftkit.core.server.RequestTimeoutException("proposal", 5000)).outcome()).isEqualTo("unknown");
        assertThat(ApiError.from(new io.raftkit.core.server.NodeStoppedException("closed")).outcome()).isEqualTo("unknown");
        ApiError full = ApiError.from(new java.util.concurrent.CompletionException(
                new io.raftkit.core.server.LogFullException(800L << 20, 1000L << 20)));
        assertThat(full.status()).isEqualTo(507);
        assertThat(full.toJson().getString("error")).isEqualTo("log-full");
        assertThat(full.outcome()).isEqualTo("not-applied");
        assertThat(full.message()).contains("800 MB", "1000 MB", "-Xmx");
    }

    private static void assertError(HttpResponse<String> r, int status, String error, String outcome) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonObject body = json(r);
        assertThat(body.getString("error")).isEqualTo(error);
        assertThat(body.getString("outcome")).isEqualTo(outcome);
        assertThat(body.getString("message")).isNotBlank();
    }
}
