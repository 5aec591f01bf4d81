package io.raftkit.storage.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.Serializer;
import org.mapdb.SortedTableMap;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.Volume;

/** The MapDB limit the table layout works around, measured, and the layout's worst case. */
class SnapshotTableTest {

    @TempDir
    Path dir;

    @Test
    void mapDbFailsWhenOneNodeOutgrowsItsPageWhichIsWhyBigValuesLiveBesideTheTable() {
        Volume volume = MappedFileVol.FACTORY.makeVolume(dir.resolve("plain.db").toString(), false);
        try {
            SortedTableMap.Sink<byte[], byte[]> sink = SortedTableMap.create(volume, Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                    .pageSize(SnapshotTable.PAGE_BYTES).nodeSize(SnapshotTable.NODE_SIZE).createFromSink();
            assertThatThrownBy(() -> {
                for (int i = 0; i < SnapshotTable.NODE_SIZE; i++) {
                    sink.put(new byte[] {(byte) i}, new byte[128 * 1024]); // 16 x 128 KiB: a 2 MiB node
                }
                sink.create();
            }).isInstanceOf(AssertionError.class);
        } finally {
            volume.close();
        }
    }

    @Test
    void aNodeOfTheBiggestKeysAndInlineValuesFitsAPage() throws Exception {
        Path table = dir.resolve("t.table");
        Path values = dir.resolve("t.values");
        int count = SnapshotTable.NODE_SIZE * 5;
        try (SnapshotTable.Writer w = new SnapshotTable.Writer(FileChannelDisk.INSTANCE, table, values, SnapshotSettings.DEFAULTS.writeBackBytes())) {
            for (int i = 0; i < count; i++) {
                byte[] key = new byte[16 * 1024];
                Arrays.fill(key, (byte) 'k');
                key[key.length - 2] = (byte) (i >> 8);
                key[key.length - 1] = (byte) i;
                w.put(key, new byte[SnapshotTable.INLINE_MAX]);
            }
            w.finish();
        }
        try (SnapshotTable.Reader r = new SnapshotTable.Reader(SnapshotEnvironment.PRODUCTION, table, values)) {
            int read = 0;
            byte[][] record;
            while ((record = r.next()) != null) {
                assertThat(record[1]).hasSize(SnapshotTable.INLINE_MAX);
                read++;
            }
            assertThat(read).isEqualTo(count);
            assertThat(r.size()).isEqualTo(count);
        }
    }
}
