package io.raftkit.kv;

import java.util.Objects;
import java.util.Optional;

/** A mutating request, replicated through the Raft log in {@link KvCodec}'s binary form. */
public sealed interface KvCommand permits KvCommand.Put, KvCommand.Delete, KvCommand.Cas {

    SessionStamp stamp();

    String key();

    /** Sets {@code key} to {@code value}, creating it if absent. */
    record Put(SessionStamp stamp, String key, String value) implements KvCommand {
        public Put {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Removes {@code key}; answers NOT_FOUND when it was absent. */
    record Delete(SessionStamp stamp, String key) implements KvCommand {
        public Delete {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Sets {@code key} to {@code value} only if its current value equals {@code expected}; an empty
     * {@code expected} means the key must be absent.
     */
    record Cas(SessionStamp stamp, String key, Optional<String> expected, String value) implements KvCommand {
        public Cas {
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(value, "value");
        }
    }
}
