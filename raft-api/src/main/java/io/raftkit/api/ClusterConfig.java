package io.raftkit.api;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who takes part: voters count toward quorums; learners receive the log but never vote.
 * Iteration order is the ids' natural order, so everything derived from a config is deterministic.
 */
public record ClusterConfig(Set<NodeId> voters, Set<NodeId> learners) {

    public ClusterConfig {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one voter");
        }
        for (NodeId learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalArgumentException("node " + learner + " is both a voter and a learner");
            }
        }
    }

    public static ClusterConfig ofVoters(Collection<NodeId> voters) {
        return new ClusterConfig(Set.copyOf(voters), Set.of());
    }

    public static ClusterConfig ofVoters(String... ids) {
        TreeSet<NodeId> set = new TreeSet<>();
        for (String id : ids) {
            set.add(NodeId.of(id));
        }
        return new ClusterConfig(set, Set.of());
    }

    /** Every member, voters first. */
    public Set<NodeId> members() {
        TreeSet<NodeId> all = new TreeSet<>(voters);
        all.addAll(learners);
        return Collections.unmodifiableSortedSet(all);
    }

    public boolean isVoter(NodeId id) {
        return voters.contains(id);
    }

    /** The smallest number of voters that forms a majority (§5.2). */
    public int quorum() {
        return voters.size() / 2 + 1;
    }
}
