package io.raftkit.api.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The transfer stream: what the writer refuses, and that every malformed stream is an InvalidSnapshotException naming the offset. */
class SnapshotStreamTest {

    private static byte[] recordsStream(int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotStreamWriter w = new SnapshotStreamWriter(out, SnapshotKind.RECORDS);
        for (int i = 0; i < count; i++) {
            w.put(String.format("key-%04d", i).getBytes(), new byte[i % 7]);
        }
        assertThat(w.finish()).isEqualTo(out.size());
        return out.toByteArray();
    }

    private static int readAllRecords(byte[] stream) throws IOException {
        try (SnapshotStreamReader r = new SnapshotStreamReader(new ByteArrayInputStream(stream), "test")) {
            int n = 0;
            while (r.nextRecord()) {
                n++;
            }
            return n;
        }
    }

    @Test
    void theWriterMeasuresTheSizeAndChecksumOfWhatItWrote() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotStreamWriter w = new SnapshotStreamWriter(out, SnapshotKind.BYTES);
        byte[] content = new byte[200_000];
        new Random(1).nextBytes(content);
        w.write(content, 0, content.length);
        w.finish();
        CRC32C crc = new CRC32C();
        crc.update(out.toByteArray());
        assertThat(w.size()).isEqualTo(out.size());
        assertThat(w.checksum()).isEqualTo(crc.getValue());
        try (SnapshotStreamReader r = new SnapshotStreamReader(new ByteArrayInputStream(out.toByteArray()), "test")) {
            assertThat(r.bytes().readAllBytes()).isEqualTo(content);
            assertThat(r.ended()).isTrue();
        }
    }

    @Test
    void recordsRoundTrip() throws IOException {
        assertThat(readAllRecords(recordsStream(1000))).isEqualTo(1000);
        assertThat(readAllRecords(recordsStream(0))).isZero();
    }

    @Test
    void everyTruncationIsRefusedNamingTheOffset() throws IOException {
        byte[] stream = recordsStream(20);
        for (int end = 0; end < stream.length; end++) {
            byte[] cut = Arrays.copyOf(stream, end);
            assertThatThrownBy(() -> readAllRecords(cut)).as("cut at %d", end).isInstanceOf(InvalidSnapshotException.class)
                    .hasMessageContaining("at offset");
        }
    }

    @Test
    void aWrongMagicVersionOrKindIsRefused() throws IOException {
        byte[] stream = recordsStream(3);
        byte[] magic = stream.clone();
        magic[0] ^= 1;
        assertThatThrownBy(() -> readAllRecords(magic)).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("header");
        byte[] version = stream.clone();
        version[8] = 9;
        assertThatThrownBy(() -> readAllRecords(version)).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("version 9");
        byte[] kind = stream.clone();
        kind[9] = 7;
        assertThatThrownBy(() -> readAllRecords(kind)).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("kind 7");
    }

    @Test
    void aForgedLengthIsRefusedBeforeAnythingIsAllocated() throws IOException {
        byte[] stream = recordsStream(3);
        ByteBuffer.wrap(stream).putInt(SnapshotStreamFormat.HEADER_BYTES, Integer.MAX_VALUE);
        assertThatThrownBy(() -> readAllRecords(stream)).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("key length");
    }

    @Test
    void aCountThatDisagreesOrBytesAfterTheEndAreRefused() throws IOException {
        byte[] stream = recordsStream(3);
        byte[] count = stream.clone();
        count[count.length - 1] = 4;
        assertThatThrownBy(() -> readAllRecords(count)).isInstanceOf(InvalidSnapshotException.class).hasMessageContaining("counts 4");
        byte[] longer = Arrays.copyOf(stream, stream.length + 1);
        assertThatThrownBy(() -> readAllRecords(longer)).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("follow the end marker");
    }

    @Test
    void keysOutOfOrderInAStreamAreRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        d.writeLong(SnapshotStreamFormat.MAGIC);
        d.writeByte(SnapshotStreamFormat.VERSION);
        d.writeByte(SnapshotKind.RECORDS.code());
        for (String k : new String[] {"b", "a"}) {
            d.writeInt(1);
            d.write(k.getBytes());
            d.writeInt(0);
        }
        d.writeInt(-1);
        d.writeLong(2);
        assertThatThrownBy(() -> readAllRecords(out.toByteArray())).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("not above");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void randomlyMutatedStreamsParseOrFailCleanly(long seed) throws IOException {
        Random random = new Random(seed);
        byte[] stream = recordsStream(50);
        for (int i = 0; i < 3000; i++) {
            byte[] mutated = stream.clone();
            for (int f = 0; f < 1 + random.nextInt(3); f++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                readAllRecords(mutated);
            } catch (InvalidSnapshotException expected) {
                // named and refused
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " mutation " + i + " escaped as " + e, e);
            }
        }
    }

    @Test
    void theWriterRefusesWhatTheReaderWouldRefuse() throws IOException {
        SnapshotStreamWriter w = new SnapshotStreamWriter(new ByteArrayOutputStream(), SnapshotKind.RECORDS);
        w.put(new byte[] {(byte) 0x80}, new byte[0]);
        assertThatThrownBy(() -> w.put(new byte[] {0x7f}, new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x7f follows 0x80");
        assertThatThrownBy(() -> w.put(new byte[SnapshotStreamFormat.MAX_KEY_BYTES + 1], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        w.finish();
        assertThatThrownBy(() -> w.put(new byte[] {(byte) 0x90}, new byte[0])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void snapshotMetadataRefusesWhatCannotBeAFileNameOrAChecksum() {
        ClusterConfig config = ClusterConfig.ofVoters("n1");
        assertThatThrownBy(() -> new SnapshotMeta("../etc", 1, 1, config, SnapshotKind.RECORDS, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotMeta(".hidden", 1, 1, config, SnapshotKind.RECORDS, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotMeta("ok", 0, 1, config, SnapshotKind.RECORDS, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotMeta("ok", 1, 1, config, SnapshotKind.RECORDS, 0, 1L << 32))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SnapshotMeta.idFor(12, 3, 0xabcL)).isEqualTo("12-3-00000abc");
    }
}
