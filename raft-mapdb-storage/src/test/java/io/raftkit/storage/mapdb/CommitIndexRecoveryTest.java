package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored commit index says entries up to it were committed; a log that ends below it has lost
 * committed entries, and opening it would let the node answer as if it never had them (§5.4).
 */
class CommitIndexRecoveryTest {

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private SegmentedLogStore open(StoreSettings settings) throws IOException {
        return SegmentedLogStore.open(data(), "c1", "n1", settings);
    }

    private static List<LogEntry> batch(long from, long to) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, 1, ("entry-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    @Test
    void aLogCutAtAFrameBoundaryBelowTheCommitIndexIsRefusedNamingBothIndexes() throws Exception {
        Path segment = data().resolve(Segment.fileName(1));
        long boundary;
        try (SegmentedLogStore store = open(StoreSettings.DEFAULTS)) {
            store.append(batch(1, 10));
            boundary = Files.size(segment);
            store.append(batch(11, 20));
            store.saveHardState(new HardState(1, null, 20));
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(boundary); // a whole frame lost: no torn write, nothing to see in the frames
        }
        assertThatThrownBy(() -> open(StoreSettings.DEFAULTS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("commit index 20")
                .hasMessageContaining("last index 10");
    }

    @Test
    void missingOldestSegmentsBesideAnEmptyNewestOneAreRefusedNamingBothIndexes() throws Exception {
        StoreSettings small = new StoreSettings(16, 2048);
        try (SegmentedLogStore store = open(small)) {
            for (long i = 1; i <= 300; i += 10) {
                store.append(batch(i, i + 9));
            }
            store.saveHardState(new HardState(1, null, 300));
        }
        long emptySegment;
        try (SegmentedLogStore fresh = SegmentedLogStore.open(dir.resolve("fresh"), "c1", "n1", small)) {
            emptySegment = Files.size(dir.resolve("fresh").resolve(Segment.fileName(1)));
        }
        List<Path> segments;
        try (Stream<Path> listing = Files.list(data())) {
            segments = listing.filter(p -> p.getFileName().toString().matches("segment-\\d+\\.log")).sorted().toList();
        }
        for (Path p : segments.subList(0, segments.size() - 1)) {
            Files.delete(p);
        }
        try (FileChannel ch = FileChannel.open(segments.get(segments.size() - 1), StandardOpenOption.WRITE)) {
            ch.truncate(emptySegment);
        }
        assertThatThrownBy(() -> open(small))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("commit index 300")
                .hasMessageContaining("last index 0");
    }
}
