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
        return batch(from, to, 1);
    }

    private static List<LogEntry> batch(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, term, ("entry-" + i + "-" + term).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    /** Appends 1..10 of term 1, then replaces 5..8 with term 2, commits 7 and runs {@code more}; then loses the second frame. */
    private void loseTheReplacingFrame(StoreAction more) throws Exception {
        Path segment = data().resolve(Segment.fileName(1));
        long boundary;
        try (SegmentedLogStore store = open(StoreSettings.DEFAULTS)) {
            store.append(batch(1, 10, 1));
            boundary = Files.size(segment);
            store.append(batch(5, 8, 2));
            store.saveHardState(new HardState(2, null, 7));
            more.run(store);
        }
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(boundary); // the log now ends at 10 again, above the commit index: only terms tell
        }
    }

    private interface StoreAction {
        void run(SegmentedLogStore store) throws IOException;
    }

    @Test
    void replacedEntriesBackBelowTheCommitIndexAreRefusedNamingTheTerms() throws Exception {
        loseTheReplacingFrame(store -> { });
        assertThatThrownBy(() -> open(StoreSettings.DEFAULTS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("the entry at the commit index 7 has term 1, but it had term 2");
    }

    @Test
    void replacedEntriesBackAtTheCompactionPointAreRefusedNamingTheTerms() throws Exception {
        // Found by the storage fault model: the compaction point's recorded term used to be put in
        // place before the commit index was checked, so the check compared the state file with itself.
        loseTheReplacingFrame(store -> store.compact(6));
        assertThatThrownBy(() -> open(StoreSettings.DEFAULTS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(data().toString())
                .hasMessageContaining("the entry at the compaction point 6 has term 1, but it had term 2");
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
