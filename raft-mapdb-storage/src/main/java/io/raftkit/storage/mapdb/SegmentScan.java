package io.raftkit.storage.mapdb;

import io.raftkit.api.LogEntry;
import io.raftkit.storage.mapdb.BatchCodec.CorruptRecordException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one segment's frames at open and decides what a frame that does not check out is.
 *
 * <p>A write cut by a crash can only be the last frame of the newest segment: every earlier frame
 * was forced before the next was written. It was never acknowledged (the acknowledgement follows
 * the force), so it is moved aside into a {@code .torn-<offset>} file. It is taken for torn only
 * if it bears a crash's marks:
 * <ul>
 *   <li>the file ends inside it (its header checks out, so its length is real, and the file is
 *       shorter), or inside its header;</li>
 *   <li>a sector's share of it ends in at least {@value #BLANK_MARK} zero bytes: a sector the
 *       crash did not write, or wrote only the start of, reads as zeros there. Whitening makes
 *       that mark 2^-64 unlikely in a legitimate frame, and padding makes every share at least
 *       32 bytes long ({@link FrameCodec});</li>
 *   <li>when its header does not check out (its length unknown): its sector is blank from the
 *       header's last byte to the sector's end ({@link #headerLooksTorn}).</li>
 * </ul>
 * Anything else that does not check out is damage: a bad frame followed by a good one, a bad frame
 * in an older segment, or a last frame that is complete and bears no such mark. Damage to a durable
 * frame may have cost an acknowledged write, so opening refuses and changes nothing.
 */
final class SegmentScan {

    private static final Logger log = LoggerFactory.getLogger(SegmentScan.class);
    /** Zero bytes at the end of a sector's share of a frame that mark it as not written. */
    static final int BLANK_MARK = 8;
    /** Words in the refusal of a complete last frame that fails its checks, which tests look for. */
    static final String NO_TORN_MARK = "bears no mark of a torn write";

    /** Receives each stored record in log order. */
    interface Replay {
        void record(SegmentLog.Location where, List<LogEntry> entries) throws IOException;
    }

    private SegmentScan() {
    }

    static void scan(Segment segment, boolean newest, int maxRecord, Replay replay) throws IOException {
        long size = segment.size();
        long offset = Segment.HEADER_PAGE;
        while (offset < size) {
            String problem;
            long frameEnd = -1; // where the next frame starts, when this header checks out
            int length = segment.recordLength(offset, size, maxRecord);
            if (length < 0) {
                problem = size - offset < FrameCodec.HEADER ? "a frame header cut short by the end of the file"
                        : "no valid frame header (wrong magic, checksum or length)";
            } else {
                frameEnd = offset + FrameCodec.extent(offset, length);
                if (frameEnd > size) {
                    problem = "a frame of " + length + " bytes that runs past the end of the file";
                } else {
                    try {
                        List<LogEntry> entries = BatchCodec.decodeBatch(segment.readRecord(offset, length));
                        replay.record(new SegmentLog.Location(segment, offset, length), entries);
                        segment.noteIndex(entries.get(entries.size() - 1).index());
                        offset = frameEnd;
                        continue;
                    } catch (CorruptRecordException e) {
                        problem = e.getMessage();
                    }
                }
            }
            // A checked header gives the frame's real end: a later frame can only start there. Looking
            // inside the frame could only find a payload's bytes.
            long searchFrom = frameEnd >= 0 && !KnownBug.NESTED_FRAMES_FOUND.reintroduced() ? frameEnd : offset + 1;
            long nextGood = newest ? nextValidFrame(segment, searchFrom, size, maxRecord) : -1;
            if (!newest || nextGood >= 0) {
                throw new IOException("log segment " + segment.file() + " is corrupt at offset " + offset + ": " + problem
                        + (nextGood >= 0 ? "; a valid frame follows at offset " + nextGood + ", so this is not a torn last write" : ""));
            }
            if (!looksTorn(segment, offset, length, size)) {
                throw new IOException("log segment " + segment.file() + " is corrupt at offset " + offset + ": " + problem
                        + "; the last frame " + NO_TORN_MARK + " (the file does not end inside it and no sector of it ends"
                        + " in blank bytes), so it was damaged after it was written, perhaps after it was acknowledged."
                        + " Refusing to start rather than drop it; nothing was changed. Restore this node's data"
                        + " directory from a copy");
            }
            Path aside = segment.cutTail(offset);
            log.warn("log segment {}: cut a torn last write of {} bytes at offset {} ({}); it was never acknowledged."
                    + " The bytes are kept in {}", segment.file(), size - offset, offset, problem, aside);
            size = offset;
        }
        segment.setEnd(size);
    }

    /** Whether the bad last frame at {@code offset} bears a crash's marks (see the class comment). */
    private static boolean looksTorn(Segment segment, long offset, int length, long size) throws IOException {
        if (length < 0) {
            return headerLooksTorn(segment, offset, size);
        }
        long end = offset + FrameCodec.extent(offset, length);
        if (end > size) {
            return true;
        }
        byte[] frame = segment.readRaw(offset, Math.toIntExact(end - offset));
        long shareStart = offset;
        while (shareStart < end) {
            long shareEnd = Math.min(end, (shareStart / FrameCodec.SECTOR + 1) * FrameCodec.SECTOR);
            int zeros = 0;
            for (long i = shareEnd - 1; i >= shareStart && frame[(int) (i - offset)] == 0; i--) {
                zeros++;
            }
            if (zeros >= Math.min(BLANK_MARK, shareEnd - shareStart)) {
                return true;
            }
            shareStart = shareEnd;
        }
        return false;
    }

    /**
     * A header that does not check out was cut by a crash only if the file ends inside it, or its
     * sector reads blank from the header's last byte to the sector's end: a crash cuts a sector
     * at some byte and leaves zeros after it. A header damaged where it lay is followed by its own
     * whitened record. Zeros further on prove nothing: with the length unknown they may be the
     * next write's (an acknowledged short frame with a damaged header, followed by a torn one,
     * was cut this way until the fault model found it).
     */
    private static boolean headerLooksTorn(Segment segment, long offset, long size) throws IOException {
        if (size - offset < FrameCodec.HEADER) {
            return true;
        }
        long shareEnd = Math.min(size, (offset / FrameCodec.SECTOR + 1) * FrameCodec.SECTOR);
        byte[] share = segment.readRaw(offset, Math.toIntExact(shareEnd - offset));
        for (int i = FrameCodec.HEADER - 1; i < share.length; i++) {
            if (share[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The offset of the first whole frame that checks out at or after {@code from}, or -1. */
    private static long nextValidFrame(Segment segment, long from, long size, int maxRecord) throws IOException {
        final int window = 1 << 20;
        for (long base = from; base + FrameCodec.HEADER <= size; base += window) {
            int n = (int) Math.min(window + 3L, size - base);
            ByteBuffer buf = ByteBuffer.wrap(segment.readRaw(base, n));
            for (int i = 0; i + 4 <= n && i < window; i++) {
                if (buf.getInt(i) == FrameCodec.MAGIC && isValidFrame(segment, base + i, size, maxRecord)) {
                    return base + i;
                }
            }
        }
        return -1;
    }

    private static boolean isValidFrame(Segment segment, long at, long size, int maxRecord) throws IOException {
        int length = segment.recordLength(at, size, maxRecord);
        if (length < 0 || at + FrameCodec.extent(at, length) > size) {
            return false;
        }
        try {
            BatchCodec.decodeBatch(segment.readRecord(at, length));
            return true;
        } catch (CorruptRecordException notAFrame) {
            return false;
        }
    }
}
