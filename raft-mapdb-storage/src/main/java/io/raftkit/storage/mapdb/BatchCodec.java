package io.raftkit.storage.mapdb;

import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of one stored batch of log entries. Each record ends with a CRC32C of
 * everything before it, so a flipped bit in a segment is reported as corruption instead of being
 * handed to the state machine as a command.
 *
 * <pre>
 * batch: version:u8 firstIndex:i64 count:i32 { term:i64 kind:u8 length:i32 payload } crc:i32
 * </pre>
 */
final class BatchCodec {

    static final byte RECORD_VERSION = 1;
    private static final int BATCH_HEADER = 1 + 8 + 4;
    private static final int ENTRY_HEADER = 8 + 1 + 4;

    private BatchCodec() {
    }

    /** The size of the record {@link #encodeBatch} makes, as a long: an oversize batch must be refused, not overflow. */
    static long encodedSize(List<LogEntry> entries) {
        long size = BATCH_HEADER + 4;
        for (LogEntry e : entries) {
            size += ENTRY_HEADER + e.payload().length;
        }
        return size;
    }

    static byte[] encodeBatch(List<LogEntry> entries) {
        byte[] record = new byte[Math.toIntExact(encodedSize(entries))];
        encodeBatch(entries, record, 0);
        return record;
    }

    /** Writes the record of {@code entries} into {@code into} at {@code at}; it takes {@link #encodedSize} bytes. */
    static void encodeBatch(List<LogEntry> entries, byte[] into, int at) {
        int size = Math.toIntExact(encodedSize(entries));
        ByteBuffer buf = ByteBuffer.wrap(into, at, size);
        buf.put(RECORD_VERSION).putLong(entries.get(0).index()).putInt(entries.size());
        for (LogEntry e : entries) {
            buf.putLong(e.term()).put((byte) e.kind().code()).putInt(e.payload().length).put(e.payload());
        }
        CRC32C crc = new CRC32C();
        crc.update(into, at, size - 4);
        buf.putInt((int) crc.getValue());
    }

    /** Decodes one stored batch; throws {@link CorruptRecordException} saying what is wrong. */
    static List<LogEntry> decodeBatch(byte[] record) throws CorruptRecordException {
        ByteBuffer buf = checked(record, "batch record");
        try {
            long firstIndex = buf.getLong();
            int count = buf.getInt();
            if (firstIndex < 1 || count < 1 || count > record.length / ENTRY_HEADER) {
                throw new CorruptRecordException("batch record says first index " + firstIndex + " and " + count + " entries");
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
                throw new CorruptRecordException("batch record at index " + firstIndex + " has " + buf.remaining() + " trailing bytes");
            }
            return entries;
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new CorruptRecordException("batch record is malformed: " + e);
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
