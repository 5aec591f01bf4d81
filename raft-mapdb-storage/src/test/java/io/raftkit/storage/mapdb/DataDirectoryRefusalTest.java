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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a data directory can be wrong gives an IOException naming the path and the problem, and nothing is deleted. */
class DataDirectoryRefusalTest {

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private SegmentedLogStore open(String cluster, String node) throws IOException {
        return SegmentedLogStore.open(data(), cluster, node, StoreSettings.DEFAULTS);
    }

    private static List<LogEntry> batch(long from, long to, String marker) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, 1, (marker + "-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    private void writeSomething() throws IOException {
        try (SegmentedLogStore store = open("c1", "n1")) {
            store.append(batch(1, 50, "PAYLOADMARKER"));
            store.saveHardState(new HardState(3, NodeId.of("n2"), 40));
        }
    }

    private Path segment1() {
        return data().resolve(Segment.fileName(1));
    }

    @Test
    void aDirectoryOfAnotherNodeIsRefusedNamingBothNodes() throws Exception {
        writeSomething();
        assertThatThrownBy(() -> open("c1", "n2"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("belongs to node n1 of cluster c1, not to node n2 of cluster c1");
        try (SegmentedLogStore again = open("c1", "n1")) {
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
    void aSegmentOfAnotherNodeIsRefusedEvenBesideThisNodesStateFile() throws Exception {
        writeSomething();
        Path other = dir.resolve("other");
        try (SegmentedLogStore store = SegmentedLogStore.open(other, "c1", "n2", StoreSettings.DEFAULTS)) {
            store.append(batch(1, 5, "OTHER"));
        }
        Files.copy(other.resolve(Segment.fileName(1)), segment1(), StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(segment1().toString())
                .hasMessageContaining("belongs to node n2 of cluster c1, not to node n1 of cluster c1");
    }

    @Test
    void aNewerFormatVersionIsRefusedWithoutTouchingTheFile() throws Exception {
        writeSomething();
        Path file = StateFile.path(data());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(StateFile.header(99, "c1", "n1"), 0);
        }
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("format version 99, newer than this build reads (3)");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aFormatTwoDirectoryIsRefusedWithWhatToDoAndLeftAsItWas() throws Exception {
        // Format 2's state file: a 512-byte header and two 512-byte slots, 1,536 bytes in all.
        Files.createDirectories(data());
        Path file = StateFile.path(data());
        byte[] formatTwo = new byte[1536];
        StateFile.header(2, "c1", "n1").get(formatTwo, 0, 512);
        Files.write(file, formatTwo);
        Files.write(segment1(), new byte[100]);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("format version 2, which this build does not read (it reads 3)")
                .hasMessageContaining("Move the directory aside");
        assertThat(Files.readAllBytes(file)).isEqualTo(formatTwo);
        assertThat(Files.size(segment1())).isEqualTo(100);
    }

    @Test
    void aFormatOneMapDbDirectoryIsRefusedWithWhatToDo() throws Exception {
        Files.createDirectories(data());
        Path old = data().resolve(SegmentedLogStore.FORMAT_1_FILE);
        Files.writeString(old, "a MapDB file of an earlier build");
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(old.toString())
                .hasMessageContaining("format version 1")
                .hasMessageContaining("Move the directory aside");
        assertThat(Files.readString(old)).isEqualTo("a MapDB file of an earlier build");
    }

    @Test
    void flippedBytesInAStoredBatchFollowedByGoodOnesAreReportedAsCorruption() throws Exception {
        writeSomething();
        try (SegmentedLogStore store = open("c1", "n1")) {
            store.append(batch(51, 60, "LATER"));
        }
        byte[] bytes = Files.readAllBytes(segment1());
        int at = Segment.HEADER_PAGE + 100; // inside the record of the first frame (entries 1..50)
        bytes[at + 3] ^= 0x5A;
        bytes[at + 4] ^= 0x01;
        Files.write(segment1(), bytes);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(segment1().toString())
                .hasMessageContaining("is corrupt at offset")
                .hasMessageContaining("fails its CRC32C checksum")
                .hasMessageContaining("a valid frame follows");
        assertThat(Files.readAllBytes(segment1())).as("nothing was cut").isEqualTo(bytes);
    }

    @Test
    void aTornLastWriteIsMovedAsideAndTheAcknowledgedPrefixOpens() throws Exception {
        writeSomething();
        long acknowledgedSize = Files.size(segment1());
        try (SegmentedLogStore store = open("c1", "n1")) {
            store.append(batch(51, 60, "TORN"));
        }
        long fullSize = Files.size(segment1());
        try (FileChannel ch = FileChannel.open(segment1(), StandardOpenOption.WRITE)) {
            ch.truncate(acknowledgedSize + (fullSize - acknowledgedSize) / 2); // as if the process died mid-write
        }
        try (SegmentedLogStore store = open("c1", "n1")) {
            assertThat(store.lastIndex()).isEqualTo(50);
            assertThat(store.entries(50, 50, Long.MAX_VALUE).get(0).payload())
                    .isEqualTo("PAYLOADMARKER-50".getBytes(StandardCharsets.UTF_8));
            assertThat(store.loadHardState()).isEqualTo(new HardState(3, NodeId.of("n2"), 40));
        }
        assertThat(Files.size(segment1())).isEqualTo(acknowledgedSize);
        assertThat(Files.size(data().resolve(Segment.fileName(1) + ".torn-" + acknowledgedSize)))
                .as("the cut bytes are kept, not destroyed").isEqualTo((fullSize - acknowledgedSize) / 2);
    }

    @Test
    void aCompleteLastWriteWithAFlippedByteIsRefusedNotCutAsTorn() throws Exception {
        writeSomething();
        try (SegmentedLogStore store = open("c1", "n1")) {
            store.append(batch(51, 60, "LASTBATCH"));
        }
        byte[] bytes = Files.readAllBytes(segment1());
        bytes[bytes.length - 1] ^= 0x01; // durable, maybe acknowledged, then damaged
        Files.write(segment1(), bytes);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(segment1().toString())
                .hasMessageContaining("fails its CRC32C checksum")
                .hasMessageContaining(SegmentScan.NO_TORN_MARK);
        assertThat(Files.readAllBytes(segment1())).as("nothing was cut").isEqualTo(bytes);
    }

    @Test
    void aCompleteLastFrameWithABlankSectorIsATornWriteAndIsCut() throws Exception {
        writeSomething();
        long acknowledgedSize = Files.size(segment1());
        try (SegmentedLogStore store = open("c1", "n1")) {
            store.append(batch(51, 90, "A-BATCH-LONGER-THAN-TWO-SECTORS"));
        }
        byte[] bytes = Files.readAllBytes(segment1());
        assertThat(bytes.length - acknowledgedSize).as("the batch spans more than two sectors").isGreaterThan(1024);
        long blank = (acknowledgedSize / 512 + 1) * 512; // the first whole sector of the last frame
        java.util.Arrays.fill(bytes, (int) blank, (int) blank + 512, (byte) 0); // as if the machine lost it
        Files.write(segment1(), bytes);
        try (SegmentedLogStore store = open("c1", "n1")) {
            assertThat(store.lastIndex()).isEqualTo(50);
        }
        assertThat(Files.size(segment1())).isEqualTo(acknowledgedSize);
    }

    @Test
    void aTornStateSlotFallsBackToTheOtherSlot() throws Exception {
        writeSomething(); // hard state saved once: sequence 2 in one slot, the initial state in the other
        try (SegmentedLogStore store = open("c1", "n1")) {
            store.saveHardState(new HardState(4, null, 45));
        }
        Path file = StateFile.path(data());
        byte[] bytes = Files.readAllBytes(file);
        // Odd sequence numbers (3) live in the second slot, page 2; each save writes its state twice.
        bytes[2 * 4096 + 20] ^= 0x10;
        bytes[2 * 4096 + 2048 + 20] ^= 0x10;
        Files.write(file, bytes);
        try (SegmentedLogStore store = open("c1", "n1")) {
            assertThat(store.loadHardState()).as("the previous save").isEqualTo(new HardState(3, NodeId.of("n2"), 40));
        }
    }

    @Test
    void aStateFileWithBothSlotsBrokenIsReportedAsCorrupt() throws Exception {
        writeSomething();
        Path file = StateFile.path(data());
        byte[] bytes = Files.readAllBytes(file);
        for (int copy = 4096; copy < 3 * 4096; copy += 2048) {
            bytes[copy + 3] ^= 0x10;
        }
        Files.write(file, bytes);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("no copy of either state slot passes its CRC32C checksum");
        assertThat(Files.readAllBytes(file)).as("never re-initialised").isEqualTo(bytes);
    }

    @Test
    void aStateFileWithFlippedHeaderBytesIsReportedAsCorrupt() throws Exception {
        writeSomething();
        Path file = StateFile.path(data());
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
    void aMissingStateFileBesideALogIsRefusedNotStartedOver() throws Exception {
        writeSomething();
        Files.move(StateFile.path(data()), dir.resolve("moved-away"));
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("no raft-state file; refusing to start over on top of a log");
        assertThat(Files.size(segment1())).as("the log is still there").isGreaterThan(1000);
    }

    @Test
    void aMissingSegmentIsReportedAsCorrupt() throws Exception {
        try (SegmentedLogStore store = SegmentedLogStore.open(data(), "c1", "n1", new StoreSettings(16, 2048))) {
            for (long i = 1; i <= 300; i += 10) {
                store.append(batch(i, i + 9, "SEG"));
            }
        }
        Path newest;
        try (var listing = Files.list(data())) {
            newest = listing.filter(p -> p.getFileName().toString().endsWith(".log")).max(Path::compareTo).orElseThrow();
        }
        assertThat(newest.getFileName().toString()).as("several segments").isNotEqualTo(Segment.fileName(2));
        Files.move(data().resolve(Segment.fileName(2)), dir.resolve("moved-away"));
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(Segment.fileName(2) + " is missing");
        Files.move(dir.resolve("moved-away"), data().resolve(Segment.fileName(2)));
        Files.move(newest, dir.resolve("moved-away"));
        assertThatThrownBy(() -> open("c1", "n1"))
                .as("losing the newest segment is noticed too")
                .isInstanceOf(IOException.class)
                .hasMessageContaining(newest.getFileName() + " is missing");
    }

    @Test
    void aSecondOpenOfALockedDirectoryNamesTheHoldersPid() throws Exception {
        try (SegmentedLogStore first = open("c1", "n1")) {
            assertThatThrownBy(() -> open("c1", "n1"))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(data().toString())
                    .hasMessageContaining("held by pid " + ProcessHandle.current().pid());
            assertThat(first.lastIndex()).isZero();
        }
        try (SegmentedLogStore reopened = open("c1", "n1")) {
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
        writeSomething();
        Path state = StateFile.path(data());
        Files.move(state, dir.resolve("moved-away"));
        Files.createDirectories(state);
        assertThatThrownBy(() -> open("c1", "n1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(state.toString())
                .hasMessageContaining("not a regular file");
    }

    @Test
    void aMissingDataDirectoryOptionIsABadConfigurationNotAnIoError() {
        LogStoreConfig config = new LogStoreConfig(NodeId.of("n1"), "c1", null, Options.EMPTY, null);
        assertThatThrownBy(() -> new MapDbLogStoreProvider().open(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a data directory");
        LogStoreConfig badOption = new LogStoreConfig(NodeId.of("n1"), "c1", data(),
                Options.of(Map.of(StoreSettings.READ_CACHE_BATCHES, "lots")), null);
        assertThatThrownBy(() -> new MapDbLogStoreProvider().open(badOption))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("read-cache-batches");
    }
}
