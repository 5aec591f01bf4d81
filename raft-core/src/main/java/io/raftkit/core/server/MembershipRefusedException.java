package io.raftkit.core.server;

/**
 * A membership change the leader refused, with the reason: another change is in progress, the
 * leader has not committed an entry of its term yet, a node to promote lags too far behind, the
 * node named is unknown, or the transport cannot reach a new member. Nothing was appended.
 */
public final class MembershipRefusedException extends RaftException {

    public MembershipRefusedException(String reason) {
        super("membership change refused: " + reason);
    }

    @Override
    public boolean certainlyNotApplied() {
        return true;
    }
}
