package io.raftkit.core.server;

import io.raftkit.api.NodeId;
import java.util.Optional;

/** This node is not the leader (or is handing leadership over); nothing was appended. */
public final class NotLeaderException extends RaftException {

    private final transient Optional<NodeId> leaderHint;

    public NotLeaderException(Optional<NodeId> leaderHint) {
        super("not the leader" + leaderHint.map(id -> "; the leader is " + id).orElse("; no leader known"));
        this.leaderHint = leaderHint;
    }

    public Optional<NodeId> leaderHint() {
        return leaderHint;
    }

    @Override
    public boolean certainlyNotApplied() {
        return true;
    }
}
