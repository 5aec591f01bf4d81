package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The state file's edges: how long a cluster id may be, and what a torn page may take with it. */
class StateFileTest {

    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private SegmentedLogStore open(String cluster) throws IOException {
        return SegmentedLogStore.open(data(), cluster, "n1", StoreSettings.DEFAULTS);
    }

    @Test
    void aClusterIdLongerThan256BytesIsRefusedAtCreationNamingTheLimit() {
        String cluster = "c".repeat(300); // format 2 created this store, and then never reopened it
        assertThatThrownBy(() -> open(cluster))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("300 bytes")
                .hasMessageContaining("at most 256");
        assertThat(Files.exists(StateFile.path(data()))).as("no store was created").isFalse();
    }

    @Test
    void aClusterIdOf256BytesInUtf8CreatesAStoreThatReopens() throws Exception {
        String cluster = "\u00e9".repeat(128); // two bytes each
        try (SegmentedLogStore store = open(cluster)) {
            store.saveHardState(new HardState(2, null, 0));
        }
        try (SegmentedLogStore store = open(cluster)) {
            assertThat(store.loadHardState()).isEqualTo(new HardState(2, null, 0));
        }
    }

    @Test
    void aSaveTornAcrossItsWholePageLeavesThePreviousStateReadable() throws Exception {
        HardState previous = new HardState(4, NodeId.of("n2"), 0);
        try (SegmentedLogStore store = open("c1")) {
            store.saveHardState(new HardState(3, NodeId.of("n3"), 0));
            store.saveHardState(previous);
        }
        Path file = StateFile.path(data());
        byte[] before = Files.readAllBytes(file);
        try (SegmentedLogStore store = open("c1")) {
            store.saveHardState(new HardState(5, null, 0));
        }
        byte[] after = Files.readAllBytes(file);
        // A drive that writes 4 KiB physical sectors rewrites the whole page the save touched; if the
        // power fails meanwhile the page can read back as garbage. That save was never acknowledged.
        byte[] torn = before.clone();
        Random garbage = new Random(42);
        int garbled = 0;
        for (int page = 0; page * PAGE < before.length; page++) {
            int from = page * PAGE;
            int to = Math.min(before.length, from + PAGE);
            if (!java.util.Arrays.equals(before, from, to, after, from, to)) {
                byte[] noise = new byte[to - from];
                garbage.nextBytes(noise);
                System.arraycopy(noise, 0, torn, from, noise.length);
                garbled++;
            }
        }
        assertThat(garbled).as("a save changes one page").isEqualTo(1);
        Files.write(file, torn);
        try (SegmentedLogStore store = open("c1")) {
            assertThat(store.loadHardState()).isEqualTo(previous);
        }
    }

    @AfterEach
    void noBugStaysPutBack() {
        KnownBug.reintroduce(Set.of());
    }

    @ParameterizedTest(name = "bug put back: {0}")
    @ValueSource(booleans = {false, true})
    void aResetWhoseStateSaveToreAfterItsFirstChecksumNeverMixesTheOldLogWithTheNew(boolean bugPutBack) throws Exception {
        KnownBug.reintroduce(bugPutBack ? Set.of(KnownBug.TORN_COPY_READ_AS_UNRESET) : Set.of());
        try (SegmentedLogStore store = open("c1")) {
            List<LogEntry> entries = new ArrayList<>();
            for (long i = 1; i <= 30; i++) {
                entries.add(LogEntry.command(i, 1, ("entry-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            store.append(entries);
            for (long commit = 5; commit <= 10; commit++) {
                store.saveHardState(new HardState(1, null, commit)); // both slots hold complete copies
            }
        }
        Path file = StateFile.path(data());
        byte[] beforeReset = Files.readAllBytes(file);
        Map<Path, byte[]> segmentsBeforeReset = new HashMap<>();
        try (var files = Files.list(data())) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches("segment-\\d+\\.log")).toList()) {
                segmentsBeforeReset.put(p, Files.readAllBytes(p));
            }
        }
        try (SegmentedLogStore store = open("c1")) {
            store.reset(20, 1);
        }
        // The power failed after the reset's state save and before its old segments were deleted, and
        // tore the save in both copies after the first checksum: firstSegment and its checksum are old.
        byte[] torn = Files.readAllBytes(file);
        int slot = -1;
        for (int page = 1; page <= 2; page++) {
            if (java.nio.ByteBuffer.wrap(torn, page * PAGE + 8, 8).getLong() == 21) {
                slot = page * PAGE;
            }
        }
        assertThat(slot).as("a slot records the reset's first index").isPositive();
        int tail = 64; // 7 longs, a vote length of -1 and the first checksum; then firstSegment and crc2
        for (int copy : new int[] {0, PAGE / 2}) {
            System.arraycopy(beforeReset, slot + copy + tail, torn, slot + copy + tail, 12);
        }
        assertThat(java.util.Arrays.equals(torn, slot + tail, slot + tail + 12, new byte[12], 0, 12))
                .as("the slot held a complete copy before, not zeros").isFalse();
        Files.write(file, torn);
        for (Map.Entry<Path, byte[]> segment : segmentsBeforeReset.entrySet()) {
            Files.write(segment.getKey(), segment.getValue());
        }
        try (SegmentedLogStore store = open("c1")) {
            if (bugPutBack) {
                assertThat(store.firstIndex()).as("the reset's first index over the old log's entries").isEqualTo(21);
                assertThat(store.lastIndex()).isEqualTo(30);
            } else {
                assertThat(store.firstIndex()).as("the interrupted reset did not happen").isEqualTo(1);
                assertThat(store.lastIndex()).isEqualTo(30);
                assertThat(store.loadHardState()).isEqualTo(new HardState(1, null, 10));
            }
        }
    }
}
