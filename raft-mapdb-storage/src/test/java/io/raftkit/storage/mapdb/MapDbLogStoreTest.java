package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.LogStoreContract;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SPI contract, run against the real MapDB files, plus reopening with a fresh cache. */
class MapDbLogStoreTest extends LogStoreContract {

    @TempDir
    Path dir;

    private LogStore open() throws IOException {
        LogStoreConfig config = new LogStoreConfig(NodeId.of("n1"), "test-cluster", dir.resolve("data"), Options.EMPTY, null);
        return Plugins.logStore("mapdb").open(config);
    }

    @Override
    protected LogStore openNew() throws Exception {
        return open();
    }

    @Override
    protected LogStore reopen(LogStore current) throws Exception {
        current.close();
        return open();
    }

    @Test
    void theProviderIsFoundByNameAndOpensAStoreInTheDataDirectory() throws Exception {
        assertThat(Plugins.logStore("mapdb")).isInstanceOf(MapDbLogStoreProvider.class);
        assertThat(Files.isRegularFile(dir.resolve("data").resolve(MapDbLogStore.FILE_NAME))).isTrue();
        assertThat(Files.readString(dir.resolve("data").resolve(DirectoryLock.FILE_NAME)))
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    void truncatingInsideAStoredBatchKeepsItsPrefixAcrossReopening() throws Exception {
        store.append(entries(1, 10, 1));
        store.append(entries(4, 5, 2));
        store = reopen(store);
        assertThat(store.lastIndex()).isEqualTo(5);
        assertThat(store.entries(1, 5, Long.MAX_VALUE)).containsExactly(
                entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 2), entry(5, 2));
        assertThat(store.term(3)).isEqualTo(1);
        assertThat(store.term(4)).isEqualTo(2);
    }

    @Test
    void compactingInsideABatchHidesItsPrefixAndSurvivesReopening() throws Exception {
        store.append(entries(1, 10, 1));
        store.append(entries(11, 12, 2));
        store.compact(5);
        assertThat(store.entries(6, 12, Long.MAX_VALUE)).hasSize(7).first().isEqualTo(entry(6, 1));
        store = reopen(store);
        assertThat(store.firstIndex()).isEqualTo(6);
        assertThat(store.term(5)).isEqualTo(1);
        assertThat(store.entries(6, 12, Long.MAX_VALUE)).hasSize(7).last().isEqualTo(entry(12, 2));
        store.append(entries(7, 7, 3));
        store = reopen(store);
        assertThat(store.lastIndex()).isEqualTo(7);
        assertThat(store.entries(6, 7, Long.MAX_VALUE)).containsExactly(entry(6, 1), entry(7, 3));
    }
}
