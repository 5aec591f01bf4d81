package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.kv.MemoryKvCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/txn} on three in-JVM nodes: results, guards, forwarding, sessions, and the 400s. */
class TxnHttpTest {

    private static final HttpLimits LIMITS = new HttpLimits(16, 64, 4096);
    private static HttpKvNodes nodes;
    private static MemoryKvCluster cluster;
    private static Map<NodeId, String> urls;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        nodes = new HttpKvNodes(11, LIMITS);
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

    private static HttpResponse<String> post(String base, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/txn"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private static JsonObject refused(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return new JsonObject(r.body());
    }

    @Test
    void aTransactionAppendsPutsAndReadsItsOwnWritesInOneEntry() throws Exception {
        JsonObject r = ok(post(leaderUrl(), "{\"ops\":[{\"op\":\"append\",\"key\":\"t1\",\"value\":\"a\"},"
                + "{\"op\":\"append\",\"key\":\"t1\",\"value\":\"b\"},{\"op\":\"put\",\"key\":\"t1-p\",\"value\":\"x\"},"
                + "{\"op\":\"get\",\"key\":\"t1\"},{\"op\":\"get\",\"key\":\"t1-none\"},{\"op\":\"delete\",\"key\":\"t1-p\"}]}"));
        assertThat(r.getBoolean("succeeded")).isTrue();
        JsonArray results = r.getJsonArray("results");
        assertThat(results).hasSize(6);
        assertThat(results.getJsonObject(3).getString("value")).isEqualTo("[\"a\",\"b\"]");
        assertThat(results.getJsonObject(4).getBoolean("found")).isFalse();
        assertThat(results.getJsonObject(5).getBoolean("found")).isTrue();
        assertThat(r.getString("servedBy")).isEqualTo(cluster.awaitLeader().id().value());
        // A plain GET returns the whole list.
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(leaderUrl() + "/v1/kv/t1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(new JsonObject(get.body()).getString("value")).isEqualTo("[\"a\",\"b\"]");
        assertThat(new JsonObject(get.body()).getLong("modIndex")).isEqualTo(r.getLong("index"));
    }

    @Test
    void aFollowerForwardsTheTransactionToTheLeader() throws Exception {
        JsonObject r = ok(post(followerUrl(), "{\"ops\":[{\"op\":\"append\",\"key\":\"t2\",\"value\":\"1\"},{\"op\":\"get\",\"key\":\"t2\"}]}"));
        assertThat(r.getJsonArray("results").getJsonObject(1).getString("value")).isEqualTo("[\"1\"]");
    }

    @Test
    void aFailedGuardAnswersSucceededFalseNamingTheGuardAndAppliesNothing() throws Exception {
        ok(post(leaderUrl(), "{\"ops\":[{\"op\":\"put\",\"key\":\"t3\",\"value\":\"v1\"}]}"));
        JsonObject r = ok(post(leaderUrl(), "{\"guards\":[{\"key\":\"t3\",\"exists\":true},{\"key\":\"t3\",\"value\":\"other\"}],"
                + "\"ops\":[{\"op\":\"put\",\"key\":\"t3\",\"value\":\"v2\"}]}"));
        assertThat(r.getBoolean("succeeded")).isFalse();
        assertThat(r.getInteger("failedGuard")).isEqualTo(1);
        JsonObject held = ok(post(leaderUrl(), "{\"guards\":[{\"key\":\"t3\",\"version\":1},{\"key\":\"t3\",\"value\":\"v1\"},"
                + "{\"key\":\"t3-none\",\"exists\":false}],\"ops\":[{\"op\":\"get\",\"key\":\"t3\"}]}"));
        assertThat(held.getBoolean("succeeded")).isTrue();
        assertThat(held.getJsonArray("results").getJsonObject(0).getString("value")).isEqualTo("v1");
    }

    @Test
    void anAppendToAPlainValueIs409NotAListAndUndoesTheWholeTransaction() throws Exception {
        ok(post(leaderUrl(), "{\"ops\":[{\"op\":\"put\",\"key\":\"t4\",\"value\":\"plain\"}]}"));
        JsonObject r = refused(post(leaderUrl(), "{\"ops\":[{\"op\":\"put\",\"key\":\"t4-o\",\"value\":\"x\"},"
                + "{\"op\":\"append\",\"key\":\"t4\",\"value\":\"y\"}]}"), 409);
        assertThat(r.getString("error")).isEqualTo("not-a-list");
        assertThat(r.getString("message")).startsWith("ops[1]");
        assertThat(r.getString("outcome")).isEqualTo("not-applied");
        JsonObject read = ok(post(leaderUrl(), "{\"ops\":[{\"op\":\"get\",\"key\":\"t4-o\"}]}"));
        assertThat(read.getJsonArray("results").getJsonObject(0).getBoolean("found")).isFalse();
    }

    @Test
    void aRetryWithTheSameSessionHeadersIsNotAppliedTwice() throws Exception {
        String body = "{\"ops\":[{\"op\":\"append\",\"key\":\"t5\",\"value\":\"once\"}]}";
        JsonObject first = ok(post(leaderUrl(), body, "X-Client-Id", "77", "X-Sequence", "1"));
        JsonObject retry = ok(post(followerUrl(), body, "X-Client-Id", "77", "X-Sequence", "1"));
        assertThat(retry.getBoolean("duplicate")).isTrue();
        assertThat(retry.getBoolean("resultsForgotten")).isTrue();
        assertThat(retry.getLong("index")).isEqualTo(first.getLong("index"));
        JsonObject reused = refused(post(leaderUrl(), "{\"ops\":[{\"op\":\"get\",\"key\":\"t5\"}]}", "X-Client-Id", "77",
                "X-Sequence", "1"), 409);
        assertThat(reused.getString("error")).isEqualTo("sequence-reused");
        JsonObject read = ok(post(leaderUrl(), "{\"ops\":[{\"op\":\"get\",\"key\":\"t5\"}]}"));
        assertThat(read.getJsonArray("results").getJsonObject(0).getString("value")).isEqualTo("[\"once\"]");
    }

    @Test
    void badBodiesAre400sNamingTheField() throws Exception {
        String base = leaderUrl();
        String[][] cases = {
                {"{}", "field 'ops' is required"},
                {"{\"ops\":{}}", "field 'ops' must be a JSON array"},
                {"{\"ops\":[],\"else\":[]}", "unknown field 'else'"},
                {"{\"ops\":[1]}", "ops[0] must be a JSON object"},
                {"{\"ops\":[{\"key\":\"k\"}]}", "ops[0].op is required"},
                {"{\"ops\":[{\"op\":\"incr\",\"key\":\"k\"}]}", "ops[0].op is 'incr'"},
                {"{\"ops\":[{\"op\":\"get\"}]}", "ops[0].key is required"},
                {"{\"ops\":[{\"op\":\"get\",\"key\":\"\"}]}", "ops[0].key must not be empty"},
                {"{\"ops\":[{\"op\":\"get\",\"key\":\"k\",\"value\":\"v\"}]}", "ops[0]: a get takes no value"},
                {"{\"ops\":[{\"op\":\"get\",\"key\":\"k\"},{\"op\":\"put\",\"key\":\"k\"}]}", "ops[1].value is required"},
                {"{\"ops\":[{\"op\":\"append\",\"key\":\"k\",\"valueBase64\":\"AA==\"}]}", "ops[0].valueBase64: an appended element must be text"},
                {"{\"ops\":[{\"op\":\"get\",\"key\":\"" + "k".repeat(17) + "\"}]}", "ops[0].key: key is 17 bytes"},
                {"{\"ops\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"" + "v".repeat(65) + "\"}]}", "ops[0].value is 65 bytes"},
                {"{\"guards\":[{\"key\":\"k\"}],\"ops\":[]}", "guards[0] must give exactly one of"},
                {"{\"guards\":[{\"key\":\"k\",\"version\":-1}],\"ops\":[]}", "guards[0].version must be a whole number"},
                {"{\"guards\":[{\"key\":\"k\",\"version\":1.5}],\"ops\":[]}", "guards[0].version must be a whole number"},
                {"{\"guards\":[{\"key\":\"k\",\"exists\":\"yes\"}],\"ops\":[]}", "guards[0].exists must be true or false"},
                {"{\"ops\":[" + "{\"op\":\"get\",\"key\":\"k\"},".repeat(64) + "{\"op\":\"get\",\"key\":\"k\"}]}",
                        "field 'ops' has 65 entries; a transaction has at most 64"},
                {"not json", "not valid JSON"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post(base, c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(new JsonObject(r.body()).getString("message")).as(c[0]).contains(c[1]);
            assertThat(new JsonObject(r.body()).getString("outcome")).isEqualTo("not-applied");
        }
    }

    @Test
    void theCliTxnCommandAppliesItsFlagsInOrderAndExits3WhenAGuardFails() throws Exception {
        assertThat(io.raftkit.kv.cli.Main.run("txn", "--endpoints", followerUrl(), "--if-absent", "t6", "--append", "t6=a",
                "--append", "t6=b")).isEqualTo(0);
        assertThat(io.raftkit.kv.cli.Main.run("txn", "--endpoints", "http://127.0.0.1:1," + leaderUrl(), "--if-absent", "t6",
                "--append", "t6=c")).as("the first endpoint refuses the connection; the second takes it").isEqualTo(3);
        JsonObject read = ok(post(leaderUrl(), "{\"ops\":[{\"op\":\"get\",\"key\":\"t6\"}]}"));
        assertThat(read.getJsonArray("results").getJsonObject(0).getString("value")).isEqualTo("[\"a\",\"b\"]");
    }

    @Test
    void aGetOnTheTxnPathIs405WithAllowPost() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(leaderUrl() + "/v1/txn")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("POST");
    }
}
