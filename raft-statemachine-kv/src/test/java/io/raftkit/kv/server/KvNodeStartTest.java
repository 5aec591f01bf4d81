package io.raftkit.kv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log store and the snapshot store open side by side ({@link StartStep}): when one fails, the
 * start fails with that store's own words and the other one is closed again, so its directory lock
 * does not outlive the failed start (the next start in this JVM would be refused as "locked").
 */
class KvNodeStartTest {

    @Test
    void aSnapshotStoreThatCannotOpenClosesTheLogStoreOpenedBesideIt(@TempDir Path dir) throws Exception {
        Path snapshots = dir.resolve("snapshots");
        Files.writeString(snapshots, "not a directory");
        assertThatThrownBy(() -> KvNode.start(ServerConfig.from(settings(dir, Map.of()))))
                .isInstanceOf(IOException.class).hasMessageContaining("snapshot directory").hasMessageContaining("not a directory");
        Files.delete(snapshots);
        try (KvNode node = KvNode.start(ServerConfig.from(settings(dir, Map.of())))) {
            assertThat(node.raft().status().id().value()).isEqualTo("n1"); // started: not refused as locked
        }
    }

    @Test
    void aLogStoreThatCannotOpenClosesTheSnapshotStoreOpenedBesideIt(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> KvNode.start(ServerConfig.from(settings(dir, Map.of("log-store.segment-megs", "16")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'segment-megs'");
        try (KvNode node = KvNode.start(ServerConfig.from(settings(dir, Map.of())))) {
            assertThat(node.raft().status().id().value()).isEqualTo("n1"); // started: not refused as locked
        }
    }

    private static Map<String, String> settings(Path dir, Map<String, String> extra) throws IOException {
        Map<String, String> s = new HashMap<>();
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            s.put("id", "n1");
            s.put("peers", "n1=127.0.0.1:" + a.getLocalPort() + ",127.0.0.1:" + b.getLocalPort());
        }
        s.put("data-dir", dir.toString());
        s.putAll(extra);
        return s;
    }
}
