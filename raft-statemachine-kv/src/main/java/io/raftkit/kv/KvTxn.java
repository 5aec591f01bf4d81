package io.raftkit.kv;

import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a transaction ({@link KvCommand.Txn}), in the manner of etcd's Txn: guards compared
 * against the state before the transaction, then operations applied in order, all in one log entry
 * so no other command falls between them. There is no "else" branch: when a guard fails, nothing is
 * applied and the answer names the guard, which is all a client needs to re-read and retry.
 */
public final class KvTxn {

    /** Guards in one transaction at most; a bound on the work one log entry asks of every replica. */
    public static final int MAX_GUARDS = 64;
    /** Operations in one transaction at most. */
    public static final int MAX_OPS = 64;
    /**
     * The largest list an append may leave at a key (its encoded bytes). A constant, not node
     * configuration: every replica must refuse the same append, or their states would part.
     */
    public static final int MAX_LIST_BYTES = 1 << 20;

    private KvTxn() {
    }

    /** What a guard compares. */
    public enum GuardKind {
        /** The key exists and its value equals {@code value}. */
        VALUE,
        /** The key's version equals {@code version}; version 0 means the key is absent. */
        VERSION,
        /** The key exists. */
        EXISTS,
        /** The key does not exist. */
        ABSENT
    }

    /**
     * One comparison against the state before the transaction.
     *
     * @param value   the value a {@link GuardKind#VALUE} guard expects; empty for the other kinds
     * @param version the version a {@link GuardKind#VERSION} guard expects; 0 for the other kinds
     */
    public record Guard(GuardKind kind, String key, Optional<KvValue> value, long version) {
        public Guard {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (value.isPresent() != (kind == GuardKind.VALUE)) {
                throw new IllegalArgumentException("a " + kind + " guard " + (kind == GuardKind.VALUE ? "needs" : "takes no") + " value");
            }
            if (version < 0 || (kind != GuardKind.VERSION && version != 0)) {
                throw new IllegalArgumentException("a " + kind + " guard cannot compare version " + version);
            }
        }

        public static Guard valueIs(String key, KvValue value) {
            return new Guard(GuardKind.VALUE, key, Optional.of(value), 0);
        }

        public static Guard versionIs(String key, long version) {
            return new Guard(GuardKind.VERSION, key, Optional.empty(), version);
        }

        public static Guard exists(String key) {
            return new Guard(GuardKind.EXISTS, key, Optional.empty(), 0);
        }

        public static Guard absent(String key) {
            return new Guard(GuardKind.ABSENT, key, Optional.empty(), 0);
        }

        /** Whether this guard holds for the key's current entry ({@code null} when absent). */
        boolean holds(KvEntry current) {
            if (kind == GuardKind.VALUE) {
                return current != null && current.value().equals(value.get());
            } else if (kind == GuardKind.VERSION) {
                return (current == null ? 0 : current.version()) == version;
            } else if (kind == GuardKind.EXISTS) {
                return current != null;
            } else if (kind == GuardKind.ABSENT) {
                return current == null;
            }
            throw new AssertionError("unhandled " + kind);
        }
    }

    /** What an operation does. */
    public enum OpKind {
        /** Reads the key as the transaction has left it so far (its own earlier writes included). */
        GET,
        /** Sets the key to {@code value}. */
        PUT,
        /** Removes the key; NOT_FOUND in its result when absent (not a failure of the transaction). */
        DELETE,
        /** Appends {@code value} (text) to the list at the key ({@link KvList}), creating it when absent. */
        APPEND
    }

    /** @param value the value of a PUT or APPEND; empty for GET and DELETE */
    public record Op(OpKind kind, String key, Optional<KvValue> value) {
        public Op {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            boolean needsValue = kind == OpKind.PUT || kind == OpKind.APPEND;
            if (value.isPresent() != needsValue) {
                throw new IllegalArgumentException("a " + kind + " operation " + (needsValue ? "needs" : "takes no") + " value");
            }
        }

        public static Op get(String key) {
            return new Op(OpKind.GET, key, Optional.empty());
        }

        public static Op put(String key, KvValue value) {
            return new Op(OpKind.PUT, key, Optional.of(value));
        }

        public static Op delete(String key) {
            return new Op(OpKind.DELETE, key, Optional.empty());
        }

        public static Op append(String key, KvValue element) {
            return new Op(OpKind.APPEND, key, Optional.of(element));
        }
    }
}
