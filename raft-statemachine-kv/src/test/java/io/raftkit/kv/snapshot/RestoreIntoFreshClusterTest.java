package io.raftkit.kv.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.core.memory.MemorySnapshotStore;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvResult;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvResponse;
import io.raftkit.kv.demo.LocalCluster;
import io.raftkit.kv.server.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup restored into a fresh 3-node cluster of real processes serves every key it holds (the
 * core starts from the snapshot in each node's store and replays only the log after it); then a
 * backup taken from that running cluster ({@code raft-kv snapshot save --take-now}) covers the
 * write made after the restore. About 15 s: three node processes.
 */
class RestoreIntoFreshClusterTest {

    private static final int KEYS = 2_000;

    @TempDir
    Path dir;

    @Test
    void aBackupRestoredIntoEveryMemberOfAFreshClusterServesEveryKeyWithItsVersionAndIndexes() throws Exception {
        KvStateMachine backedUp = SnapshotFiles.state(KEYS);
        long lastApplied = KEYS + 3; // SnapshotFiles.state applies KEYS + 3 commands
        MemorySnapshotStore store = new MemorySnapshotStore();
        SnapshotMeta meta = SnapshotFiles.snapshot(backedUp, store, lastApplied, 4, ClusterConfig.ofVoters("n1", "n2", "n3"));
        Path file = SnapshotFiles.file(store, meta, dir.resolve("backup.snap"));

        int[] ports = FreePorts.take(6);
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster"), new int[] {ports[0], ports[1], ports[2]},
                new int[] {ports[3], ports[4], ports[5]}, List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of())) {
            for (LocalCluster.Node node : cluster.nodes()) {
                String[] r = SnapshotCommandsTest.run("snapshot", "restore", file.toString(), "--data-dir", node.dataDir().toString(),
                        "--id", node.id());
                assertThat(r[0]).as(r[2]).isEqualTo("0");
            }
            cluster.startAll();
            cluster.awaitLeader(Duration.ofSeconds(60));
            try (KvClient client = new KvClient(List.of(cluster.endpoints().split(",")), Duration.ofSeconds(5), Duration.ofSeconds(20))) {
                for (int i = 0; i < KEYS; i++) {
                    String key = "key-" + i;
                    KvResult expected = KvCodec.decodeResult(backedUp.query(KvCodec.encodeGet(key)));
                    KvResponse read = client.get(key).get(30, TimeUnit.SECONDS);
                    assertThat(read.status()).as("key %s after the restore", key).isEqualTo(200);
                    assertThat(read.value()).isEqualTo(expected.value().flatMap(v -> v.utf8()));
                    assertThat(read.version()).isEqualTo(expected.version());
                    assertThat(read.body().getLong("modIndex")).isEqualTo(expected.modIndex());
                }
                assertThat(client.get("gone").get(30, TimeUnit.SECONDS).status()).as("deleted before the backup").isEqualTo(404);
                KvResponse written = client.put("after-restore", "x").get(30, TimeUnit.SECONDS);
                assertThat(written.index()).as("the log goes on after the snapshot").isGreaterThan(lastApplied);

                Path saved = dir.resolve("saved.snap");
                String[] save = SnapshotCommandsTest.run("snapshot", "save", saved.toString(), "--endpoints", cluster.endpoints(),
                        "--take-now");
                assertThat(save[0]).as(save[2]).isEqualTo("0");
                String[] status = SnapshotCommandsTest.run("snapshot", "status", saved.toString());
                assertThat(status[0]).as(status[2]).isEqualTo("0");
                io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject(status[1].trim());
                assertThat(json.getLong("index")).as("a snapshot taken now covers the write after the restore")
                        .isGreaterThanOrEqualTo(written.index());
                assertThat(json.getLong("keys")).isEqualTo(KEYS + 1);
            }
        }
    }
}
