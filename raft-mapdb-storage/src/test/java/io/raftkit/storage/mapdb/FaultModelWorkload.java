package io.raftkit.storage.mapdb;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * What the storage fault model asks of the store, as Raft would: appends (some replacing a suffix
 * above the commit index, §5.3), compactions at or below the commit index, hard-state saves whose
 * commit index never decreases, resets past (or below) the log's end at or above the commit index
 * (a snapshot installed), and now and then a batch too large for one record. Payloads are
 * a function of (index, term), so the checker needs no copy of them, and include what a hostile
 * or unlucky client sends: runs of zeros longer than a sector, and the bytes of a whole frame.
 */
final class FaultModelWorkload {

    /** One operation on the store. */
    sealed interface Op permits Append, Compact, Save, Reset {
    }

    /** Installing a snapshot the log does not hold (issue 16): the whole log restarts after {@code index}. */
    record Reset(long index, long term) implements Op {
        @Override
        public String toString() {
            return "reset to " + index + " of term " + term;
        }
    }

    record Append(long from, int count, long term) implements Op {
        @Override
        public String toString() {
            return "append " + from + ".." + (from + count - 1) + " of term " + term;
        }
    }

    record Compact(long index) implements Op {
        @Override
        public String toString() {
            return "compact through " + index;
        }
    }

    record Save(HardState hardState) implements Op {
        @Override
        public String toString() {
            return "save " + hardState;
        }
    }

    /** The record limit of the simulated store: oversize batches stay small. */
    static final int MAX_RECORD = 8 * 1024;

    private FaultModelWorkload() {
    }

    static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, payload(index, term));
    }

    static List<LogEntry> entries(Append a) {
        List<LogEntry> list = new ArrayList<>(a.count());
        for (long i = a.from(); i < a.from() + a.count(); i++) {
            list.add(entry(i, a.term()));
        }
        return list;
    }

    /**
     * The payload of the entry at (index, term): mostly short noise; one in ten is 600 to 1500 zero
     * bytes (a whole sector of zeros inside a frame), one in ten holds the bytes of a frame as a
     * client could build one (format 2's layout: plain, unkeyed), one in ten is up to 2 KiB of noise.
     */
    static byte[] payload(long index, long term) {
        long h = mix(index * 0x9E37_79B9_7F4A_7C15L ^ term * 0xC2B2_AE3D_27D4_EB4FL);
        int kind = (int) Long.remainderUnsigned(h, 10);
        Random noise = new Random(h);
        if (kind == 0) {
            return new byte[600 + noise.nextInt(900)];
        }
        if (kind == 1) {
            byte[] planted = plantedFrame(index, term);
            byte[] payload = new byte[100 + planted.length + noise.nextInt(800)];
            noise.nextBytes(payload);
            System.arraycopy(planted, 0, payload, 100, planted.length);
            return payload;
        }
        byte[] bytes = new byte[kind == 2 ? 500 + noise.nextInt(1500) : noise.nextInt(200)];
        noise.nextBytes(bytes);
        return bytes;
    }

    /** A frame as a client can build one: magic, length, CRC32C of the length, record; no key, no whitening. */
    private static byte[] plantedFrame(long index, long term) {
        byte[] record = BatchCodec.encodeBatch(List.of(LogEntry.command(index + 1, term, "planted".getBytes(StandardCharsets.UTF_8))));
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(4).putInt(record.length).flip());
        return ByteBuffer.allocate(FrameCodec.HEADER + record.length).putInt(FrameCodec.MAGIC).putInt(record.length)
                .putInt((int) crc.getValue()).put(record).array();
    }

    /** The next operation for a store holding {@code state}. */
    static Op next(Random random, AcknowledgedState state) {
        long first = state.firstIndex;
        long last = state.lastIndex();
        long commit = state.hardState.commitIndex();
        double r = random.nextDouble();
        if (r < 0.08 && last > Math.max(commit, first - 1)) {
            long from = Math.max(Math.max(commit + 1, first), last - random.nextInt(12));
            return fitted(from, 1 + random.nextInt(6), state.lastTerm() + 1);
        }
        if (r < 0.16 && Math.min(commit, last - 20) >= first) {
            return new Compact(Math.min(commit, last - 20));
        }
        if (r < 0.19) {
            // At the commit index only with the committed entry's term (§5.4); above it with any.
            boolean atCommit = random.nextInt(4) == 0 && commit >= first - 1 && commit <= last && commit >= 1;
            if (atCommit) {
                return new Reset(commit, commit == first - 1 ? state.compactedTerm : state.terms.get(commit));
            }
            return new Reset(commit + 1 + random.nextInt(40), Math.max(1, state.lastTerm()) + random.nextInt(2));
        }
        if (r < 0.38) {
            HardState h = state.hardState;
            int vote = random.nextInt(4);
            long newCommit = commit + (long) (random.nextDouble() * (last - commit + 1));
            return new Save(new HardState(h.term() + random.nextInt(2), vote == 0 ? null : NodeId.of("n" + vote),
                    Math.min(last, newCommit)));
        }
        long term = Math.max(1, state.lastTerm());
        if (r < 0.395) {
            int count = 1;
            while (BatchCodec.encodedSize(entries(new Append(last + 1, count, term))) <= MAX_RECORD) {
                count++;
            }
            return new Append(last + 1, count, term); // over the limit: append must refuse it
        }
        return fitted(last + 1, 1 + random.nextInt(8), term);
    }

    /** An append of up to {@code count} entries whose record fits the limit. */
    private static Append fitted(long from, int count, long term) {
        int n = count;
        while (n > 1 && BatchCodec.encodedSize(entries(new Append(from, n, term))) > MAX_RECORD) {
            n--;
        }
        return new Append(from, n, term);
    }

    static boolean oversize(Append a) {
        return BatchCodec.encodedSize(entries(a)) > MAX_RECORD;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
