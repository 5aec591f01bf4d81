package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment store's reset across reopening: the half-done step, and state files written before the reset field existed. */
class LogResetTest {

    @TempDir
    Path dir;

    private SegmentedLogStore open() throws Exception {
        return SegmentedLogStore.open(dir, "c", "n1", new StoreSettings(8, 1 << 20));
    }

    private static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(new LogEntry(i, term, EntryKind.COMMAND, ("e" + i).getBytes()));
        }
        return list;
    }

    @Test
    void segmentsAResetLeftBecauseACrashCameBeforeTheirDeletionAreDeletedUnreadAtOpen() throws Exception {
        Path oldSegment = dir.resolve(Segment.fileName(1));
        byte[] copy;
        try (SegmentedLogStore store = open()) {
            store.append(entries(1, 50, 1));
            copy = Files.readAllBytes(oldSegment);
            store.reset(100, 3);
            assertThat(oldSegment).doesNotExist();
        }
        Files.write(oldSegment, copy); // as if the crash came between the state save and the deletion
        try (SegmentedLogStore store = open()) {
            assertThat(store.firstIndex()).isEqualTo(101);
            assertThat(store.lastIndex()).isEqualTo(100);
            assertThat(store.term(100)).isEqualTo(3);
            store.append(entries(101, 102, 3));
        }
        assertThat(oldSegment).doesNotExist();
        try (SegmentedLogStore store = open()) {
            assertThat(store.entries(101, 102, Long.MAX_VALUE)).containsExactlyElementsOf(entries(101, 102, 3));
        }
    }

    @Test
    void anEmptySegmentACrashLeftBeforeTheResetWasRecordedKeepsTheOldLog() throws Exception {
        try (SegmentedLogStore store = open()) {
            store.append(entries(1, 20, 1));
        }
        // the reset's first step: a new, empty segment, then the crash before the state save
        try (Segment extra = Segment.create(StoreEnvironment.PRODUCTION, dir, 2, "c", "n1")) {
            assertThat(extra.holdsNoFrame()).isTrue();
        }
        try (SegmentedLogStore store = open()) {
            assertThat(store.firstIndex()).isEqualTo(1);
            assertThat(store.lastIndex()).isEqualTo(20);
            store.append(entries(21, 22, 1));
            store.reset(30, 2);
        }
        try (SegmentedLogStore store = open()) {
            assertThat(store.firstIndex()).isEqualTo(31);
            assertThat(store.term(30)).isEqualTo(2);
        }
    }

    @Test
    void aStateFileWrittenBeforeTheResetFieldExistedStillOpens() throws Exception {
        try (SegmentedLogStore store = open()) {
            store.append(entries(1, 30, 2));
            store.compact(10);
        }
        // Blank the field and its checksum in every copy of both slots, as an earlier build left them.
        try (RandomAccessFile f = new RandomAccessFile(StateFile.path(dir).toFile(), "rw")) {
            for (int slot = 1; slot <= 2; slot++) {
                for (int copy = 0; copy < 2; copy++) {
                    f.seek(slot * 4096L + copy * 2048L + 64); // 7 longs, the vote length (-1: none), the first crc
                    f.write(new byte[12]);
                }
            }
        }
        try (SegmentedLogStore store = open()) {
            assertThat(store.firstIndex()).isEqualTo(11);
            assertThat(store.lastIndex()).isEqualTo(30);
            assertThat(store.term(10)).isEqualTo(2);
        }
    }
}
