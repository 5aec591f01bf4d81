package io.raftkit.kv.client;

import java.util.Objects;
import java.util.Optional;

/**
 * A request that did not get the answer it asked for: every retry failed, the cluster refused it,
 * or the client could not take it. {@link #outcome} says whether a write may have happened;
 * {@link #status} and {@link #error} are the cluster's answer when there was one (the JSON API's
 * HTTP status and {@code "error"} code).
 */
public class KvClientException extends RuntimeException {

    private final Outcome outcome;
    private final int status;
    private final String error;

    public KvClientException(String message, Outcome outcome, int status, String error, Throwable cause) {
        super(message, cause);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.status = status;
        this.error = error;
    }

    public KvClientException(String message, boolean certainlyNotApplied, Throwable cause) {
        this(message, certainlyNotApplied ? Outcome.NOT_APPLIED : Outcome.UNKNOWN, 0, null, cause);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** True only when the write certainly did not happen. */
    public boolean certainlyNotApplied() {
        return outcome == Outcome.NOT_APPLIED;
    }

    /** The HTTP status of the cluster's final answer, or 0 when none came. */
    public int status() {
        return status;
    }

    /** The cluster's error code ({@code "value-too-large"}, {@code "timeout"}, ...), when it answered with one. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }
}
