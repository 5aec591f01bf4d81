package io.raftkit.api.snapshot;

import io.raftkit.api.SnapshotKind;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Decodes a {@link SnapshotStreamFormat transfer stream}, one record or piece at a time, checking
 * what a malformed or hostile stream could get wrong: the magic, version and kind, every length
 * against its limit before anything is allocated, the key order, and the end marker's count.
 * Each problem is an {@link InvalidSnapshotException} naming {@code source} and the offset.
 */
public final class SnapshotStreamReader implements AutoCloseable {

    private final DataInputStream in;
    private final String source;
    private final SnapshotKind kind;
    private long offset;
    private long count;
    private boolean ended;
    private byte[] key;
    private byte[] value;

    public SnapshotStreamReader(InputStream stream, String source) throws IOException {
        this.in = new DataInputStream(stream);
        this.source = source;
        long magic = readLong("magic");
        if (magic != SnapshotStreamFormat.MAGIC) {
            throw invalid("it does not start with a RaftKit snapshot stream header");
        }
        int version = readUnsignedByte("version");
        if (version != SnapshotStreamFormat.VERSION) {
            throw invalid("stream format version " + version + ", this build reads " + SnapshotStreamFormat.VERSION);
        }
        int code = readUnsignedByte("kind");
        try {
            this.kind = SnapshotKind.ofCode(code);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    public SnapshotKind kind() {
        return kind;
    }

    /** Moves to the next record; false after the last, once the end marker checked out. */
    public boolean nextRecord() throws IOException {
        require(SnapshotKind.RECORDS);
        if (ended) {
            return false;
        }
        int keyLength = readInt("key length");
        if (keyLength == SnapshotStreamFormat.END) {
            end();
            return false;
        }
        if (keyLength < 0 || keyLength > SnapshotStreamFormat.MAX_KEY_BYTES) {
            throw invalid("key length " + keyLength + " is outside 0.." + SnapshotStreamFormat.MAX_KEY_BYTES);
        }
        byte[] nextKey = readBytes(keyLength, "key");
        int valueLength = readInt("value length");
        if (valueLength < 0 || valueLength > SnapshotStreamFormat.MAX_VALUE_BYTES) {
            throw invalid("value length " + valueLength + " is outside 0.." + SnapshotStreamFormat.MAX_VALUE_BYTES);
        }
        byte[] nextValue = readBytes(valueLength, "value");
        if (key != null && Arrays.compareUnsigned(key, nextKey) >= 0) {
            throw invalid("key " + SnapshotStreamWriter.hex(nextKey) + " is not above the key before it, "
                    + SnapshotStreamWriter.hex(key));
        }
        key = nextKey;
        value = nextValue;
        count++;
        return true;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        return value;
    }

    /** The next piece of a bytes snapshot, or null after the last, once the end marker checked out. */
    public byte[] nextPiece() throws IOException {
        require(SnapshotKind.BYTES);
        if (ended) {
            return null;
        }
        int length = readInt("piece length");
        if (length == SnapshotStreamFormat.END) {
            end();
            return null;
        }
        if (length < 1 || length > SnapshotStreamFormat.BYTES_PIECE) {
            throw invalid("piece length " + length + " is outside 1.." + SnapshotStreamFormat.BYTES_PIECE);
        }
        byte[] piece = readBytes(length, "piece");
        count += length;
        return piece;
    }

    /** The content of a bytes snapshot as a stream that ends where the snapshot's content ends. */
    public InputStream bytes() {
        require(SnapshotKind.BYTES);
        return new InputStream() {
            private byte[] piece = new byte[0];
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (piece != null && at == piece.length) {
                    piece = nextPiece();
                    at = 0;
                }
                if (piece == null) {
                    return -1;
                }
                int n = Math.min(len, piece.length - at);
                System.arraycopy(piece, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    /** Whether the end marker was read (and its count checked). */
    public boolean ended() {
        return ended;
    }

    private void end() throws IOException {
        long stated = readLong("count");
        if (stated != count) {
            throw invalid("the end marker counts " + stated + (kind == SnapshotKind.RECORDS ? " records" : " bytes")
                    + ", the stream held " + count);
        }
        if (in.read() != -1) {
            throw invalid("bytes follow the end marker");
        }
        ended = true;
    }

    private void require(SnapshotKind wanted) {
        if (kind != wanted) {
            throw new IllegalStateException("this is a " + kind.name().toLowerCase() + " snapshot");
        }
    }

    private int readInt(String what) throws IOException {
        try {
            int v = in.readInt();
            offset += 4;
            return v;
        } catch (EOFException e) {
            throw invalid("it ends inside the " + what + " (truncated)");
        }
    }

    private long readLong(String what) throws IOException {
        try {
            long v = in.readLong();
            offset += 8;
            return v;
        } catch (EOFException e) {
            throw invalid("it ends inside the " + what + " (truncated)");
        }
    }

    private int readUnsignedByte(String what) throws IOException {
        try {
            int v = in.readUnsignedByte();
            offset += 1;
            return v;
        } catch (EOFException e) {
            throw invalid("it ends inside the " + what + " (truncated)");
        }
    }

    /** Reads {@code length} bytes, growing the array as they arrive: a forged length in a short stream allocates little. */
    private byte[] readBytes(int length, String what) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw invalid("it ends inside a " + what + " of " + length + " bytes (truncated)");
        }
        offset += length;
        return bytes;
    }

    private InvalidSnapshotException invalid(String problem) {
        return new InvalidSnapshotException("snapshot stream " + source + " is malformed at offset " + offset + ": " + problem);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
