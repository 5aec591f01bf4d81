package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/** Every way a data directory can be wrong gives an IOException naming the path and the problem, and nothing is deleted. */
class DataDirectoryRefusalTest {

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private MapDbLogStore open(String cluster, String node) throws IOException {
        return MapDbLogStore.open(data(), cluster, node, MapDbSettings.DEFAULTS);
    }

    private static List<LogEntry> batch(long from, long to, String marker) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, 1, (marker + "-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    private void writeSomething() throws IOException {
        try (MapDbLogStore store = open("c1", "n1")) {
            store.append(batch(1, 50, "PAYLOADMARKER"));
            store.saveHardState(new HardState(3, NodeId.of("n2"), 40));
        }
    }

    @Test
    void aDirectoryOfAnotherNodeIsRefusedNamingBothNodes() throws Exception {
        writeSomething();
        assertThatThrownBy(() -> open("c1", "n2"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().resolve(MapDbLogStore.FILE_NAME).toString())
                .hasMessageContaining("belongs to node n1 of cluster c1, not to node n2 of cluster c1");
        try (MapDbLogStore again = open("c1", "n1")) {
            assertThat(again.lastIndex()).as("refusal deleted nothing").isEqualTo(50);
        }
    }

    @Test
    void aDirectoryOfAnotherClusterIsRefused() throws Exception {
        writeSomething();
        assertThatThrownBy(() -> open("c2", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("belongs to node n1 of cluster c1, not to node n1 of cluster c2");
    }

    @Test
    void aNewerFormatVersionIsRefusedWithoutTouchingTheFile() throws Exception {
        writeSomething();
        Path file = data().resolve(MapDbLogStore.FILE_NAME);
        try (DB db = DBMaker.fileDB(file.toFile()).transactionEnable().fileChannelEnable().make()) {
            Map<String, String> meta = db.treeMap("meta", Serializer.STRING, Serializer.STRING).open();
            meta.put(StoreMetadata.FORMAT_KEY, "99");
            db.commit();
        }
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("format version 99, newer than this build reads (1)");
        assertThat(Files.size(file)).isPositive();
    }

    @Test
    void flippedBytesInAStoredBatchAreReportedAsCorruption() throws Exception {
        writeSomething();
        Path file = data().resolve(MapDbLogStore.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        int at = indexOf(bytes, "PAYLOADMARKER-7".getBytes(StandardCharsets.UTF_8));
        assertThat(at).as("the payload is stored where the test can find it").isNotNegative();
        bytes[at + 3] ^= 0x5A;
        bytes[at + 4] ^= 0x01;
        Files.write(file, bytes);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is corrupt")
                .hasMessageContaining("fails its CRC32C checksum");
    }

    @Test
    void aFileWithFlippedHeaderBytesIsReportedAsCorruptOrUnreadable() throws Exception {
        writeSomething();
        Path file = data().resolve(MapDbLogStore.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < 64; i++) {
            bytes[i] ^= (byte) 0xA5;
        }
        Files.write(file, bytes);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("corrupt");
        assertThat(Files.readAllBytes(file)).as("never re-initialised").isEqualTo(bytes);
    }

    @Test
    void aSecondOpenOfALockedDirectoryNamesTheHoldersPid() throws Exception {
        try (MapDbLogStore first = open("c1", "n1")) {
            assertThatThrownBy(() -> open("c1", "n1"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(data().toString())
                    .hasMessageContaining("held by pid " + ProcessHandle.current().pid());
            assertThat(first.lastIndex()).isZero();
        }
        try (MapDbLogStore reopened = open("c1", "n1")) {
            assertThat(reopened.firstIndex()).as("the lock is released on close").isEqualTo(1);
        }
    }

    @Test
    void aDataDirectoryThatIsARegularFileIsRefused() throws Exception {
        Files.writeString(data(), "not a directory");
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("is not a directory");
    }

    @Test
    void aLogFileSwappedForADirectoryIsRefused() throws Exception {
        Files.createDirectories(data().resolve(MapDbLogStore.FILE_NAME));
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().resolve(MapDbLogStore.FILE_NAME).toString())
                .hasMessageContaining("not a regular file");
    }

    @Test
    void aMissingDataDirectoryOptionIsABadConfigurationNotAnIoError() {
        LogStoreConfig config = new LogStoreConfig(NodeId.of("n1"), "c1", null, Options.EMPTY, null);
        assertThatThrownBy(() -> new MapDbLogStoreProvider().open(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a data directory");
        LogStoreConfig badOption = new LogStoreConfig(NodeId.of("n1"), "c1", data(),
                Options.of(Map.of(MapDbSettings.READ_CACHE_BATCHES, "lots")), null);
        assertThatThrownBy(() -> new MapDbLogStoreProvider().open(badOption))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read-cache-batches");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
