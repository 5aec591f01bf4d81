package io.raftkit.storage.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.serializer.GroupSerializerObjectArray;
import org.mapdb.serializer.SerializerByteArray;

/**
 * Reads a table node's keys and values as {@link org.mapdb.Serializer#BYTE_ARRAY} wrote them (a
 * packed count, then a packed length and the bytes of each array), with less work per record than
 * MapDB's own reader, which the restart of a node holding a million keys pays once per record.
 *
 * <p>What is saved, per record:
 * <ul>
 *   <li>MapDB's {@code DataInput2.ByteBuffer.readFully} duplicates the mapped buffer for every
 *       array; here the bytes are read with the buffer's absolute bulk get, which changes nothing
 *       in the shared buffer.</li>
 *   <li>A value's tag byte ({@link SnapshotTable}'s inline or external) is read in place: an inline
 *       value is read straight into an array of its own length instead of into the stored array
 *       and then copied without its tag; an external one becomes an {@link External}.</li>
 * </ul>
 * A pass over a million records allocates 0.43 of the bytes it did ({@code SnapshotRecordsBenchmark},
 * docs/benchmarks.md). That matters because about half of a restore's time at a million keys is
 * young collections copying what the restore keeps, and garbage brings those collections sooner.
 *
 * <p>Only reading goes through here: the writer keeps MapDB's serializer, so the file format is
 * MapDB's and {@code TableNodeReaderTest} checks these readers against MapDB's on the same files.
 * A count or length that runs past the node's page is damage, refused before any array is allocated
 * for it, as an {@code IllegalStateException} that {@link SnapshotTable.Reader} reports with the file's name.
 */
final class TableNodeReader {

    /** A value kept in the values file: where it is. */
    record External(long offset, int length) {
    }

    /** A stored value that is neither: its bytes as stored, tag included, for the reader to refuse. */
    record Unknown(byte[] stored) {
    }

    /** The keys: byte arrays, as {@link SerializerByteArray} reads them, without a buffer duplicate per key. */
    static final SerializerByteArray KEYS = new SerializerByteArray() {
        @Override
        public byte[][] valueArrayDeserialize(DataInput2 in, int size) throws IOException {
            int count = in.unpackInt();
            checkCount(in, count);
            byte[][] keys = new byte[count][];
            for (int i = 0; i < count; i++) {
                int length = in.unpackInt();
                byte[] key = new byte[checkLength(in, length)];
                read(in, key, 0, length);
                keys[i] = key;
            }
            return keys;
        }
    };

    /**
     * The values: a {@code byte[]} holding an inline value without its tag, or an {@link External}.
     * Anything else (no tag, an unknown tag, an external reference of the wrong size) is an
     * {@link Unknown}, for {@link SnapshotTable.Reader} to refuse with the file's name.
     */
    static final GroupSerializerObjectArray<Object> VALUES = new GroupSerializerObjectArray<>() {
        @Override
        public Object[] valueArrayDeserialize(DataInput2 in, int size) throws IOException {
            int count = in.unpackInt();
            checkCount(in, count);
            Object[] values = new Object[count];
            for (int i = 0; i < count; i++) {
                values[i] = deserialize(in, -1);
            }
            return values;
        }

        @Override
        public Object deserialize(DataInput2 in, int available) throws IOException {
            int stored = checkLength(in, in.unpackInt());
            if (stored == 0) {
                return new Unknown(new byte[0]);
            }
            byte tag = in.readByte();
            if (tag == SnapshotTable.INLINE) {
                byte[] value = new byte[stored - 1];
                read(in, value, 0, value.length);
                return value;
            }
            if (tag == SnapshotTable.EXTERNAL && stored == SnapshotTable.EXTERNAL_BYTES) {
                return new External(in.readLong(), in.readInt());
            }
            byte[] raw = new byte[stored];
            raw[0] = tag;
            read(in, raw, 1, stored - 1);
            return new Unknown(raw);
        }

        @Override
        public void serialize(DataOutput2 out, Object value) {
            throw new UnsupportedOperationException("a reader only: tables are written with Serializer.BYTE_ARRAY");
        }

        @Override
        public int compare(Object a, Object b) {
            throw new UnsupportedOperationException("values are not compared");
        }
    };

    private TableNodeReader() {
    }

    /** Each record takes at least a byte of the node: a count above what remains is damage (and would size an array by garbage). */
    private static void checkCount(DataInput2 in, int count) {
        if (count < 0 || count > remaining(in)) {
            throw new IllegalStateException("a table node of " + count + " records where " + remaining(in) + " bytes remain");
        }
    }

    private static int remaining(DataInput2 in) {
        return in instanceof DataInput2.ByteBuffer b ? b.buf.limit() - b.pos
                : in instanceof DataInput2.ByteArray a ? a.internalByteArray().length - a.getPos()
                : (int) SnapshotTable.PAGE_BYTES;
    }

    /** {@code length} if that many bytes remain in the input; the input is a node within one page. */
    private static int checkLength(DataInput2 in, int length) {
        int remaining = remaining(in);
        if (length < 0 || length > remaining) {
            throw new IllegalStateException("an array of " + length + " bytes where " + remaining + " remain in the node");
        }
        return length;
    }

    private static void read(DataInput2 in, byte[] into, int offset, int length) throws IOException {
        if (in instanceof DataInput2.ByteBuffer b) {
            ByteBuffer buffer = b.buf;
            buffer.get(b.pos, into, offset, length); // absolute: no duplicate, the shared buffer unchanged
            b.pos += length;
        } else {
            in.readFully(into, offset, length);
        }
    }
}
