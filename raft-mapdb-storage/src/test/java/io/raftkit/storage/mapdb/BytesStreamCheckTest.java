package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotStreamReader;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The framing check of arriving chunks refuses exactly what the stream reader refuses, wherever the chunks are cut. */
class BytesStreamCheckTest {

    private static byte[] bytesStream(int size, long seed) throws IOException {
        byte[] content = new byte[size];
        new SplittableRandom(seed).nextBytes(content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotStreamWriter writer = new SnapshotStreamWriter(out, SnapshotKind.BYTES);
        writer.write(content, 0, content.length);
        writer.finish();
        return out.toByteArray();
    }

    private static boolean readerAccepts(byte[] stream) throws IOException {
        try (SnapshotStreamReader reader = new SnapshotStreamReader(new ByteArrayInputStream(stream), "test")) {
            if (reader.kind() != SnapshotKind.BYTES) {
                return false;
            }
            while (reader.nextPiece() != null) {
                // parse it all
            }
            return true;
        } catch (InvalidSnapshotException e) {
            return false;
        }
    }

    private static String check(byte[] stream, SplittableRandom cuts) {
        BytesStreamCheck check = new BytesStreamCheck();
        int at = 0;
        while (at < stream.length) {
            int n = Math.min(stream.length - at, 1 + cuts.nextInt(cuts.nextBoolean() ? 5 : 100_000));
            check.update(stream, at, n);
            at += n;
        }
        return check.problem();
    }

    @Test
    void wholeStreamsOfManySizesPassInChunksCutAnywhere() throws IOException {
        SplittableRandom cuts = new SplittableRandom(1);
        for (int size : new int[] {0, 1, 65_535, 65_536, 65_537, 300_000}) {
            byte[] stream = bytesStream(size, size);
            assertThat(readerAccepts(stream)).isTrue();
            assertThat(check(stream, cuts)).as("size " + size).isNull();
        }
    }

    @Test
    void everyTruncationAndEveryExtraByteIsRefusedAsTheReaderRefusesIt() throws IOException {
        byte[] stream = bytesStream(70_000, 3);
        SplittableRandom cuts = new SplittableRandom(2);
        for (int length = 0; length < stream.length; length += length < 40 || length > stream.length - 40 ? 1 : 997) {
            byte[] truncated = Arrays.copyOf(stream, length);
            assertThat(readerAccepts(truncated)).isFalse();
            assertThat(check(truncated, cuts)).as("truncated to " + length).contains("truncated");
        }
        byte[] longer = Arrays.copyOf(stream, stream.length + 1);
        assertThat(readerAccepts(longer)).isFalse();
        assertThat(check(longer, cuts)).contains("bytes follow the end marker");
    }

    @Test
    void aChangedByteInAnyFrameFieldIsRefusedLikeTheReaderDoes() throws IOException {
        byte[] stream = bytesStream(200_000, 4);
        SplittableRandom random = new SplittableRandom(5);
        int[] fieldBytes = {0, 7, 8, 9, 10, 13, 10 + 4 + 65_536, 10 + 4 + 65_536 + 3, stream.length - 12, stream.length - 9,
            stream.length - 8, stream.length - 1};
        for (int at : fieldBytes) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] changed = stream.clone();
                changed[at] ^= (byte) (1 << bit);
                boolean reader = readerAccepts(changed);
                String problem = check(changed, random);
                assertThat(problem == null).as("byte " + at + " bit " + bit + ": " + problem).isEqualTo(reader);
            }
        }
    }

    @Test
    void aRecordsStreamIsNotABytesStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotStreamWriter writer = new SnapshotStreamWriter(out, SnapshotKind.RECORDS);
        writer.put(new byte[] {1}, new byte[] {2});
        writer.finish();
        assertThat(check(out.toByteArray(), new SplittableRandom(6))).contains("not bytes");
    }
}
