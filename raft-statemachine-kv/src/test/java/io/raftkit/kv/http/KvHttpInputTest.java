package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bytes no client library would send: keys and bodies that are not UTF-8, request lines and heads too long. */
class KvHttpInputTest {

    private static final int MAX_KEY_BYTES = HttpLimits.MAX_KEY_BYTES;
    private static MemoryKvCluster cluster;
    private static Vertx vertx;
    private static KvHttpServer server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        cluster = new MemoryKvCluster(1, 3);
        vertx = Vertx.vertx();
        RaftServer raft = cluster.awaitLeader();
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        server = new KvHttpServer(vertx, raft, cluster.stateMachineOf(raft), SessionPolicy.DEFAULT,
                Map.of(raft.id(), "http://127.0.0.1:" + port), new HttpLimits(MAX_KEY_BYTES, 1024, 64 * 1024),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        server.listen("127.0.0.1", port).await();
    }

    @AfterAll
    static void stop() {
        server.close();
        cluster.close();
        vertx.close().await();
    }

    private static RawHttp.Answer put(byte[] target, String json) throws Exception {
        return RawHttp.send(port, RawHttp.request("PUT", target, json.getBytes(StandardCharsets.UTF_8)));
    }

    private static RawHttp.Answer get(byte[] target) throws Exception {
        return RawHttp.send(port, RawHttp.request("GET", target, null));
    }

    private static void assertError(RawHttp.Answer a, int status, String error) {
        assertThat(a.status()).as(a.head() + "\n" + a.body()).isEqualTo(status);
        JsonObject body = new JsonObject(a.body());
        assertThat(body.getString("error")).isEqualTo(error);
        assertThat(body.getString("outcome")).isEqualTo("not-applied");
        assertThat(body.getString("message")).isNotBlank();
    }

    @Test
    void percentEncodedBytesThatAreNotUtf8InAKeyAre400SoTwoSuchKeysCannotCollide() throws Exception {
        RawHttp.Answer ff = put(RawHttp.bytes("/v1/kv/a%FF"), "{\"value\":\"1\"}");
        RawHttp.Answer fe = put(RawHttp.bytes("/v1/kv/a%FE"), "{\"value\":\"2\"}");
        assertError(ff, 400, "invalid-key");
        assertError(fe, 400, "invalid-key");
        assertThat(new JsonObject(ff.body()).getString("message")).contains("not valid UTF-8");
        assertError(put(RawHttp.bytes("/v1/kv/a%ED%A0%80"), "{\"value\":\"1\"}"), 400, "invalid-key"); // an encoded surrogate
        assertError(get(RawHttp.bytes("/v1/kv/a%FF")), 400, "invalid-key");
    }

    @Test
    void aKeySentAsRawUtf8BytesIsTheSameKeyAsItsPercentEncodedForm() throws Exception {
        assertThat(put(RawHttp.concat(RawHttp.bytes("/v1/kv/"), "clé".getBytes(StandardCharsets.UTF_8)), "{\"value\":\"v\"}").status())
                .isEqualTo(200);
        RawHttp.Answer encoded = get(RawHttp.bytes("/v1/kv/cl%C3%A9"));
        assertThat(encoded.status()).as(encoded.body()).isEqualTo(200);
        assertThat(new JsonObject(encoded.body()).getString("key")).isEqualTo("clé");
        assertError(put(RawHttp.concat(RawHttp.bytes("/v1/kv/b"), new byte[]{(byte) 0xFF}), "{\"value\":\"v\"}"), 400, "invalid-key");
    }

    @Test
    void aBodyThatIsNotUtf8Is400NamingWhere() throws Exception {
        byte[] body = RawHttp.concat(RawHttp.bytes("{\"value\":\"ab"), new byte[]{(byte) 0xC3}, RawHttp.bytes("\"}"));
        RawHttp.Answer a = RawHttp.send(port, RawHttp.request("PUT", RawHttp.bytes("/v1/kv/body"), body));
        assertError(a, 400, "invalid-utf8");
        assertThat(new JsonObject(a.body()).getString("message")).contains("at byte 12");
        assertThat(get(RawHttp.bytes("/v1/kv/body")).status()).isEqualTo(404);
    }

    @Test
    void aLoneSurrogateInAValueOrExpectationIs400RatherThanStoredAsQuestionMark() throws Exception {
        assertError(put(RawHttp.bytes("/v1/kv/surrogate"), "{\"value\":\"a\\ud800\"}"), 400, "invalid-unicode");
        RawHttp.Answer cas = RawHttp.send(port, RawHttp.request("POST", RawHttp.bytes("/v1/kv/surrogate/cas"),
                RawHttp.bytes("{\"expected\":\"\\udc00\",\"value\":\"x\"}")));
        assertError(cas, 400, "invalid-unicode");
        assertThat(put(RawHttp.bytes("/v1/kv/surrogate"), "{\"value\":\"\\ud83d\\ude00\"}").status()).as("a pair is fine").isEqualTo(200);
        assertThat(new JsonObject(get(RawHttp.bytes("/v1/kv/surrogate")).body()).getString("value")).isEqualTo("\ud83d\ude00");
    }

    @Test
    void aKeyOfMaxKeyBytesArrivesEvenWhenEveryByteIsPercentEncoded() throws Exception {
        String key = "é".repeat(MAX_KEY_BYTES / 2); // 8 KiB of UTF-8, 24 KiB percent-encoded
        byte[] target = RawHttp.bytes("/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8));
        RawHttp.Answer a = put(target, "{\"value\":\"long\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(new JsonObject(get(target).body()).getString("key")).isEqualTo(key);
        assertError(put(RawHttp.bytes("/v1/kv/" + "k".repeat(MAX_KEY_BYTES + 1)), "{\"value\":\"x\"}"), 400, "key-too-long");
    }

    @Test
    void aRequestLineBeyondTheLongestKeyIs414WithAJsonBody() throws Exception {
        RawHttp.Answer a = get(RawHttp.bytes("/v1/kv/" + "%41".repeat(MAX_KEY_BYTES + 200)));
        assertError(a, 414, "uri-too-long");
        assertThat(new JsonObject(a.body()).getString("message")).contains("max-key-bytes");
    }

    @Test
    void headersBeyondTheLimitAre431WithAJsonBody() throws Exception {
        byte[] request = RawHttp.bytes("GET /v1/kv/a HTTP/1.1\r\nHost: test\r\nX-Big: " + "h".repeat(HttpLimits.MAX_HEADER_BYTES + 10) + "\r\n\r\n");
        assertError(RawHttp.send(port, request), 431, "headers-too-large");
    }

    @Test
    void aRequestThatIsNotHttpIs400WithAJsonBody() throws Exception {
        assertError(RawHttp.send(port, RawHttp.bytes("GET /v1/kv/a HTTP/1.1\r\nHost: test\r\nContent-Length: x\r\n\r\n")), 400, "bad-request");
    }
}
