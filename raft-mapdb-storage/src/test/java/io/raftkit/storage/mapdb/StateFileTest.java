package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.NodeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
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
}
