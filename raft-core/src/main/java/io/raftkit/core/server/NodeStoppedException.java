package io.raftkit.core.server;

/**
 * The node stopped (closed, or failed) before the request completed. The outcome is unknown unless
 * the node was not running when the request arrived, in which case it never reached the log.
 */
public final class NodeStoppedException extends RaftException {

    private final boolean neverQueued;

    public NodeStoppedException(String why) {
        this(why, false);
    }

    public NodeStoppedException(String why, boolean neverQueued) {
        super("node stopped: " + why);
        this.neverQueued = neverQueued;
    }

    @Override
    public boolean certainlyNotApplied() {
        return neverQueued;
    }
}
