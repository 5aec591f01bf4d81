package io.raftkit.core.server;

/** The proposal's entry was overwritten by a newer leader's log (§5.3): it never took effect. */
public final class ProposalDroppedException extends RaftException {

    public ProposalDroppedException(long index, long term) {
        super("proposal at index " + index + " of term " + term + " was overwritten by a newer leader");
    }

    @Override
    public boolean certainlyNotApplied() {
        return true;
    }
}
