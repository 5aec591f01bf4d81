package io.raftkit.storage.mapdb;

import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.mapdb.Serializer;
import org.mapdb.SortedTableMap;
import org.mapdb.volume.MappedFileVol;
import org.mapdb.volume.Volume;

/**
 * The records of one snapshot as a MapDB {@link SortedTableMap} file written once in key order,
 * beside a values file for the values too big to sit in the table.
 *
 * <p>Why the values file: MapDB's table writer packs {@link #NODE_SIZE} records into a node and
 * fails with an {@code AssertionError} in {@code flushPage} when one node does not fit in a page
 * (1 MiB, the most {@code SortedTableMap.open} accepts; MapDB issues 852, 1057). Keys are at most
 * 16 KiB ({@link io.raftkit.api.snapshot.SnapshotStreamFormat#MAX_KEY_BYTES}) and values stored in
 * the table at most {@link #INLINE_MAX} bytes, so a node holds at most 16 x (16 + 8) KiB plus a
 * few bytes per record: well within a page. A bigger value goes to the values file, and the table
 * holds where it is.
 *
 * <pre>
 * table value = 0:u8 value                         stored inline
 *             | 1:u8 offset:i64 length:i32         in the values file
 * </pre>
 */
final class SnapshotTable {

    static final int INLINE_MAX = 8 * 1024;
    static final int NODE_SIZE = 16;
    static final long PAGE_BYTES = 1 << 20;
    static final byte INLINE = 0;
    static final byte EXTERNAL = 1;
    /** An external value's stored form: tag, offset, length. */
    static final int EXTERNAL_BYTES = 1 + 8 + 4;
    private static final int VALUES_BUFFER = 1 << 20;

    private SnapshotTable() {
    }

    /** Writes records, in key order, into a new table file and values file. */
    static final class Writer implements AutoCloseable {
        private final DiskFile table;
        private final DiskFile values;
        private final WriteBack tableWriteBack;
        private final WriteBack valuesWriteBack;
        private final SortedTableMap.Sink<byte[], byte[]> sink;
        private final ByteBuffer valuesBuffer = ByteBuffer.allocate(VALUES_BUFFER);
        private long valuesEnd;
        private long records;

        /** A writer whose files are forced in the background every {@code writeBackBytes} ({@link WriteBack}). */
        Writer(Disk disk, Path tableFile, Path valuesFile, long writeBackBytes) throws IOException {
            this.table = disk.open(tableFile, true);
            this.values = disk.open(valuesFile, true);
            table.truncate(0);
            values.truncate(0);
            this.tableWriteBack = new WriteBack(table, writeBackBytes);
            this.valuesWriteBack = new WriteBack(values, writeBackBytes);
            this.sink = SortedTableMap.create(new DiskVolume(table, tableWriteBack), Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                    .pageSize(PAGE_BYTES).nodeSize(NODE_SIZE).createFromSink();
        }

        /** Adds one record; the caller has checked the order and the sizes. */
        void put(byte[] key, byte[] value) throws IOException {
            byte[] stored;
            if (value.length <= INLINE_MAX) {
                stored = new byte[1 + value.length];
                stored[0] = INLINE;
                System.arraycopy(value, 0, stored, 1, value.length);
            } else {
                stored = ByteBuffer.allocate(EXTERNAL_BYTES).put(EXTERNAL).putLong(valuesEnd).putInt(value.length).array();
                appendValue(value);
            }
            try {
                sink.put(key, stored);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            records++;
        }

        private void appendValue(byte[] value) throws IOException {
            if (value.length > valuesBuffer.remaining()) {
                flushValues();
            }
            if (value.length > valuesBuffer.capacity()) {
                values.write(ByteBuffer.wrap(value), valuesEnd);
                valuesWriteBack.written(valuesEnd + value.length);
            } else {
                valuesBuffer.put(value);
            }
            valuesEnd += value.length;
        }

        private void flushValues() throws IOException {
            valuesBuffer.flip();
            long at = valuesEnd - valuesBuffer.remaining();
            values.write(valuesBuffer, at);
            valuesBuffer.clear();
            valuesWriteBack.written(valuesEnd);
        }

        /** Writes the table's header and forces both files. */
        void finish() throws IOException {
            try {
                sink.create(); // the last pages, then the header, then DiskVolume.sync forces the table
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            flushValues();
            valuesWriteBack.finish();
            DiskStreams.forceData(values);
        }

        long records() {
            return records;
        }

        @Override
        public void close() throws IOException {
            // After finish() these have nothing left; after a failure, their outcome no longer matters.
            tableWriteBack.discard();
            valuesWriteBack.discard();
            try {
                table.close();
            } finally {
                values.close();
            }
        }
    }

    /** Reads the records of a table back in key order. */
    static final class Reader implements AutoCloseable {
        private final Path tableFile;
        private final DiskFile tableHandle;
        private final DiskFile values;
        private final Volume volume;
        private final Iterator<Map.Entry<byte[], Object>> entries;
        private final long size;

        Reader(SnapshotEnvironment env, Path tableFile, Path valuesFile) throws IOException {
            this.tableFile = tableFile;
            this.values = env.disk().open(valuesFile, false);
            DiskFile handle = null;
            Volume vol = null;
            try {
                if (env.mapTables()) {
                    // Read-only and memory-mapped: the table is never written again.
                    vol = MappedFileVol.FACTORY.makeVolume(tableFile.toString(), true, 0L, 20, 0L, false);
                } else {
                    handle = env.disk().open(tableFile, false);
                    vol = new DiskVolume(handle);
                }
                // MapDB's format, read with fewer copies per record (TableNodeReader says which).
                SortedTableMap<byte[], Object> map = SortedTableMap.open(vol, TableNodeReader.KEYS, TableNodeReader.VALUES);
                this.size = map.sizeLong();
                this.entries = size == 0 ? java.util.Collections.emptyIterator() : map.entryIterator();
            } catch (IOException | RuntimeException | AssertionError e) {
                if (vol != null) {
                    vol.close();
                }
                if (handle != null) {
                    handle.close();
                }
                values.close();
                throw e instanceof IOException io ? io : damaged(tableFile, e);
            }
            this.tableHandle = handle;
            this.volume = vol;
        }

        long size() {
            return size;
        }

        /** The next record as {key, value}, or null after the last. */
        byte[][] next() throws IOException {
            try {
                if (!entries.hasNext()) {
                    return null;
                }
                Map.Entry<byte[], Object> e = entries.next();
                return new byte[][] {e.getKey(), value(e.getValue())};
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } catch (RuntimeException | AssertionError e) {
                throw damaged(tableFile, e);
            }
        }

        /** An inline value as read (its tag already dropped), or an external one read from the values file. */
        private byte[] value(Object stored) throws IOException {
            if (stored instanceof TableNodeReader.External ref) {
                long offset = ref.offset();
                int length = ref.length();
                if (offset < 0 || length < 0 || offset + length > values.size()) {
                    throw new InvalidSnapshotException("snapshot table " + tableFile + " is damaged: a value at " + offset + "+"
                            + length + " lies outside its values file of " + values.size() + " bytes");
                }
                byte[] value = new byte[length];
                values.read(ByteBuffer.wrap(value), offset);
                return value;
            }
            if (stored instanceof byte[] inline) {
                return inline;
            }
            byte[] raw = ((TableNodeReader.Unknown) stored).stored();
            throw new InvalidSnapshotException("snapshot table " + tableFile + " is damaged: a value has "
                    + (raw.length == 0 ? "no tag" : "tag " + raw[0] + " in a stored value of " + raw.length + " bytes"));
        }

        private static InvalidSnapshotException damaged(Path file, Throwable cause) {
            return new InvalidSnapshotException("snapshot table " + file + " is damaged: MapDB cannot read it (" + cause + ")",
                    cause);
        }

        @Override
        public void close() throws IOException {
            try {
                volume.close();
                if (tableHandle != null) {
                    tableHandle.close();
                }
            } finally {
                values.close();
            }
        }
    }
}
