package io.raftkit.api;

import java.util.Optional;

/**
 * The state a peer must make durable before it answers an RPC (Figure 2, "persistent state on all
 * servers"), plus the commit index so a restarted node can apply without waiting for a leader.
 *
 * @param term        the latest term this server has seen
 * @param votedFor    the candidate that received this server's vote in {@code term}, or null
 * @param commitIndex the highest index known committed when this state was saved
 */
public record HardState(long term, NodeId votedFor, long commitIndex) {

    /** The state of a brand-new peer. */
    public static final HardState INITIAL = new HardState(0, null, 0);

    public HardState {
        if (term < 0) {
            throw new IllegalArgumentException("term must be >= 0, was " + term);
        }
        if (commitIndex < 0) {
            throw new IllegalArgumentException("commitIndex must be >= 0, was " + commitIndex);
        }
    }

    public Optional<NodeId> vote() {
        return Optional.ofNullable(votedFor);
    }
}
