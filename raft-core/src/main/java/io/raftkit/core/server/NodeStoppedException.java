package io.raftkit.core.server;

/** The node stopped (closed, or failed) before the request completed; the outcome is unknown. */
public final class NodeStoppedException extends RaftException {

    public NodeStoppedException(String why) {
        super("node stopped: " + why);
    }

    @Override
    public boolean certainlyNotApplied() {
        return false;
    }
}
