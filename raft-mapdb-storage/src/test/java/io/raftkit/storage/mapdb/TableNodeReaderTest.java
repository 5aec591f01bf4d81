package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.Serializer;
import org.mapdb.SortedTableMap;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.Volume;

/** The table's own node reader against MapDB's reader, on the same files, mapped and through {@link DiskVolume}. */
class TableNodeReaderTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void readsEveryRecordExactlyAsMapDbsOwnReaderDoes(long seed) throws Exception {
        Random random = new Random(seed);
        Path table = dir.resolve("t.table");
        Path values = dir.resolve("t.values");
        int count = 1 + random.nextInt(3_000);
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> written = new ArrayList<>();
        try (SnapshotTable.Writer w = new SnapshotTable.Writer(FileChannelDisk.INSTANCE, table, values, SnapshotSettings.DEFAULTS.writeBackBytes())) {
            for (int i = 0; i < count; i++) {
                byte[] tail = new byte[random.nextInt(200)];
                random.nextBytes(tail);
                byte[] key = ByteBuffer.allocate(4 + tail.length).putInt(i).put(tail).array(); // increasing, random tails
                int size = switch (random.nextInt(10)) {
                    case 0 -> 0;
                    case 1 -> SnapshotTable.INLINE_MAX + 1 + random.nextInt(20_000); // in the values file
                    case 2 -> SnapshotTable.INLINE_MAX;
                    default -> random.nextInt(300);
                };
                byte[] value = new byte[size];
                random.nextBytes(value);
                w.put(key, value);
                keys.add(key);
                written.add(value);
            }
            w.finish();
        }
        String context = "seed " + seed + ", " + count + " records";
        // MapDB's reader gives the stored values, tag included; the table's reader gives them without.
        Volume volume = MappedFileVol.FACTORY.makeVolume(table.toString(), true, 0L, 20, 0L, false);
        try {
            SortedTableMap<byte[], byte[]> mapdb = SortedTableMap.open(volume, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY);
            for (SnapshotEnvironment env : List.of(SnapshotEnvironment.PRODUCTION,
                    new SnapshotEnvironment(FileChannelDisk.INSTANCE, false))) {
                Iterator<Map.Entry<byte[], byte[]>> reference = mapdb.entryIterator();
                try (SnapshotTable.Reader r = new SnapshotTable.Reader(env, table, values)) {
                    for (int i = 0; i < count; i++) {
                        Map.Entry<byte[], byte[]> stored = reference.next();
                        byte[][] record = r.next();
                        assertThat(record[0]).as(context + ", key %d", i).isEqualTo(stored.getKey()).isEqualTo(keys.get(i));
                        assertThat(record[1]).as(context + ", value %d", i).isEqualTo(written.get(i));
                        if (stored.getValue()[0] == SnapshotTable.INLINE) {
                            assertThat(record[1]).isEqualTo(Arrays.copyOfRange(stored.getValue(), 1, stored.getValue().length));
                        }
                    }
                    assertThat(r.next()).as(context).isNull();
                    assertThat(reference.hasNext()).isFalse();
                }
            }
        } finally {
            volume.close();
        }
    }

    @Test
    void aValueWithAnUnknownTagIsDamageNamingTheFile() throws Exception {
        Path table = dir.resolve("t.table");
        Path values = dir.resolve("t.values");
        // Written with MapDB's sink directly, to store what the table's writer never would.
        Volume volume = MappedFileVol.FACTORY.makeVolume(table.toString(), false);
        try {
            SortedTableMap.Sink<byte[], byte[]> sink = SortedTableMap.create(volume, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                    .pageSize(SnapshotTable.PAGE_BYTES).nodeSize(SnapshotTable.NODE_SIZE).createFromSink();
            sink.put(new byte[] {1}, new byte[] {SnapshotTable.INLINE, 7});
            sink.put(new byte[] {2}, new byte[] {9, 7, 7});
            sink.create();
        } finally {
            volume.close();
        }
        Files.write(values, new byte[0]);
        try (SnapshotTable.Reader r = new SnapshotTable.Reader(SnapshotEnvironment.PRODUCTION, table, values)) {
            assertThat(r.next()[1]).containsExactly(7);
            assertThatThrownBy(r::next).isInstanceOf(InvalidSnapshotException.class)
                    .hasMessageContaining(table.toString()).hasMessageContaining("tag 9");
        }
    }

    @Test
    void aCountOrLengthPastTheEndOfTheInputIsRefusedBeforeAnArrayOfThatSizeIsMade() throws Exception {
        DataOutput2 length = new DataOutput2();
        length.packInt(1);
        length.packInt(Integer.MAX_VALUE);
        length.write(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> TableNodeReader.KEYS.valueArrayDeserialize(input(length), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("2147483647 bytes where 3 remain");
        assertThatThrownBy(() -> TableNodeReader.VALUES.valueArrayDeserialize(input(length), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("2147483647 bytes where 3 remain");
        DataOutput2 count = new DataOutput2();
        count.packInt(1 << 20);
        count.write(new byte[] {1, 2, 3});
        assertThatThrownBy(() -> TableNodeReader.KEYS.valueArrayDeserialize(input(count), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("1048576 records where 3 bytes remain");
        assertThatThrownBy(() -> TableNodeReader.KEYS.valueArrayDeserialize(new DataInput2.ByteArray(count.copyBytes()), 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("1048576 records where 3 bytes remain");
    }

    private static DataInput2 input(DataOutput2 out) {
        return new DataInput2.ByteBuffer(ByteBuffer.wrap(out.copyBytes()), 0);
    }

}
