package io.raftkit.kv;

import java.util.Optional;

/**
 * What a command or a read answered. For a write, {@code index} is the log index that applied it;
 * for a read, the last index applied when the read was served.
 *
 * @param value       the value after the operation (for a failed CAS or a read: the current one),
 *                    empty when the key is absent (or was just deleted)
 * @param version     how many times the key was written since it was created (1 after creation);
 *                    0 when absent. For a delete, the version that was deleted.
 * @param createIndex log index of the write that created the current incarnation of the key
 * @param modIndex    log index of the last write to the key
 */
public record KvResult(Status status, String key, Optional<String> value, long version, long createIndex,
                       long modIndex, long index) {

    public enum Status {
        /** The command took effect (or the key was read). */
        OK,
        /** Read or delete of an absent key. */
        NOT_FOUND,
        /** A compare-and-set whose expectation did not hold; value and version are the current ones. */
        CAS_FAILED,
        /** A sequence number below the client's last applied one: a retry of an old request. */
        STALE_SEQUENCE,
        /** The log held bytes that are not a KV command (written by a foreign or buggy proposer). */
        MALFORMED
    }

    public static KvResult absent(Status status, String key, long index) {
        return new KvResult(status, key, Optional.empty(), 0, 0, 0, index);
    }

    public static KvResult of(Status status, String key, KvEntry entry, long index) {
        return new KvResult(status, key, Optional.of(entry.value()), entry.version(), entry.createIndex(), entry.modIndex(), index);
    }
}
