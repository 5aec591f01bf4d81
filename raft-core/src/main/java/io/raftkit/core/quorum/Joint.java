package io.raftkit.core.quorum;

import io.raftkit.api.NodeId;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * C(old,new) (thesis §4.3): a decision needs a majority of the new voters and, separately, a
 * majority of the old ones. A node in both counts in both. That is what keeps a change safe: no
 * moment exists in which the old configuration and the new one can each decide alone.
 */
public record Joint(Majority incoming, Majority outgoing) implements Quorum {

    @Override
    public Set<NodeId> voters() {
        TreeSet<NodeId> all = new TreeSet<>(incoming.voters());
        all.addAll(outgoing.voters());
        return Collections.unmodifiableSortedSet(all);
    }

    /** Committed in C(old,new) only where both majorities have it: the lower of the two. */
    @Override
    public long committedIndex(ToLongFunction<NodeId> acked) {
        return Math.min(incoming.committedIndex(acked), outgoing.committedIndex(acked));
    }

    /** Won when both majorities are won; lost as soon as either is lost. */
    @Override
    public VoteResult voteResult(Function<NodeId, Boolean> vote) {
        VoteResult in = incoming.voteResult(vote);
        VoteResult out = outgoing.voteResult(vote);
        if (in == VoteResult.LOST || out == VoteResult.LOST) {
            return VoteResult.LOST;
        }
        return in == VoteResult.WON && out == VoteResult.WON ? VoteResult.WON : VoteResult.PENDING;
    }
}
