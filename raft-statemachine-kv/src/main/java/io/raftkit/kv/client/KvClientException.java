package io.raftkit.kv.client;

/**
 * A request that got no final answer after every retry. {@link #certainlyNotApplied()} is true only
 * when every attempt was refused before proposing; otherwise the write may have happened.
 */
public final class KvClientException extends RuntimeException {

    private final boolean certainlyNotApplied;

    public KvClientException(String message, boolean certainlyNotApplied, Throwable cause) {
        super(message, cause);
        this.certainlyNotApplied = certainlyNotApplied;
    }

    public boolean certainlyNotApplied() {
        return certainlyNotApplied;
    }
}
