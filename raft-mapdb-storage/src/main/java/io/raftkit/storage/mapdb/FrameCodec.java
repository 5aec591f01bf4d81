package io.raftkit.storage.mapdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The byte layout of one frame of a segment, and the two properties recovery depends on:
 * a legitimate frame never looks blank, and never contains something that looks like a frame.
 *
 * <pre>
 * frame:  magic:i32 | length:i32 headerCrc:i32 | record (length bytes) | padding
 *         '-plain-'   '------------- whitened: XOR with a keyed, positional stream -------'
 * headerCrc = CRC32C(segment key, segment sequence, frame offset, length)
 * </pre>
 *
 * <p>Why each part:
 * <ul>
 *   <li><b>Header checksum.</b> Recovery trusts a frame's length only when its header checks out,
 *       so one flipped bit in a length cannot make an acknowledged frame "run past the end of the
 *       file" and be cut as a torn write. Binding it to the segment's random key and the frame's
 *       offset means a header copied to another place, or planted by a client inside a payload,
 *       does not check out there.</li>
 *   <li><b>Whitening.</b> Everything after the magic is XORed with a stream drawn from the
 *       segment's random key and the frame's offset (splitmix64 by counter). A torn write leaves
 *       sectors that read as zeros; after whitening, a legitimate sector's share of a frame ends
 *       in 8 zero bytes with probability 2^-64 whatever the payload, so zeros in a command (a
 *       client's 1 KiB of zeros) can no longer make damage look torn. And a payload holding the
 *       bytes of a frame is stored as noise, so the scan cannot find it.</li>
 *   <li><b>Padding.</b> A frame never ends 1 to 31 bytes after, or 1 to 31 bytes before, a sector
 *       boundary (it is padded to the boundary, or to 32 bytes past it). So every sector's share
 *       of a frame is at least {@value #SECTOR_GUARD} bytes and a header never straddles two
 *       sectors: a sector lost in a crash always leaves at least 32 zero bytes to see.</li>
 * </ul>
 */
final class FrameCodec {

    static final int MAGIC = 0x52_4B_4C_47; // "RKLG"
    static final int HEADER = 12;
    /** No record is larger; append refuses a batch that would be, and the scan takes a longer length for damage. */
    static final int MAX_RECORD = 256 << 20;
    /** The unit a disk writes whole or not at all, or tears. */
    static final int SECTOR = 512;
    /** No frame ends closer than this to a sector boundary (unless exactly on it); see the class comment. */
    static final int SECTOR_GUARD = 32;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private FrameCodec() {
    }

    /** Bytes of padding after a frame whose record ends at {@code recordEnd} (an offset in the file). */
    static int padding(long recordEnd) {
        if (KnownBug.NESTED_FRAMES_FOUND.reintroduced()) {
            return 0;
        }
        int into = (int) (recordEnd % SECTOR);
        if (into == 0 || (into >= SECTOR_GUARD && into <= SECTOR - SECTOR_GUARD)) {
            return 0;
        }
        return into < SECTOR_GUARD ? SECTOR_GUARD - into : SECTOR - into;
    }

    /** The whole size of a frame at {@code offset} holding a record of {@code length} bytes. */
    static long extent(long offset, int length) {
        long recordEnd = offset + HEADER + length;
        return HEADER + (long) length + padding(recordEnd);
    }

    /** The seed of the whitening stream of the frame at {@code offset} of segment {@code sequence}. */
    static long seed(long key, long sequence, long offset) {
        return mix(key ^ mix(sequence * GOLDEN) ^ offset * 0xD1B5_4A32_D192_ED03L);
    }

    /**
     * Fills in the header of a frame whose record is already at {@code frame[HEADER ..]} and whose
     * padding follows it, then whitens everything after the magic.
     */
    static void seal(byte[] frame, int recordLength, long key, long sequence, long offset) {
        ByteBuffer.wrap(frame).putInt(MAGIC).putInt(recordLength).putInt(headerCrc(key, sequence, offset, recordLength));
        if (KnownBug.NESTED_FRAMES_FOUND.reintroduced()) {
            return;
        }
        long seed = seed(key, sequence, offset);
        whiten(frame, 4, 8, seed, 0);
        if (!KnownBug.RECORDS_NOT_WHITENED.reintroduced()) {
            whiten(frame, HEADER, frame.length - HEADER, seed, 1);
        }
    }

    /**
     * The record length a frame header declares, or -1 when the 12 bytes are not a valid header for
     * this place: wrong magic, a checksum that does not match, or a length outside 1..maxRecord.
     */
    static int recordLength(byte[] header, long key, long sequence, long offset, int maxRecord) {
        ByteBuffer in = ByteBuffer.wrap(header);
        if (in.getInt() != MAGIC) {
            return -1;
        }
        long fields = in.getLong();
        if (!KnownBug.NESTED_FRAMES_FOUND.reintroduced()) {
            fields ^= stream(seed(key, sequence, offset), 0);
        }
        int length = (int) (fields >>> 32);
        int crc = (int) fields;
        if (!KnownBug.FRAME_HEADER_UNCHECKED.reintroduced() && crc != headerCrc(key, sequence, offset, length)) {
            return -1;
        }
        return length < 1 || length > maxRecord ? -1 : length;
    }

    /** Turns a record read from the frame at {@code offset} back into the bytes {@link BatchCodec} wrote. */
    static void unwhitenRecord(byte[] record, long key, long sequence, long offset) {
        if (!KnownBug.NESTED_FRAMES_FOUND.reintroduced() && !KnownBug.RECORDS_NOT_WHITENED.reintroduced()) {
            whiten(record, 0, record.length, seed(key, sequence, offset), 1);
        }
    }

    private static int headerCrc(long key, long sequence, long offset, int length) {
        CRC32C crc = new CRC32C();
        if (KnownBug.NESTED_FRAMES_FOUND.reintroduced()) {
            crc.update(ByteBuffer.allocate(4).putInt(length).flip());
        } else {
            crc.update(ByteBuffer.allocate(28).putLong(key).putLong(sequence).putLong(offset).putInt(length).flip());
        }
        return (int) crc.getValue();
    }

    /**
     * XORs {@code length} bytes at {@code from} with the stream, starting at its long number
     * {@code firstLong}: byte j uses byte j % 8 (big-endian) of long firstLong + j / 8.
     */
    private static void whiten(byte[] buf, int from, int length, long seed, long firstLong) {
        int i = 0;
        long k = firstLong;
        for (; i + 8 <= length; i += 8, k++) {
            long v = (long) LONGS.get(buf, from + i);
            LONGS.set(buf, from + i, v ^ stream(seed, k));
        }
        if (i < length) {
            long s = stream(seed, k);
            for (int b = 0; i < length; i++, b++) {
                buf[from + i] ^= (byte) (s >>> (56 - 8 * b));
            }
        }
    }

    /** Long number {@code k} of the stream: splitmix64 by counter, so any part can be made without the rest. */
    private static long stream(long seed, long k) {
        return mix(seed + (k + 1) * GOLDEN);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
