package io.raftkit.kv;

/**
 * How the state machine keeps client sessions (thesis §6.3). Part of the replicated state: set by a
 * {@link KvCommand.SetSessionPolicy} in the log, so every replica expires and evicts the same
 * sessions at the same index whatever its own configuration says.
 *
 * @param ttlMillis a session idle for longer than this much log time is forgotten
 * @param capacity  the most sessions kept; a new session beyond it evicts the least recently used
 */
public record SessionPolicy(long ttlMillis, int capacity) {

    public static final long DEFAULT_TTL_MILLIS = 3_600_000;
    /**
     * A session costs about {@link Sessions#SESSION_HEAP_BYTES} of heap whatever its values, so the
     * default table stays under 16 MB; it holds the sessions of about 800 KvClients with 64 requests
     * in flight each (a KvClient uses one session per concurrent request).
     */
    public static final int DEFAULT_CAPACITY = 50_000;
    public static final int MAX_CAPACITY = 10_000_000;
    public static final long MAX_TTL_MILLIS = Long.MAX_VALUE / 4;
    public static final SessionPolicy DEFAULT = new SessionPolicy(DEFAULT_TTL_MILLIS, DEFAULT_CAPACITY);

    public SessionPolicy {
        if (ttlMillis < 1 || ttlMillis > MAX_TTL_MILLIS) {
            throw new IllegalArgumentException("session TTL must be 1 to " + MAX_TTL_MILLIS + " ms, was " + ttlMillis);
        }
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("session capacity must be 1 to " + MAX_CAPACITY + ", was " + capacity);
        }
    }
}
