package io.raftkit.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** An entry held as its snapshot record's array: what it reads back, and that no one can change it. */
class KvEntryTest {

    @Test
    void anEntryReadsBackTheValueAndMarkersItWasMadeOf() {
        KvEntry entry = new KvEntry(KvValue.of(new byte[] {0, (byte) 0xff, 7}), 3, 2, Long.MAX_VALUE);

        assertThat(entry.value()).isEqualTo(KvValue.of(new byte[] {0, (byte) 0xff, 7}));
        assertThat(entry.version()).isEqualTo(3);
        assertThat(entry.createIndex()).isEqualTo(2);
        assertThat(entry.modIndex()).isEqualTo(Long.MAX_VALUE);
        assertThat(entry).isEqualTo(new KvEntry(KvValue.of(new byte[] {0, (byte) 0xff, 7}), 3, 2, Long.MAX_VALUE))
                .hasSameHashCodeAs(new KvEntry(KvValue.of(new byte[] {0, (byte) 0xff, 7}), 3, 2, Long.MAX_VALUE))
                .isNotEqualTo(new KvEntry(KvValue.of(new byte[] {0, (byte) 0xff, 7}), 3, 2, 9));
        assertThat(entry.toString()).isEqualTo("KvEntry[value=base64:AP8H, version=3, createIndex=2, modIndex=9223372036854775807]");
    }

    @Test
    void theEntryArrayIsTheDataRecordValueInTheSnapshotFormat() throws Exception {
        KvEntry entry = new KvEntry(KvValue.of("hello"), 4, 1, 6);

        byte[] record = KvSnapshotRecords.dataValue(entry);

        ByteBuffer expected = ByteBuffer.allocate(KvSnapshotRecords.DATA_HEADER_BYTES + 5).putLong(4).putLong(1).putLong(6)
                .put("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(record).isEqualTo(expected.array());
        assertThat(KvSnapshotRecords.checkData(KvSnapshotRecords.dataKey("k"), record)).isSameAs(record);
        assertThat(KvEntry.ofRecord(record)).isEqualTo(entry);
    }

    @Test
    void neitherTheValueGivenNorTheValueReadSharesTheEntrysBytes() {
        byte[] given = "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        KvValue value = KvValue.ofOwned(given);
        KvEntry entry = KvEntry.created(value, 5);

        given[0] = 'X';
        entry.value().bytesUnsafe()[1] = 'Y';

        assertThat(entry.value()).isEqualTo(KvValue.of("abc"));
        assertThat(entry.valueEquals(KvValue.of("abc"))).isTrue();
        assertThat(entry.valueEquals(KvValue.of("abd"))).isFalse();
        assertThat(entry.valueLength()).isEqualTo(3);
    }

    @Test
    void anOverwriteCountsAVersionAndKeepsTheCreateIndex() {
        KvEntry next = KvEntry.created(KvValue.of("a"), 5).overwrite(KvValue.of("bb"), 9);

        assertThat(next).isEqualTo(new KvEntry(KvValue.of("bb"), 2, 5, 9));
    }

    @Test
    void aRestoredKeyOverwrittenAfterTheRestoreLeavesTheSnapshotItCameFromAsItWas() throws Exception {
        KvStateMachine sm = new KvStateMachine();
        sm.apply(1, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(1), "k", "first")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.snapshot(out);
        byte[] stream = out.toByteArray();
        KvStateMachine restored = new KvStateMachine();
        restored.restore(new ByteArrayInputStream(stream));
        var captured = restored.captureSnapshot();

        restored.apply(2, KvCodec.encode(new KvCommand.Put(SessionStamp.anonymous(2), "k", "second")));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        io.raftkit.api.snapshot.SnapshotStreamWriter writer = new io.raftkit.api.snapshot.SnapshotStreamWriter(again, captured.kind());
        captured.writeTo(writer);
        writer.finish();
        assertThat(again.toByteArray()).isEqualTo(stream);
        assertThat(KvCodec.decodeResult(restored.query(KvCodec.encodeGet("k"))).value()).contains(KvValue.of("second"));
    }

    @Test
    void aDataRecordWithBadMarkersIsRefusedNamingIt() {
        byte[] record = KvSnapshotRecords.dataValue(new KvEntry(KvValue.of("v"), 1, 5, 4));

        assertThatThrownBy(() -> KvSnapshotRecords.checkData(KvSnapshotRecords.dataKey("k"), record))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("0x026b").hasMessageContaining("createIndex 5, modIndex 4");
    }
}
