package io.raftkit.kv.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.core.memory.MemorySnapshotStore;
import io.raftkit.core.server.RaftServer;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.MemoryKvCluster;
import io.raftkit.kv.SessionPolicy;
import io.raftkit.kv.http.HttpLimits;
import io.raftkit.kv.http.KvHttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET}/{@code POST /v1/snapshot} and {@code raft-kv snapshot save} against an in-JVM node.
 * The Raft core does not take snapshots yet, so the node's {@link SnapshotSource} here is a test
 * double: a separate KV state captured into a {@link MemorySnapshotStore} when asked. What is under
 * test is the HTTP side and the save command, not where the snapshot comes from.
 */
class SnapshotHttpTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private MemoryKvCluster cluster;
    private KvHttpServer server;
    private String url;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Takes snapshots of {@code state} at increasing indexes; counts the requests. */
    private static class StoreSource implements SnapshotSource {
        final MemorySnapshotStore store = new MemorySnapshotStore();
        final KvStateMachine state;
        final AtomicInteger taken = new AtomicInteger();

        StoreSource(KvStateMachine state) {
            this.state = state;
        }

        @Override
        public CompletableFuture<SnapshotMeta> takeSnapshot() {
            try {
                return CompletableFuture.completedFuture(SnapshotFiles.snapshot(state, store, 100 + taken.incrementAndGet(), 2,
                        ClusterConfig.ofVoters("n1")));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public Optional<SnapshotMeta> latest() {
            return store.latest();
        }

        @Override
        public InputStream openStream(String id) throws IOException {
            return store.openStream(id);
        }
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        cluster = new MemoryKvCluster(1, 11);
        RaftServer raft = cluster.awaitLeader();
        server = new KvHttpServer(vertx, raft, cluster.stateMachineOf(raft), SessionPolicy.DEFAULT, Map.of(raft.id(), "http://127.0.0.1:0"),
                HttpLimits.DEFAULTS, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        url = "http://127.0.0.1:" + server.listen("127.0.0.1", 0).await();
    }

    @AfterEach
    void stop() {
        server.close();
        cluster.close();
        vertx.close().await();
    }

    private HttpResponse<byte[]> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aNodeWhoseRaftServerTakesNoSnapshotsAnswers501AndSaveSaysWhy() throws Exception {
        HttpResponse<byte[]> get = send("GET", "/v1/snapshot");
        assertThat(get.statusCode()).isEqualTo(501);
        assertThat(new JsonObject(new String(get.body())).getString("error")).isEqualTo("snapshots-unavailable");
        assertThat(send("POST", "/v1/snapshot").statusCode()).isEqualTo(501);
        String[] r = SnapshotCommandsTest.run("snapshot", "save", dir.resolve("b.snap").toString(), "--endpoints", url);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("GET /v1/snapshot answered 501 snapshots-unavailable");
        assertThat(dir.resolve("b.snap")).doesNotExist();
        assertThat(dir.resolve("b.snap.part")).doesNotExist();
        assertThat(new JsonObject(new String(send("GET", "/v1/status").body())).getValue("snapshot")).isNull();
    }

    @Test
    void saveFetchesTheNewestSnapshotWhichStatusThenReadsBackWhole() throws Exception {
        KvStateMachine state = SnapshotFiles.state(2_000);
        StoreSource source = new StoreSource(state);
        server.snapshotSource(source);
        HttpResponse<byte[]> none = send("GET", "/v1/snapshot");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(new String(none.body())).contains("no-snapshot");

        Path file = dir.resolve("backup.snap");
        String[] saved = SnapshotCommandsTest.run("snapshot", "save", file.toString(), "--endpoints",
                "http://127.0.0.1:1," + url, "--take-now");
        assertThat(saved[0]).as(saved[2]).isEqualTo("0");
        assertThat(source.taken.get()).isEqualTo(1);
        JsonObject status = new JsonObject(SnapshotCommandsTest.run("snapshot", "status", file.toString())[1]);
        assertThat(status.getLong("index")).isEqualTo(101);
        assertThat(status.getLong("keys")).isEqualTo(2_000);
        assertThat(status.getBoolean("ok")).isTrue();
        assertThat(dir.resolve("backup.snap.part")).doesNotExist();

        SnapshotMeta meta = source.store.latest().orElseThrow();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (InputStream in = source.store.openStream(meta.id())) {
            SnapshotFile.write(expected, meta, in);
        }
        assertThat(Files.readAllBytes(file)).as("the file is the header and the store's stream, byte for byte")
                .isEqualTo(expected.toByteArray());

        JsonObject nodeStatus = new JsonObject(new String(send("GET", "/v1/status").body()));
        assertThat(nodeStatus.getJsonObject("snapshot").getLong("lastIncludedIndex")).isEqualTo(101);
        assertThat(new String(send("GET", "/metrics").body())).contains("raft_snapshot_index{node=\"n1\"} 101.0");

        String[] again = SnapshotCommandsTest.run("snapshot", "save", file.toString(), "--endpoints", url);
        assertThat(again[0]).isEqualTo("2");
        assertThat(again[2]).contains("exists; a backup is never overwritten");
    }

    @Test
    void aTransferCutShortLeavesNoFileAndSaveNamesTheNode() throws Exception {
        StoreSource source = new StoreSource(SnapshotFiles.state(20_000)) {
            @Override
            public InputStream openStream(String id) throws IOException {
                byte[] all = store.openStream(id).readAllBytes();
                return new java.io.ByteArrayInputStream(all, 0, all.length / 2); // a disk that fails half-way
            }
        };
        server.snapshotSource(source);
        source.takeSnapshot().get();
        Path file = dir.resolve("cut.snap");
        String[] r = SnapshotCommandsTest.run("snapshot", "save", file.toString(), "--endpoints", url);
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("no snapshot saved").contains(url);
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("cut.snap.part")).doesNotExist();
        assertThat(send("GET", "/v1/status").statusCode()).as("the node serves on").isEqualTo(200);
    }

    @Test
    void postTakesASnapshotAndAnswersItsMetadata() throws Exception {
        StoreSource source = new StoreSource(SnapshotFiles.state(10));
        server.snapshotSource(source);
        HttpResponse<byte[]> post = send("POST", "/v1/snapshot");
        assertThat(post.statusCode()).isEqualTo(200);
        JsonObject meta = new JsonObject(new String(post.body()));
        assertThat(meta.getLong("lastIncludedIndex")).isEqualTo(101);
        assertThat(meta.getString("id")).isEqualTo(source.store.latest().orElseThrow().id());
        HttpResponse<byte[]> put = send("PUT", "/v1/snapshot");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, POST");
    }
}
