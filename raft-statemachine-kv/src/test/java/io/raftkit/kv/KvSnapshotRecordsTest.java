package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.InvalidSnapshotException;
import io.raftkit.api.snapshot.SnapshotStreamWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Bad snapshot records give an IOException that names the record and the problem, and change nothing. */
class KvSnapshotRecordsTest {

    private final KvStateMachine sm = new KvStateMachine(60_000);

    KvSnapshotRecordsTest() {
        sm.apply(1, KvCodec.encode(new KvCommand.Put(new SessionStamp(7, 1, 1_000), "kept", "1")));
    }

    private static byte[] meta() {
        return KvSnapshotRecords.metaValue(new KvSnapshotRecords.Meta(9, Optional.of(SessionPolicy.DEFAULT),
                new LogClock.State(5, 5, true)));
    }

    private static byte[] stream(byte[]... keysAndValues) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotStreamWriter writer = new SnapshotStreamWriter(out, SnapshotKind.RECORDS);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            writer.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        writer.finish();
        return out.toByteArray();
    }

    private void assertRefused(byte[] stream, String... messageParts) throws IOException {
        byte[] before = snapshotOf(sm);
        assertThatThrownBy(() -> sm.restore(new ByteArrayInputStream(stream)))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContainingAll(messageParts);
        assertThat(snapshotOf(sm)).as("a refused snapshot changes nothing").isEqualTo(before);
        assertThat(KvCodec.decodeResult(sm.query(KvCodec.encodeGet("kept"))).value()).contains(KvValue.of("1"));
    }

    private static byte[] snapshotOf(KvStateMachine machine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        machine.snapshot(out);
        return out.toByteArray();
    }

    @Test
    void aRecordWithAnUnknownPrefixIsRefusedNamingThePrefix() throws Exception {
        assertRefused(stream(new byte[] {0}, meta(), new byte[] {7, 'x'}, new byte[] {1}),
                "KV snapshot record 0x0778", "unknown prefix 0x07");
    }

    @Test
    void aTruncatedDataValueIsRefused() throws Exception {
        assertRefused(stream(new byte[] {0}, meta(), KvSnapshotRecords.dataKey("a"), new byte[10]),
                "a data value of 10 bytes (truncated");
    }

    @Test
    void aTruncatedSessionValueIsRefused() throws Exception {
        byte[] session = KvSnapshotRecords.sessionValue(new Sessions.Session(3, 1, 1, 0, new byte[KvCodec.DIGEST_BYTES],
                new Sessions.Outcome(KvResult.Status.OK, 1, 1, 1, 1)));
        assertRefused(stream(new byte[] {0}, meta(), KvSnapshotRecords.sessionKey(3), Arrays.copyOf(session, session.length - 1)),
                "a session value of " + (session.length - 1) + " bytes", "(truncated)");
    }

    @Test
    void aSessionStatusOutOfRangeIsRefused() throws Exception {
        byte[] session = KvSnapshotRecords.sessionValue(new Sessions.Session(3, 1, 1, 0, new byte[KvCodec.DIGEST_BYTES],
                new Sessions.Outcome(KvResult.Status.OK, 1, 1, 1, 1)));
        session[24 + KvCodec.DIGEST_BYTES] = (byte) 200;
        assertRefused(stream(new byte[] {0}, meta(), KvSnapshotRecords.sessionKey(3), session), "session outcome status 200");
    }

    @Test
    void aDataKeyThatIsNotUtf8IsRefusedAndAKeyHoldingUFFFDIsKept() throws Exception {
        byte[] data = KvSnapshotRecords.dataValue(new KvEntry(KvValue.of("v"), 1, 1, 1));
        assertRefused(stream(new byte[] {0}, meta(), new byte[] {2, 'a', (byte) 0xff}, data), "a data key that is not UTF-8");
        KvStateMachine other = new KvStateMachine(60_000);
        other.restore(new ByteArrayInputStream(stream(new byte[] {0}, meta(), KvSnapshotRecords.dataKey("a\uFFFD"), data)));
        assertThat(KvCodec.decodeResult(other.query(KvCodec.encodeGet("a\uFFFD"))).value()).contains(KvValue.of("v"));
    }

    @Test
    void dataRecordsOutOfKeyOrderFromAReaderThatDoesNotCheckOrderAreRefused() throws Exception {
        byte[] data = KvSnapshotRecords.dataValue(new KvEntry(KvValue.of("v"), 1, 1, 1));
        byte[][] records = {new byte[] {0}, meta(), KvSnapshotRecords.dataKey("b"), data, KvSnapshotRecords.dataKey("a"), data};
        io.raftkit.api.snapshot.SnapshotReader unordered = new io.raftkit.api.snapshot.SnapshotReader() {
            private int at = -2;

            @Override
            public io.raftkit.api.SnapshotMeta meta() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean nextRecord() {
                at += 2;
                return at < records.length;
            }

            @Override
            public byte[] key() {
                return records[at];
            }

            @Override
            public byte[] value() {
                return records[at + 1];
            }

            @Override
            public java.io.InputStream bytes() {
                throw new IllegalStateException();
            }

            @Override
            public void close() {
            }
        };
        byte[] before = snapshotOf(sm);
        assertThatThrownBy(() -> sm.restoreSnapshot(unordered)).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("key 'a' is not above the key before it");
        assertThat(snapshotOf(sm)).isEqualTo(before);
    }

    @Test
    void aSnapshotWithoutItsMetaRecordFirstIsRefused() throws Exception {
        byte[] data = KvSnapshotRecords.dataValue(new KvEntry(KvValue.of("v"), 1, 1, 1));
        assertRefused(stream(KvSnapshotRecords.dataKey("a"), data), "the first record must be the meta record");
        assertRefused(stream(), "holds no records");
    }

    @Test
    void aMetaRecordOfAnotherFormatIsRefusedNamingIt() throws Exception {
        byte[] other = meta();
        ByteBuffer.wrap(other).putInt(2);
        assertRefused(stream(new byte[] {0}, other), "KV snapshot format 2; this build reads format 3");
        assertRefused(stream(new byte[] {0}, Arrays.copyOf(meta(), 20)), "a meta value of 20 bytes");
    }

    @Test
    void aStreamCutShortIsRefused() throws Exception {
        byte[] whole = stream(new byte[] {0}, meta(), KvSnapshotRecords.dataKey("a"),
                KvSnapshotRecords.dataValue(new KvEntry(KvValue.of("value"), 1, 1, 1)));
        assertRefused(Arrays.copyOf(whole, whole.length - 15), "truncated");
    }

    @Test
    void aGoodSnapshotAfterARefusedOneStillRestores() throws Exception {
        aRecordWithAnUnknownPrefixIsRefusedNamingThePrefix();
        byte[] good = stream(new byte[] {0}, meta(), KvSnapshotRecords.dataKey("b"),
                KvSnapshotRecords.dataValue(new KvEntry(KvValue.of("2"), 3, 2, 8)));
        sm.restore(new ByteArrayInputStream(good));
        assertThat(KvCodec.decodeResult(sm.query(KvCodec.encodeGet("b")))).isEqualTo(
                new KvResult(KvResult.Status.OK, "b", Optional.of(KvValue.of("2")), 3, 2, 8, 9));
        assertThat(KvCodec.decodeResult(sm.query(KvCodec.encodeGet("kept"))).status()).isEqualTo(KvResult.Status.NOT_FOUND);
    }

    @Test
    void aDataKeyIsThePrefixAndTheKeysUtf8WhetherTheKeyIsAsciiOrNot() {
        for (String key : List.of("", "a", "key-00000001", "\u007f", "\u0080", "a\u00e9", "\u20ac", "x\uD83D\uDE00", "\uFFFF")) {
            byte[] utf8 = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] expected = new byte[utf8.length + 1];
            expected[0] = 0x02;
            System.arraycopy(utf8, 0, expected, 1, utf8.length);
            assertThat(KvSnapshotRecords.dataKey(key)).as("key %s", key).isEqualTo(expected);
        }
    }
}
