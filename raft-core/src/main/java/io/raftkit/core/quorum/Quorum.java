package io.raftkit.core.quorum;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Who must agree for a decision: a {@link Majority} of one configuration's voters, or, while a
 * membership change is under way, a {@link Joint} majority of the old voters and of the new ones
 * (thesis §4.3). Commitment, elections (PreVote too), CheckQuorum and read confirmation all ask a
 * quorum the same two questions, so none of them counts members by hand. Learners are never in a
 * quorum.
 */
public sealed interface Quorum permits Majority, Joint {

    /** Where a count of answers stands. */
    enum VoteResult { WON, PENDING, LOST }

    /** The quorum of {@code config}: joint while the configuration is. */
    static Quorum of(ClusterConfig config) {
        Majority incoming = new Majority(config.voters());
        return config.isJoint() ? new Joint(incoming, new Majority(config.votersOutgoing())) : incoming;
    }

    /** Every voter whose answer counts. */
    Set<NodeId> voters();

    /**
     * The highest value that a quorum has reached, given each voter's value: the commit index from
     * match indexes (§5.3), or the read round a quorum has echoed (thesis §6.4).
     */
    long committedIndex(ToLongFunction<NodeId> acked);

    /**
     * Whether the answers so far win: {@code vote} gives a voter's answer, true (granted, active),
     * false (rejected) or null (not heard from).
     */
    VoteResult voteResult(Function<NodeId, Boolean> vote);

    /** Whether the voters for which {@code vote} answers true form a quorum. */
    default boolean isWonBy(Function<NodeId, Boolean> vote) {
        return voteResult(vote) == VoteResult.WON;
    }

    default boolean isVoter(NodeId id) {
        return voters().contains(id);
    }
}
