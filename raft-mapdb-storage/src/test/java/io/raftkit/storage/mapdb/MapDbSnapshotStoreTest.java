package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.api.spi.SnapshotStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SPI contract, run against real files: SortedTableMap tables read back memory-mapped. */
class MapDbSnapshotStoreTest extends SnapshotStoreContract {

    @TempDir
    Path dir;
    private int peers;

    private SnapshotStore open(Path dataDir) throws IOException {
        return Plugins.snapshotStore("mapdb").open(new SnapshotStoreConfig(NodeId.of("n1"), "test-cluster", dataDir, Options.EMPTY, null));
    }

    @Override
    protected SnapshotStore openNew() throws Exception {
        return open(dir.resolve("data"));
    }

    @Override
    protected SnapshotStore openPeer() throws Exception {
        return open(dir.resolve("peer-" + ++peers));
    }

    @Override
    protected SnapshotStore reopen(SnapshotStore current) throws Exception {
        current.close();
        return open(dir.resolve("data"));
    }

    @Test
    void theProviderIsFoundByNameAndKeepsItsFilesInTheSnapshotsDirectory() throws Exception {
        assertThat(Plugins.snapshotStore("mapdb")).isInstanceOf(MapDbSnapshotStoreProvider.class);
        var meta = commitRecords(store, 5, 1, records(10, 1, 20));
        Path snapshots = dir.resolve("data").resolve(MapDbSnapshotStore.DIRECTORY);
        try (var files = Files.list(snapshots)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("LOCK",
                    "snapshot-" + meta.id() + ".meta", "snapshot-" + meta.id() + ".table", "snapshot-" + meta.id() + ".values");
        }
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> open(dir.resolve("data"))).isInstanceOf(IOException.class).hasMessageContaining("LOCK");
    }

    @Test
    void anUnknownOptionOrTooSmallARetentionIsRefusedNamingIt() {
        SnapshotStoreConfig typo = new SnapshotStoreConfig(NodeId.of("n1"), "c", dir.resolve("x"), Options.of(Map.of("snapshot-kept", "3")), null);
        assertThatThrownBy(() -> Plugins.snapshotStore("mapdb").open(typo)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot-kept");
        SnapshotStoreConfig one = new SnapshotStoreConfig(NodeId.of("n1"), "c", dir.resolve("x"), Options.of(Map.of("snapshots-kept", "1")), null);
        assertThatThrownBy(() -> Plugins.snapshotStore("mapdb").open(one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshots-kept");
        SnapshotStoreConfig negative = new SnapshotStoreConfig(NodeId.of("n1"), "c", dir.resolve("x"),
                Options.of(Map.of("snapshot-write-back-mib", "-1")), null);
        assertThatThrownBy(() -> Plugins.snapshotStore("mapdb").open(negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot-write-back-mib");
    }

    @Test
    void snapshotsOfAnotherClusterAreRefused() throws Exception {
        commitRecords(store, 5, 1, records(3, 1, 20));
        store.close();
        store = null;
        assertThatThrownBy(() -> Plugins.snapshotStore("mapdb").open(new SnapshotStoreConfig(NodeId.of("n1"), "other-cluster",
                dir.resolve("data"), Options.EMPTY, null))).isInstanceOf(IOException.class).hasMessageContaining("another cluster");
    }
}
