package io.raftkit.kv;

import java.util.Objects;
import java.util.Optional;

/**
 * What a command or a read answered. For a write, {@code index} is the log index that applied it;
 * for a read, the last index applied when the read was served.
 *
 * @param value       the value after the operation (for a failed CAS or a read: the current one),
 *                    empty when the key is absent (or was just deleted), or when {@code origin} is
 *                    {@link Origin#DUPLICATE_VALUE_FORGOTTEN}
 * @param version     how many times the key was written since it was created (1 after creation);
 *                    0 when absent. For a delete, the version that was deleted.
 * @param createIndex log index of the write that created the current incarnation of the key
 * @param modIndex    log index of the last write to the key
 * @param origin      whether this answer comes from applying the command now or from its session
 */
public record KvResult(Status status, String key, Optional<KvValue> value, long version, long createIndex,
                       long modIndex, long index, Origin origin) {

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
        MALFORMED,
        /**
         * The client's last sequence again, but with a different command: refused, nothing changed.
         * The fields describe the first command's outcome ({@code index} is where it was applied).
         */
        SEQUENCE_REUSED,
        /**
         * A sequence after the first from a client whose session is not kept (expired or evicted):
         * refused, since whether its earlier requests were applied can no longer be told.
         */
        SESSION_EXPIRED,
        /** A transaction whose guard did not hold: nothing was applied. */
        GUARD_FAILED,
        /** A transaction appending to a key whose value is not a list ({@link KvList}): nothing was applied. */
        NOT_A_LIST,
        /** A transaction whose append would grow a list past {@link KvTxn#MAX_LIST_BYTES}: nothing was applied. */
        LIST_TOO_LARGE
    }

    /** Where an answer comes from (thesis §6.3: a duplicate gets the answer of the first application). */
    public enum Origin {
        /** The command was applied now, or this answers a read. */
        APPLIED,
        /** A retry of an applied command: the first application's answer, rebuilt from its session. */
        DUPLICATE,
        /**
         * A retry of a failed compare-and-set whose key was written since: the session keeps a digest
         * and the outcome, not values, so the value the comparison saw is no longer known; version and
         * indexes are still the first answer's.
         */
        DUPLICATE_VALUE_FORGOTTEN
    }

    public KvResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
    }

    /** An answer of a command applied now, or of a read. */
    public KvResult(Status status, String key, Optional<KvValue> value, long version, long createIndex, long modIndex, long index) {
        this(status, key, value, version, createIndex, modIndex, index, Origin.APPLIED);
    }

    public static KvResult absent(Status status, String key, long index) {
        return new KvResult(status, key, Optional.empty(), 0, 0, 0, index);
    }

    public static KvResult of(Status status, String key, KvEntry entry, long index) {
        return new KvResult(status, key, Optional.of(entry.value()), entry.version(), entry.createIndex(), entry.modIndex(), index);
    }

    public boolean duplicate() {
        return origin != Origin.APPLIED;
    }
}
