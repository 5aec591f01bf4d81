package io.raftkit.api.snapshot;

import io.raftkit.api.SnapshotKind;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Encodes a snapshot as a {@link SnapshotStreamFormat transfer stream} onto an output stream,
 * counting its bytes and computing its CRC32C as it goes. Also the place where the
 * {@link SnapshotWriter} rules are checked (key order, sizes, one kind), so every store that
 * encodes through it enforces them the same way.
 */
public final class SnapshotStreamWriter implements SnapshotWriter {

    private final SnapshotKind kind;
    private final CRC32C crc = new CRC32C();
    private final DataOutputStream out;
    private byte[] lastKey;
    private long count;
    private long size;
    private boolean finished;

    public SnapshotStreamWriter(OutputStream target, SnapshotKind kind) throws IOException {
        this.kind = kind;
        this.out = new DataOutputStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                target.write(b);
                crc.update(b);
                size++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                target.write(b, off, len);
                crc.update(b, off, len);
                size += len;
            }

            @Override
            public void flush() throws IOException {
                target.flush();
            }
        });
        out.writeLong(SnapshotStreamFormat.MAGIC);
        out.writeByte(SnapshotStreamFormat.VERSION);
        out.writeByte(kind.code());
    }

    public SnapshotKind kind() {
        return kind;
    }

    /** Checks one record against the rules of {@link SnapshotWriter#put}; {@code previous} may be null. */
    public static void checkRecord(byte[] previous, byte[] key, byte[] value) {
        if (key.length > SnapshotStreamFormat.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("snapshot key of " + key.length + " bytes is over the limit of "
                    + SnapshotStreamFormat.MAX_KEY_BYTES);
        }
        if (value.length > SnapshotStreamFormat.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("snapshot value of " + value.length + " bytes is over the limit of "
                    + SnapshotStreamFormat.MAX_VALUE_BYTES);
        }
        if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
            throw new IllegalArgumentException("snapshot keys must be strictly increasing in unsigned byte order: key "
                    + hex(key) + " follows " + hex(previous));
        }
    }

    static String hex(byte[] key) {
        StringBuilder s = new StringBuilder("0x");
        for (int i = 0; i < Math.min(key.length, 32); i++) {
            s.append(String.format("%02x", key[i] & 0xff));
        }
        return key.length > 32 ? s + "...(" + key.length + " bytes)" : s.toString();
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        requireOpen(SnapshotKind.RECORDS);
        checkRecord(lastKey, key, value);
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(value.length);
        out.write(value);
        lastKey = key.clone();
        count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        requireOpen(SnapshotKind.BYTES);
        for (int at = offset; at < offset + length; at += SnapshotStreamFormat.BYTES_PIECE) {
            int piece = Math.min(SnapshotStreamFormat.BYTES_PIECE, offset + length - at);
            out.writeInt(piece);
            out.write(bytes, at, piece);
            count += piece;
        }
    }

    /** Writes the end marker and flushes; returns the whole stream's length. */
    public long finish() throws IOException {
        if (!finished) {
            out.writeInt(SnapshotStreamFormat.END);
            out.writeLong(count);
            out.flush();
            finished = true;
        }
        return size;
    }

    /** Bytes written so far. */
    public long size() {
        return size;
    }

    /** The CRC32C of the bytes written so far: the whole stream's once {@link #finish()} returned. */
    public long checksum() {
        return crc.getValue();
    }

    private void requireOpen(SnapshotKind wanted) {
        if (finished) {
            throw new IllegalStateException("the snapshot stream is finished");
        }
        if (kind != wanted) {
            throw new IllegalStateException("this is a " + kind.name().toLowerCase() + " snapshot: use "
                    + (kind == SnapshotKind.RECORDS ? "put" : "write"));
        }
    }
}
