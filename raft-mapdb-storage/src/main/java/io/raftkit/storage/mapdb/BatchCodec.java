package io.raftkit.storage.mapdb;

import io.raftkit.api.EntryKind;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of one stored batch of log entries and of the hard state. Each record ends with
 * a CRC32C of everything before it, so a flipped bit in the file is reported as corruption instead
 * of being handed to the state machine as a command.
 *
 * <pre>
 * batch:      version:u8 firstIndex:i64 count:i32 { term:i64 kind:u8 length:i32 payload } crc:i32
 * hard state: version:u8 term:i64 commitIndex:i64 voteLength:i32 (-1 = none) vote:utf8 crc:i32
 * </pre>
 */
final class BatchCodec {

    static final byte RECORD_VERSION = 1;
    private static final int BATCH_HEADER = 1 + 8 + 4;
    private static final int ENTRY_HEADER = 8 + 1 + 4;

    private BatchCodec() {
    }

    static byte[] encodeBatch(List<LogEntry> entries) {
        int size = BATCH_HEADER + 4;
        for (LogEntry e : entries) {
            size += ENTRY_HEADER + e.payload().length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(RECORD_VERSION).putLong(entries.get(0).index()).putInt(entries.size());
        for (LogEntry e : entries) {
            buf.putLong(e.term()).put((byte) e.kind().code()).putInt(e.payload().length).put(e.payload());
        }
        buf.putInt(crc(buf.array(), size - 4));
        return buf.array();
    }

    /** Decodes a batch stored under {@code key}; throws {@link CorruptRecordException} saying what is wrong. */
    static List<LogEntry> decodeBatch(long key, byte[] record) throws CorruptRecordException {
        ByteBuffer buf = checked(record, "batch at index " + key);
        try {
            long firstIndex = buf.getLong();
            int count = buf.getInt();
            if (firstIndex != key || count < 1 || count > record.length / ENTRY_HEADER) {
                throw new CorruptRecordException("batch stored under index " + key + " says first index "
                        + firstIndex + " and " + count + " entries");
            }
            List<LogEntry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long term = buf.getLong();
                EntryKind kind = EntryKind.ofCode(buf.get());
                byte[] payload = new byte[buf.getInt()];
                buf.get(payload);
                entries.add(new LogEntry(firstIndex + i, term, kind, payload));
            }
            if (buf.remaining() != 0) {
                throw new CorruptRecordException("batch at index " + key + " has " + buf.remaining() + " trailing bytes");
            }
            return entries;
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new CorruptRecordException("batch at index " + key + " is malformed: " + e);
        }
    }

    static byte[] encodeHardState(HardState state) {
        byte[] vote = state.votedFor() == null ? null : state.votedFor().value().getBytes(StandardCharsets.UTF_8);
        int size = 1 + 8 + 8 + 4 + (vote == null ? 0 : vote.length) + 4;
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(RECORD_VERSION).putLong(state.term()).putLong(state.commitIndex());
        if (vote == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(vote.length).put(vote);
        }
        buf.putInt(crc(buf.array(), size - 4));
        return buf.array();
    }

    static HardState decodeHardState(byte[] record) throws CorruptRecordException {
        ByteBuffer buf = checked(record, "hard state");
        try {
            long term = buf.getLong();
            long commitIndex = buf.getLong();
            int voteLength = buf.getInt();
            NodeId vote = null;
            if (voteLength >= 0) {
                byte[] raw = new byte[voteLength];
                buf.get(raw);
                vote = NodeId.of(new String(raw, StandardCharsets.UTF_8));
            }
            return new HardState(term, vote, commitIndex);
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new CorruptRecordException("hard state is malformed: " + e);
        }
    }

    private static ByteBuffer checked(byte[] record, String what) throws CorruptRecordException {
        if (record == null || record.length < 1 + 4) {
            throw new CorruptRecordException(what + " is truncated (" + (record == null ? "missing" : record.length + " bytes") + ")");
        }
        int stored = ByteBuffer.wrap(record, record.length - 4, 4).getInt();
        if (stored != crc(record, record.length - 4)) {
            throw new CorruptRecordException(what + " fails its CRC32C checksum");
        }
        if (record[0] != RECORD_VERSION) {
            throw new CorruptRecordException(what + " has record version " + record[0] + ", this build reads " + RECORD_VERSION);
        }
        ByteBuffer buf = ByteBuffer.wrap(record, 0, record.length - 4);
        buf.get();
        return buf;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** A stored record does not decode; the store turns it into an IOException naming the file. */
    static final class CorruptRecordException extends Exception {
        CorruptRecordException(String message) {
            super(message);
        }
    }
}
