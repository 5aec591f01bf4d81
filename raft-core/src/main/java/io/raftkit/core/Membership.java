package io.raftkit.core;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.core.membership.ConfigurationLog;
import io.raftkit.core.quorum.Quorum;
import java.util.List;

/**
 * A node's membership (thesis §4): the configuration in effect, which is the newest in its log
 * ({@link ConfigurationLog}), the quorum it gives, and a leader's changes by joint consensus
 * (thesis §4.3): a change appends C(old,new); once that commits the leader appends C(new); once
 * C(new) commits a leader that is not among its voters steps down.
 *
 * <p>Part of {@link RaftNode}, split out to keep each file small: a configuration decides the
 * node's peers and its leader's progress, so it sets those node fields.
 */
final class Membership {

    private final RaftNode node;
    final ConfigurationLog configurations;

    Membership(RaftNode node, ConfigurationLog configurations) {
        this.node = node;
        this.configurations = configurations;
    }

    /** The configuration in the log changed (appended, truncated, compacted, replaced): the node follows it. */
    void changed() {
        ClusterConfig now = configurations.current();
        if (now.equals(node.cluster)) {
            return;
        }
        node.cluster = now;
        node.quorum = Quorum.of(now);
        node.peers = now.members().stream().filter(id -> !id.equals(node.self)).toList();
        if (node.role == Role.LEADER) {
            node.progress.keySet().retainAll(node.peers); // removed members get nothing more (thesis §4.2.2)
            for (NodeId peer : node.peers) {
                node.progress.computeIfAbsent(peer, p -> node.election.newProgress());
            }
            node.broadcastPending = true;
        }
    }

    /**
     * A leader's change to {@code next} (voters and learners; not joint). A change of voters goes
     * through C(old,new); a change of learners alone cannot change any quorum, so C(new) is
     * appended at once. Returns why the change is refused, or null when its entry was appended.
     */
    String propose(ClusterConfig next) {
        ClusterConfig current = node.cluster;
        if (next.isJoint()) {
            return "the target configuration must not be joint: name the voters and learners to end with";
        }
        if (current.isJoint() || configurations.currentIndex() > node.commitIndex()) {
            return "a membership change is in progress: the configuration at index " + configurations.currentIndex()
                    + " (" + describe(current) + ") is not committed" + (current.isJoint() ? " or not yet left" : "")
                    + "; one change at a time";
        }
        if (node.log.term(node.commitIndex()) != node.term) {
            // The single-server-change bug (raft-dev, 2015): a change appended before an entry of the
            // leader's term commits can overlap with an uncommitted change of an earlier leader, and
            // the two configurations can then elect two leaders in one term. Joint consensus needs the
            // old majority at every step, and the check above refuses while the newest configuration is
            // uncommitted; this rule is kept anyway, as cheap insurance (a new leader waits one round trip).
            return "this leader has not yet committed an entry of its term " + node.term + "; retry shortly";
        }
        if (next.voters().equals(current.voters()) && next.learners().equals(current.learners())) {
            return "the configuration is already " + describe(current);
        }
        for (NodeId voter : next.voters()) {
            if (current.voters().contains(voter)) {
                continue;
            }
            long match = voter.equals(node.self) ? node.log.lastIndex()
                    : node.progress.containsKey(voter) ? node.progress.get(voter).matchIndex() : 0;
            if (match == 0) {
                // Progress starts at 0 each term: the node has not acknowledged this leader yet. It may
                // never have started (the verifier's membership nemesis once promoted a JVM still
                // starting, which then died): a dead voter costs the quorum a member, so it must answer first.
                return "node " + voter + " has not acknowledged any entry from this leader yet (term " + node.term
                        + "): add it as a learner, start it, and promote it once it answers";
            }
            long behind = node.log.lastIndex() - match;
            if (behind > node.config.maxPromotionLagEntries()) {
                return "node " + voter + " is " + behind + " entries behind the leader (more than maxPromotionLagEntries "
                        + node.config.maxPromotionLagEntries() + "): add it as a learner and promote it once it caught up";
            }
        }
        for (NodeId learner : next.learners()) {
            if (current.voters().contains(learner)) {
                return "node " + learner + " is a voter: remove it first, then add it as a learner";
            }
        }
        boolean votersChange = !next.voters().equals(current.voters());
        // Addresses of members added earlier travel on unless the change names new ones.
        ClusterConfig target = new ClusterConfig(next.voters(), next.learners(), java.util.Set.of(), current.addresses())
                .withAddresses(next.addresses());
        append(votersChange ? current.jointWith(target) : target);
        return null;
    }

    /** The leader's commit index advanced: leave a committed joint configuration, or step down from a committed C(new) without it. */
    void committed() {
        if (node.role != Role.LEADER || configurations.currentIndex() > node.commitIndex()) {
            return;
        }
        ClusterConfig current = node.cluster;
        if (current.isJoint()) {
            append(current.leaveJoint()); // thesis §4.3: C(old,new) committed, so C(new) may now be used
        } else if (!current.voters().contains(node.self)) {
            // thesis §4.2.2: a leader removed by the change managed the cluster until C(new) committed;
            // now it steps down, and, no longer a voter, never campaigns again.
            node.election.becomeFollower(node.term, null);
        }
    }

    private void append(ClusterConfig config) {
        LogEntry entry = LogEntry.configuration(node.log.lastIndex() + 1, node.term, config);
        node.log.append(entry);
        configurations.appended(entry);
        changed();
        node.broadcastPending = true;
    }

    /**
     * Whether this node may campaign: a voter of its configuration, or a voter of the one before it
     * while its newest is not known to be committed. A node that C(new) removes may hold C(new) when
     * the nodes that remain do not; they cannot win without its vote (its log is newer), so it must
     * be able to win instead: as leader it commits C(new) and then steps down (thesis §4.2.2, a
     * leader managing a configuration it is not part of). Found by the simulator (seed 951: a joint
     * leader removed itself, crashed, and the remaining voter waited for ever).
     */
    boolean mayCampaign() {
        if (node.cluster.isVoter(node.self)) {
            return true;
        }
        long index = configurations.currentIndex();
        return index > node.commitIndex() && configurations.at(index - 1).isVoter(node.self);
    }

    /** A follower's log took the leader's {@code entries} after {@code prevLogIndex}. */
    void replaced(long prevLogIndex, List<LogEntry> entries) {
        configurations.replaced(prevLogIndex + 1, entries, node.log::term);
        changed();
    }

    private static String describe(ClusterConfig c) {
        return c.isJoint() ? "joint: old voters " + c.votersOutgoing() + ", new voters " + c.voters()
                : "voters " + c.voters() + ", learners " + c.learners();
    }
}
