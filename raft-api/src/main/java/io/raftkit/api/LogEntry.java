package io.raftkit.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log (§5.3).
 *
 * <p>The payload array is owned by the entry once constructed: callers must not modify it
 * afterwards. It is not copied, because entries travel through the log, the network and the
 * state machine many times and copying dominated the replication profile.
 */
public record LogEntry(long index, long term, EntryKind kind, byte[] payload) {

    private static final byte[] EMPTY = new byte[0];

    public LogEntry {
        if (index < 1) {
            throw new IllegalArgumentException("log entry index must be >= 1, was " + index);
        }
        if (term < 1) {
            throw new IllegalArgumentException("log entry term must be >= 1, was " + term);
        }
        Objects.requireNonNull(kind, "kind");
        payload = payload == null ? EMPTY : payload;
    }

    public static LogEntry command(long index, long term, byte[] payload) {
        return new LogEntry(index, term, EntryKind.COMMAND, payload);
    }

    public static LogEntry noOp(long index, long term) {
        return new LogEntry(index, term, EntryKind.NO_OP, EMPTY);
    }

    /** A membership change (thesis §4.3): the configuration takes effect as soon as the entry is in a log. */
    public static LogEntry configuration(long index, long term, ClusterConfig config) {
        return new LogEntry(index, term, EntryKind.CONFIGURATION, config.encode());
    }

    /** Bytes this entry costs on the wire and on disk, used for the byte limits of AppendEntries and reads. */
    public int sizeInBytes() {
        return payload.length + 24;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry other
                && index == other.index
                && term == other.term
                && kind == other.kind
                && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, kind) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "@" + term + " " + kind + " " + payload.length + "B]";
    }
}
