package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.LogEntry;
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

/** The SPI contract, run against the real files, plus truncation, compaction and segment rollover across reopening. */
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
        assertThat(Files.isRegularFile(dir.resolve("data").resolve(StateFile.FILE_NAME))).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("data").resolve(Segment.fileName(1)))).isTrue();
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

    @Test
    void appendsRollOverIntoNewSegmentsAndCompactionDeletesWholeOldSegments() throws Exception {
        store.close();
        Path data = dir.resolve("data2");
        StoreSettings small = new StoreSettings(4, 4096);
        store = SegmentedLogStore.open(data, "test-cluster", "n1", small);
        for (long i = 1; i <= 1000; i += 20) {
            store.append(entries(i, i + 19, 1 + i / 300));
        }
        store.append(entries(990, 999, 9)); // a truncation across a segment boundary
        assertThat(segmentFiles(data)).hasSizeGreaterThan(5);
        int before = segmentFiles(data).size();
        store.compact(500);
        assertThat(segmentFiles(data)).as("segments holding only compacted entries are deleted")
                .hasSizeLessThan(before).doesNotContain(Segment.fileName(1));
        store.close();
        store = SegmentedLogStore.open(data, "test-cluster", "n1", small);
        assertThat(store.firstIndex()).isEqualTo(501);
        assertThat(store.lastIndex()).isEqualTo(999);
        assertThat(store.term(500)).isEqualTo(1 + 481 / 300);
        assertThat(store.entries(501, 999, Long.MAX_VALUE)).hasSize(499)
                .first().isEqualTo(entry(501, 1 + 501 / 300));
        assertThat(store.entries(989, 999, Long.MAX_VALUE)).extracting(LogEntry::term)
                .containsExactly(1L + 981 / 300, 9L, 9L, 9L, 9L, 9L, 9L, 9L, 9L, 9L, 9L);
        store.compact(999);
        store.close();
        store = SegmentedLogStore.open(data, "test-cluster", "n1", small);
        assertThat(store.firstIndex()).isEqualTo(1000);
        assertThat(store.lastIndex()).isEqualTo(999);
        assertThat(store.term(999)).isEqualTo(9);
        store.append(entries(1000, 1000, 10));
        assertThat(store.entries(1000, 1000, Long.MAX_VALUE)).containsExactly(entry(1000, 10));
    }

    private static java.util.List<String> segmentFiles(Path data) throws IOException {
        try (var listing = Files.list(data)) {
            return listing.map(p -> p.getFileName().toString()).filter(n -> n.matches("segment-\\d+\\.log")).sorted().toList();
        }
    }
}
