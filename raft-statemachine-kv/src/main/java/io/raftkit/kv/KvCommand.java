package io.raftkit.kv;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A mutating request, replicated through the Raft log in {@link KvCodec}'s binary form. */
public sealed interface KvCommand permits KvCommand.Keyed, KvCommand.SetSessionPolicy, KvCommand.Txn {

    SessionStamp stamp();

    /** A command on one key: what clients send. */
    sealed interface Keyed extends KvCommand permits Put, Delete, Cas {
        String key();
    }

    /** Sets {@code key} to {@code value}, creating it if absent. */
    record Put(SessionStamp stamp, String key, KvValue value) implements Keyed {
        public Put {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        /** A text value, stored as its UTF-8 bytes. */
        public Put(SessionStamp stamp, String key, String value) {
            this(stamp, key, KvValue.of(value));
        }
    }

    /** Removes {@code key}; answers NOT_FOUND when it was absent. */
    record Delete(SessionStamp stamp, String key) implements Keyed {
        public Delete {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Sets {@code key} to {@code value} only if its current value equals {@code expected}; an empty
     * {@code expected} means the key must be absent.
     */
    record Cas(SessionStamp stamp, String key, Optional<KvValue> expected, KvValue value) implements Keyed {
        public Cas {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(value, "value");
        }

        /** Text values, stored as their UTF-8 bytes. */
        public Cas(SessionStamp stamp, String key, Optional<String> expected, String value) {
            this(stamp, key, expected.map(KvValue::of), KvValue.of(value));
        }
    }

    /**
     * Replaces the session policy from this index on, on every replica. A leader proposes its
     * configured policy before its first write when the applied one differs. Its stamp carries no
     * session, only the leader's clock.
     */
    record SetSessionPolicy(SessionStamp stamp, SessionPolicy policy) implements KvCommand {
        public SetSessionPolicy {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(policy, "policy");
        }
    }

    /**
     * Guards, then operations, applied as one log entry ({@link KvTxn} says what each does): atomic
     * because the state machine applies one entry at a time, and linearizable, reads included,
     * because the entry is committed before it is applied. Sessions deduplicate it like any write.
     */
    record Txn(SessionStamp stamp, List<KvTxn.Guard> guards, List<KvTxn.Op> ops) implements KvCommand {
        public Txn {
            Objects.requireNonNull(stamp, "stamp");
            guards = List.copyOf(guards);
            ops = List.copyOf(ops);
            if (guards.size() > KvTxn.MAX_GUARDS) {
                throw new IllegalArgumentException("a transaction has at most " + KvTxn.MAX_GUARDS + " guards, not " + guards.size());
            }
            if (ops.size() > KvTxn.MAX_OPS) {
                throw new IllegalArgumentException("a transaction has at most " + KvTxn.MAX_OPS + " operations, not " + ops.size());
            }
        }
    }
}
