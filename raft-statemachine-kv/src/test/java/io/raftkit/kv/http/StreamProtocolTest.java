package io.raftkit.kv.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.raftkit.kv.wire.WireCodec;
import io.raftkit.kv.wire.WireOp;
import io.raftkit.kv.wire.WireRequest;
import io.raftkit.kv.wire.WireResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The binary client protocol against three in-JVM nodes: answers, batching, leadership, bad frames, limits. */
class StreamProtocolTest {

    private static final HttpLimits LIMITS = new HttpLimits(16, 64, 1024).withTimeouts(1_000, 1_000, 5_000);
    private static MemoryKvCluster cluster;
    private static Vertx vertx;
    private static final Map<NodeId, KvHttpServer> servers = new TreeMap<>();
    private static final Map<NodeId, String> urls = new TreeMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new MemoryKvCluster(3, 11);
        vertx = Vertx.vertx();
        for (RaftServer s : cluster.servers) {
            try (ServerSocket socket = new ServerSocket(0)) {
                urls.put(s.id(), "http://127.0.0.1:" + socket.getLocalPort());
            }
        }
        for (RaftServer s : cluster.servers) {
            KvHttpServer server = new KvHttpServer(vertx, s, cluster.stateMachineOf(s), SessionPolicy.DEFAULT, urls, LIMITS,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            server.listen("127.0.0.1", port(s.id())).await();
            servers.put(s.id(), server);
        }
        cluster.awaitLeader();
    }

    @AfterAll
    static void stop() {
        servers.values().forEach(KvHttpServer::close);
        cluster.close();
        vertx.close().await();
    }

    private static int port(NodeId id) {
        return URI.create(urls.get(id)).getPort();
    }

    private static int leaderPort() throws InterruptedException {
        return port(cluster.awaitLeader().id());
    }

    private static RaftServer follower() throws InterruptedException {
        RaftServer leader = cluster.awaitLeader();
        return cluster.servers.stream().filter(s -> s != leader).findFirst().orElseThrow();
    }

    private static WireRequest put(int id, long clientId, long sequence, String key, KvValue value) {
        return new WireRequest(WireOp.PUT, id, clientId, sequence, key, null, value);
    }

    private static WireRequest get(int id, String key) {
        return new WireRequest(WireOp.GET, id, 0, 0, key, null, null);
    }

    private static JsonObject errorJson(WireResponse r) {
        assertThat(r.isError()).as("an error answer").isTrue();
        return new JsonObject(new String(r.errorJson(), StandardCharsets.UTF_8));
    }

    @Test
    void aValueOfAnyBytesIsStoredAsSentAndTheJsonApiShowsItInBase64() throws Exception {
        byte[] bytes = {0, (byte) 0xFF, (byte) 0xC3, 'x', '"', '\n'};
        try (RawStream stream = RawStream.open(leaderPort())) {
            assertThat(stream.head).contains(WireCodec.SERVED_BY + ": " + cluster.awaitLeader().id().value());
            stream.send(put(7, 0, 0, "bin", KvValue.of(bytes)));
            WireResponse put = stream.read();
            assertThat(put.id()).isEqualTo(7);
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.version()).isEqualTo(1);
            stream.send(get(8, "bin"));
            WireResponse got = stream.read();
            assertThat(got.id()).isEqualTo(8);
            assertThat(got.value()).isEqualTo(KvValue.of(bytes));
            assertThat(got.modIndex()).isEqualTo(put.index());
        }
        RawHttp.Answer json = RawHttp.send(leaderPort(), RawHttp.request("GET", RawHttp.bytes("/v1/kv/bin"), null));
        JsonObject body = new JsonObject(json.body());
        assertThat(body.getString("valueBase64")).isEqualTo(java.util.Base64.getEncoder().encodeToString(bytes));
        assertThat(body.containsKey("value")).as("no lossy text form of bytes that are not UTF-8").isFalse();
    }

    @Test
    void manyRequestsInOneWriteAreEachAnsweredUnderTheirOwnId() throws Exception {
        try (RawStream stream = RawStream.open(leaderPort())) {
            List<WireRequest> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                batch.add(put(1000 + i, 500 + i, 1, "batch-" + (i % 10), KvValue.of("v" + i)));
            }
            stream.send(batch.toArray(WireRequest[]::new));
            Map<Integer, WireResponse> answers = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                WireResponse r = stream.read();
                answers.put(r.id(), r);
            }
            assertThat(answers).hasSize(200);
            assertThat(answers.values()).allMatch(r -> r.status() == 200);
            assertThat(answers.values().stream().map(WireResponse::index).distinct().count()).as("each applied at its own index").isEqualTo(200);
        }
    }

    @Test
    void aRetriedWriteIsAnsweredAsADuplicateWithTheFirstOutcome() throws Exception {
        try (RawStream stream = RawStream.open(leaderPort())) {
            stream.send(put(1, 77, 1, "dup", KvValue.of("once")));
            WireResponse first = stream.read();
            stream.send(put(2, 77, 1, "dup", KvValue.of("once")));
            WireResponse retry = stream.read();
            assertThat(retry.has(WireResponse.DUPLICATE)).isTrue();
            assertThat(retry.index()).isEqualTo(first.index());
            stream.send(put(3, 77, 1, "dup", KvValue.of("other")));
            assertThat(errorJson(stream.read()).getString("error")).isEqualTo("sequence-reused");
        }
    }

    @Test
    void aFollowerRefusesWhatNeedsTheLeaderNamingItsUrlAndServesStaleReads() throws Exception {
        RaftServer follower = follower();
        RaftServer leader = cluster.awaitLeader();
        try (RawStream stream = RawStream.open(port(follower.id()))) {
            stream.send(put(5, 0, 0, "f", KvValue.of("x")));
            WireResponse refused = stream.read();
            assertThat(refused.status()).isEqualTo(503);
            JsonObject error = errorJson(refused);
            assertThat(error.getString("error")).isEqualTo("not-leader");
            assertThat(error.getString("outcome")).isEqualTo("not-applied");
            assertThat(error.getString("leaderHttp")).isEqualTo(urls.get(leader.id()));
            stream.send(new WireRequest(WireOp.GET_STALE, 6, 0, 0, "never-written", null, null));
            WireResponse stale = stream.read();
            assertThat(stale.status()).isEqualTo(404);
            assertThat(errorJson(stale).getString("error")).isEqualTo("key-not-found");
        }
    }

    @Test
    void aMalformedFrameIsAnsweredUnderItsIdAndTheConnectionGoesOn() throws Exception {
        try (RawStream stream = RawStream.open(leaderPort())) {
            // op 9 does not exist; the frame's length is right, so the stream stays in step
            stream.sendRaw(Buffer.buffer().appendInt(5).appendByte((byte) 9).appendInt(41).getBytes());
            WireResponse bad = stream.read();
            assertThat(bad.id()).isEqualTo(41);
            assertThat(bad.status()).isEqualTo(400);
            assertThat(errorJson(bad).getString("message")).contains("unknown op 9");
            // a key that is not UTF-8
            Buffer key = Buffer.buffer().appendByte((byte) 4).appendInt(42).appendUnsignedShort(2).appendByte((byte) 0xC3).appendByte((byte) 0x28);
            stream.sendRaw(Buffer.buffer().appendInt(key.length()).appendBuffer(key).getBytes());
            WireResponse badKey = stream.read();
            assertThat(badKey.id()).isEqualTo(42);
            assertThat(errorJson(badKey).getString("error")).isEqualTo("invalid-key");
            stream.send(put(43, 0, 0, "after", KvValue.of("ok")));
            assertThat(stream.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aValueOverTheLimitIsRefusedNotAppliedAndAFrameOverTheLimitIsDroppedWhileTheConnectionGoesOn() throws Exception {
        try (RawStream stream = RawStream.open(leaderPort())) {
            stream.send(put(1, 0, 0, "big", KvValue.of(new byte[65])));
            WireResponse refused = stream.read();
            assertThat(refused.status()).isEqualTo(400);
            assertThat(errorJson(refused).getString("error")).isEqualTo("value-too-large");
            assertThat(errorJson(refused).getString("outcome")).isEqualTo("not-applied");
            int frame = 3_000;
            stream.sendRaw(Buffer.buffer().appendInt(frame).appendByte((byte) 1).appendInt(2).getBytes());
            WireResponse tooLarge = stream.read();
            assertThat(tooLarge.id()).as("answered as soon as its id arrived").isEqualTo(2);
            assertThat(tooLarge.status()).isEqualTo(413);
            assertThat(errorJson(tooLarge).getString("outcome")).isEqualTo("not-applied");
            stream.sendRaw(new byte[frame - 5]); // the rest of the dropped frame
            stream.send(put(3, 0, 0, "after-big", KvValue.of("ok")));
            WireResponse after = stream.read();
            assertThat(after.id()).isEqualTo(3);
            assertThat(after.status()).isEqualTo(200);
        }
    }

    @Test
    void withoutTheUpgradeHeadersTheStreamPathAnswers426() throws Exception {
        RawHttp.Answer a = RawHttp.send(leaderPort(), RawHttp.request("GET", RawHttp.bytes(WireCodec.PATH), null));
        assertThat(a.status()).isEqualTo(426);
        assertThat(new JsonObject(a.body()).getString("error")).isEqualTo("upgrade-required");
    }

    @Test
    void anIdleStreamIsClosedAfterTheHeaderTimeoutAndLeavesNoConnectionCounted() throws Exception {
        KvHttpServer server = servers.get(follower().id());
        int before = server.openConnections();
        try (RawStream stream = RawStream.open(port(follower().id()))) {
            assertThat(server.openConnections()).isEqualTo(before + 1);
            long start = System.nanoTime();
            assertThat(stream.closedByServer()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).as("closed after about the 1 s header timeout").isBetween(700L, 5_000L);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.openConnections() != before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.openConnections()).isEqualTo(before);
    }

    @Test
    void aFrameTrickledPastTheBodyTimeoutClosesTheConnection() throws Exception {
        try (RawStream stream = RawStream.open(leaderPort())) {
            stream.sendRaw(Buffer.buffer().appendInt(40).appendByte((byte) 4).getBytes());
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(300);
                stream.sendRaw(new byte[]{0}); // activity, but never the whole frame
            }
            assertThat(stream.closedByServer()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000L);
        }
    }
}
