package io.raftkit.verifier.spi;

/**
 * One operation as a client performs it and a {@link Model} sees it: a function name ({@code "read"},
 * {@code "write"}, {@code "add"}, ...), a value, and optionally the key of the independent object it
 * acts on (null for a workload of one object; a model is handed the key but needs none). Values are
 * plain Java data: {@code null}, {@link Long} (every integer arrives as a Long, whatever the history
 * file held), {@link String}, {@link Boolean}, and immutable {@link java.util.List}s and
 * {@link java.util.Map}s of those.
 *
 * <p>For a completed read the value is what it returned; for anything else the value it was invoked
 * with, or, if that was null, what it returned (a dequeue is invoked with nothing and returns the
 * element): the Knossos reading of a history.
 */
public record Op(String f, Object value, String key) {

    public Op {
        if (f == null || f.isBlank()) {
            throw new IllegalArgumentException("an operation needs a function name, was " + (f == null ? "null" : "blank"));
        }
    }

    /** An operation on the workload's one object (no key). */
    public Op(String f, Object value) {
        this(f, value, null);
    }

    /**
     * This operation on the independent object {@code key} (a lock of many, a counter of many). The
     * checker checks each key's operations on their own, each from the model's initial state, as
     * jepsen.independent does: a history is linearizable when every key's is (Herlihy and Wing's
     * locality), and many short histories search far faster than one long one.
     */
    public Op on(String objectKey) {
        return new Op(f, value, objectKey);
    }

    /** The value as a long; for models whose operations carry numbers. */
    public long longValue() {
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException(f + " carries " + value + ", not a number");
        }
        return n.longValue();
    }
}
