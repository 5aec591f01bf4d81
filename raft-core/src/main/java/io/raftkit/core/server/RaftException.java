package io.raftkit.core.server;

/**
 * Why a proposal or read did not complete. Callers that must tell a client whether its write
 * happened (the KV store's HTTP API, the verifier) ask {@link #certainlyNotApplied()}.
 */
public abstract class RaftException extends RuntimeException {

    protected RaftException(String message) {
        super(message, null, false, false); // expected outcomes, not bugs: no stack trace to fill
    }

    /** True when the command certainly never took effect; false when it may have. */
    public abstract boolean certainlyNotApplied();
}
