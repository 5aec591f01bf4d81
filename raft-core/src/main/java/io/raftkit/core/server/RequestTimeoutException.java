package io.raftkit.core.server;

/** No result in time. A proposal may still commit later: the outcome is unknown. */
public final class RequestTimeoutException extends RaftException {

    public RequestTimeoutException(String what, long millis) {
        super(what + " did not complete within " + millis + " ms; it may still take effect");
    }

    @Override
    public boolean certainlyNotApplied() {
        return false;
    }
}
