package io.raftkit.storage.mapdb;

import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.SnapshotStreamFormat;

/**
 * Checks the framing of a bytes snapshot's transfer stream ({@link SnapshotStreamFormat}: header,
 * pieces of 1..64 KiB each behind its length, the end marker -1 and the byte count, nothing after)
 * as its chunks arrive, so {@link ReceivedSnapshot#install} need not read the whole stream back
 * from disk to parse it (0.6 s of a 3.9 s install of 512 MiB, docs/benchmarks.md "Issue 16:
 * InstallSnapshot"). It finds what {@code SnapshotStreamReader} would refuse; the first problem is
 * kept and reported at install, as the reader's was. Looks only at the few header bytes of each
 * piece, never copies a piece.
 */
final class BytesStreamCheck {

    /** {@code SnapshotStreamFormat.END} and {@code BYTES_PIECE} (package-private there); BytesStreamCheckTest holds them to the reader. */
    static final int END = -1;
    static final int PIECE = 64 * 1024;

    private enum Field { MAGIC, VERSION, KIND, LENGTH, PIECE, COUNT, AFTER }

    private Field field = Field.MAGIC;
    private final byte[] partial = new byte[8];
    private int filled;
    private long pieceLeft;
    private long count;
    private long offset;
    private String problem;

    /** Feeds the next {@code length} bytes of the stream. */
    void update(byte[] data, int from, int length) {
        int at = from;
        int end = from + length;
        while (at < end && problem == null) {
            if (field == Field.PIECE) {
                int n = (int) Math.min(pieceLeft, end - at);
                at += n;
                offset += n;
                pieceLeft -= n;
                if (pieceLeft == 0) {
                    field = Field.LENGTH;
                    fieldEnd = offset + 4;
                }
                continue;
            }
            if (field == Field.AFTER) {
                problem = "bytes follow the end marker";
                return;
            }
            partial[filled++] = data[at++];
            if (filled == width(field)) {
                long value = 0;
                for (int i = 0; i < filled; i++) {
                    value = (value << 8) | (partial[i] & 0xFF);
                }
                filled = 0;
                offset = fieldEnd; // like the reader's: past the field just read
                accept(value);
            }
        }
    }

    /** Where the field being read ends. */
    private long fieldEnd = 8;

    private static int width(Field f) {
        switch (f) {
            case MAGIC:
            case COUNT:
                return 8;
            case VERSION:
            case KIND:
                return 1;
            default:
                return 4;
        }
    }

    private void accept(long value) {
        switch (field) {
            case MAGIC:
                if (value != SnapshotStreamFormat.MAGIC) {
                    problem = "it does not start with a RaftKit snapshot stream header";
                }
                field = Field.VERSION;
                break;
            case VERSION:
                if (value != SnapshotStreamFormat.VERSION) {
                    problem = "stream format version " + value + ", this build reads " + SnapshotStreamFormat.VERSION;
                }
                field = Field.KIND;
                break;
            case KIND:
                if (value != SnapshotKind.BYTES.code()) {
                    problem = "its stream holds kind " + value + ", not bytes";
                }
                field = Field.LENGTH;
                break;
            case LENGTH: {
                int length = (int) value;
                if (length == END) {
                    field = Field.COUNT;
                } else if (length < 1 || length > PIECE) {
                    problem = "piece length " + length + " is outside 1.." + PIECE;
                } else {
                    pieceLeft = length;
                    count += length;
                    field = Field.PIECE;
                }
                break;
            }
            case COUNT:
                if (value != count) {
                    problem = "the end marker counts " + value + " bytes, the stream held " + count;
                }
                field = Field.AFTER;
                break;
            default:
                throw new IllegalStateException(field.name());
        }
        if (problem == null && field != Field.PIECE && field != Field.AFTER) {
            fieldEnd += width(field);
        }
    }

    /** Null when the stream so far is whole and well formed; otherwise what is wrong, with its offset. */
    String problem() {
        if (problem != null) {
            return "malformed at offset " + offset + ": " + problem;
        }
        if (field != Field.AFTER) {
            return "malformed at offset " + offset + ": it ends inside the " + field.name().toLowerCase() + " (truncated)";
        }
        return null;
    }
}
