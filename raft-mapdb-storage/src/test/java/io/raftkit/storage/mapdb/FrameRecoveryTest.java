package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edges of the segment frame format, each found by a review of format 2: a batch too large for
 * a frame, a flipped bit in a frame header, payloads full of zeros, and payloads shaped like frames.
 * Every acknowledged frame must either read back or make opening refuse; only a write that was
 * never acknowledged may be cut.
 */
class FrameRecoveryTest {

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private Path segment1() {
        return data().resolve(Segment.fileName(1));
    }

    private SegmentedLogStore open() throws IOException {
        return SegmentedLogStore.open(data(), "c1", "n1", StoreSettings.DEFAULTS);
    }

    private static List<LogEntry> batch(long from, long to, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            list.add(LogEntry.command(i, term, ("entry-" + i + "-" + term).getBytes(StandardCharsets.UTF_8)));
        }
        return list;
    }

    @Test
    void aBatchOverTheRecordLimitIsRefusedByAppendAndNeverWritten() throws Exception {
        long sizeBefore;
        try (SegmentedLogStore store = open()) {
            store.append(batch(1, 3, 1));
            sizeBefore = Files.size(segment1());
            // Zeros are the worst case: format 2 wrote this batch, acknowledged it and then cut it
            // on the next open as a torn write, because its length was over the limit the scan accepts.
            byte[] mib = new byte[1 << 20];
            List<LogEntry> huge = new ArrayList<>();
            for (long i = 4; i < 4 + 257; i++) {
                huge.add(LogEntry.command(i, 1, mib)); // entries may share a payload array: 257 MiB, 1 MiB of heap
            }
            assertThatThrownBy(() -> store.append(huge))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("entries 4..260")
                    .hasMessageContaining("limit of " + FrameCodec.MAX_RECORD + " bytes");
            assertThat(store.lastIndex()).as("nothing was appended").isEqualTo(3);
            assertThat(Files.size(segment1())).as("nothing was written").isEqualTo(sizeBefore);
            store.append(batch(4, 5, 1));
            assertThat(store.lastIndex()).as("the refusal does not stop the store").isEqualTo(5);
        }
        try (SegmentedLogStore store = open()) {
            assertThat(store.lastIndex()).isEqualTo(5);
        }
    }

    @Test
    void aFlippedBitInTheLastFramesLengthIsRefusedNotCutAsATornWrite() throws Exception {
        long lastFrame;
        try (SegmentedLogStore store = open()) {
            store.append(batch(1, 10, 1));
            store.saveHardState(new HardState(1, null, 5));
            lastFrame = Files.size(segment1());
            store.append(batch(6, 8, 2)); // replaces 6..10: if this frame vanished, 6..10 of term 1 would come back
            store.saveHardState(new HardState(2, null, 8));
        }
        byte[] bytes = Files.readAllBytes(segment1());
        bytes[(int) lastFrame + 5] ^= 0x10; // the length field (bytes 4..7 of the frame): one more MiB
        Files.write(segment1(), bytes);
        assertThatThrownBy(this::open)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(segment1().toString())
                .hasMessageContaining("is corrupt at offset " + lastFrame);
        assertThat(Files.readAllBytes(segment1())).as("nothing was cut").isEqualTo(bytes);
    }

    @Test
    void damageToALastFrameWhosePayloadHoldsZerosIsRefusedNotCutAsTorn() throws Exception {
        long lastFrame;
        try (SegmentedLogStore store = open()) {
            store.append(batch(1, 5, 1));
            lastFrame = Files.size(segment1());
            store.append(List.of(LogEntry.command(6, 1, new byte[1536]), LogEntry.command(7, 1, new byte[]{7})));
            store.saveHardState(new HardState(1, null, 7)); // entries 6 and 7 are committed
        }
        byte[] bytes = Files.readAllBytes(segment1());
        bytes[(int) lastFrame + 30] ^= 0x01; // inside the record, after it was durable
        Files.write(segment1(), bytes);
        assertThatThrownBy(this::open)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(segment1().toString())
                .hasMessageContaining("is corrupt at offset " + lastFrame);
        assertThat(Files.readAllBytes(segment1())).as("nothing was cut").isEqualTo(bytes);
    }

    @Test
    void aTornWriteOfAPayloadShapedLikeAFrameIsCutNotTakenForALaterFrame() throws Exception {
        long lastFrame;
        // What a client can send as a command: the bytes of a whole, valid format-2 frame.
        byte[] planted = format2Frame(BatchCodec.encodeBatch(List.of(LogEntry.command(7, 1, "planted".getBytes(StandardCharsets.UTF_8)))));
        byte[] payload = new byte[600 + planted.length + 3000];
        Arrays.fill(payload, (byte) 'x');
        System.arraycopy(planted, 0, payload, 600, planted.length);
        try (SegmentedLogStore store = open()) {
            store.append(batch(1, 5, 1));
            lastFrame = Files.size(segment1());
            store.append(List.of(LogEntry.command(6, 1, payload)));
        }
        long fullSize = Files.size(segment1());
        long tornSize = lastFrame + 2000; // past the planted frame, before the end of the real one
        assertThat(tornSize).isLessThan(fullSize);
        try (FileChannel ch = FileChannel.open(segment1(), StandardOpenOption.WRITE)) {
            ch.truncate(tornSize); // the machine died while the write was on its way
        }
        try (SegmentedLogStore store = open()) {
            assertThat(store.lastIndex()).as("the torn write is cut; the acknowledged prefix opens").isEqualTo(5);
        }
        assertThat(Files.size(segment1())).isEqualTo(lastFrame);
    }

    /** A frame as format 2 wrote it: magic, length, record. */
    private static byte[] format2Frame(byte[] record) {
        return ByteBuffer.allocate(8 + record.length).putInt(0x52_4B_4C_47).putInt(record.length).put(record).array();
    }
}
