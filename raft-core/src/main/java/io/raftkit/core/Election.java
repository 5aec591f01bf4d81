package io.raftkit.core;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import io.raftkit.core.progress.Progress;
import io.raftkit.core.quorum.Quorum;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A node's elections (§5.2): the randomized election timeout, PreVote (thesis §9.6), RequestVote
 * and vote counting, the role changes they lead to, CheckQuorum and leader stickiness (thesis
 * §6.2, §4.2.3), and leadership transfer (thesis §3.10).
 *
 * <p>Part of {@link RaftNode}, not a separate actor: an election decides the node's role, term,
 * vote and leader, so it sets the node's own fields. It keeps only what elections alone need: the
 * votes of the current round, the randomized timeout and the transfer in progress.
 */
final class Election {

    private final RaftNode node;
    private final RandomGenerator random;

    private int randomizedElectionTimeout;
    /** The answers of the current round: true granted, false rejected; this node's own included. */
    private final Map<NodeId, Boolean> votes = new HashMap<>();

    private NodeId leadTransferee;
    private int transferElapsed;

    Election(RaftNode node, RandomGenerator random) {
        this.node = node;
        this.random = random;
    }

    // ---------------------------------------------------------------- timeouts and terms

    /** Whether a follower or candidate has waited its randomized election timeout (§5.2). */
    boolean isTimedOut() {
        return node.electionElapsed >= randomizedElectionTimeout;
    }

    void resetElectionTimeout() {
        randomizedElectionTimeout = randomTimeoutTicks();
    }

    /** §5.2: a timeout drawn anew from [min, max) ticks, so that split votes rarely repeat. */
    private int randomTimeoutTicks() {
        return node.config.electionTimeoutMinTicks()
                + random.nextInt(node.config.electionTimeoutMaxTicks() - node.config.electionTimeoutMinTicks());
    }

    /** §5.1: adopt a newer term, except where PreVote and leader stickiness say otherwise. */
    boolean acceptHigherTerm(RaftMessage m) {
        if (m instanceof RequestVote rv) {
            if (!rv.leadershipTransfer() && inLease()) {
                return false; // thesis §4.2.3: a live leader is not disrupted by a partitioned node
            }
            if (rv.preVote()) {
                return true; // a PreVote changes nobody's term (thesis §9.6)
            }
        }
        if (m instanceof VoteReply vr && vr.preVote() && vr.granted()) {
            return true; // granted PreVotes echo the term the pre-candidate would campaign in
        }
        boolean fromLeader = m instanceof AppendEntries || m instanceof TimeoutNow
                || m instanceof io.raftkit.api.message.InstallSnapshot;
        becomeFollower(m.term(), fromLeader ? m.from() : null);
        return true;
    }

    private boolean inLease() {
        return node.config.checkQuorum() && node.leader != null
                && node.electionElapsed < node.config.electionTimeoutMinTicks();
    }

    /** CheckQuorum: whether a majority was heard from since the last check; starts the next check. */
    boolean quorumActive() {
        boolean active = node.quorum.isWonBy(id -> id.equals(node.self) || node.progress.get(id).recentActive());
        for (Progress pr : node.progress.values()) {
            pr.setRecentActive(false);
        }
        return active;
    }

    // ---------------------------------------------------------------- campaigning (§5.2)

    void campaign(boolean transfer) {
        if (node.config.preVote() && !transfer) {
            becomePreCandidate();
        } else {
            becomeCandidate(transfer);
        }
    }

    private void becomePreCandidate() {
        node.role = Role.PRE_CANDIDATE;
        node.leader = null;
        startVoteCount();
        if (node.quorum.isWonBy(votes::get)) {
            becomeCandidate(false);
            return;
        }
        for (NodeId voter : otherVoters()) {
            node.send(new RequestVote(node.self, voter, node.term + 1, node.log.lastIndex(), node.log.lastTerm(),
                    true, false));
        }
    }

    private void becomeCandidate(boolean transfer) {
        node.role = Role.CANDIDATE;
        node.term++;
        node.votedFor = node.self;
        node.leader = null;
        startVoteCount();
        if (node.quorum.isWonBy(votes::get)) {
            becomeLeader();
            return;
        }
        for (NodeId voter : otherVoters()) {
            node.send(new RequestVote(node.self, voter, node.term, node.log.lastIndex(), node.log.lastTerm(),
                    false, transfer));
        }
    }

    private void startVoteCount() {
        // A campaigning node follows no leader: reads it forwarded will not be answered to it
        // (a candidate ignores ReadIndexReplies), so fail them now rather than at their timeout.
        node.reads.failForwardedReads();
        votes.clear();
        votes.put(node.self, true);
        node.electionElapsed = 0;
        resetElectionTimeout();
    }

    void handleRequestVote(RequestVote rv) {
        boolean upToDate = node.log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm());
        boolean granted;
        if (rv.preVote()) {
            // Would we vote in rv.term? Only if we have no live leader and the log is current.
            granted = rv.term() > node.term && upToDate && (rv.leadershipTransfer() || !inLease());
            if (granted && (node.role == Role.FOLLOWER || node.role == Role.PRE_CANDIDATE)
                    && !Mutant.isActive(Mutant.PRE_VOTES_RACE)) {
                deferCampaign();
            }
        } else {
            boolean canVote = node.votedFor == null ? node.leader == null : node.votedFor.equals(rv.from());
            granted = canVote && upToDate;
            if (granted) {
                node.votedFor = rv.from(); // persisted before the reply leaves: VoteReply is sent after persist
                node.electionElapsed = 0;
            }
        }
        node.send(new VoteReply(node.self, rv.from(), granted && rv.preVote() ? rv.term() : node.term, granted,
                rv.preVote()));
    }

    /**
     * Having granted a PreVote, do not race the election it may win: a pre-candidate stands down and
     * a follower starts a fresh randomized timeout before it campaigns itself. Without this, two
     * nodes that pre-vote at about the same time (a fresh cluster's nodes waiting for the same peer
     * to come up, measured in issue 20) grant each other, both become candidates in the same term
     * and split it, so a fresh cluster did not elect once. If the pre-candidate goes no further, the
     * deferred node campaigns one timeout later. Only timers change, so safety is untouched; and
     * {@code electionElapsed} is kept, because the leader lease ({@link #inLease}) counts from it.
     */
    private void deferCampaign() {
        if (node.role == Role.PRE_CANDIDATE) {
            node.role = Role.FOLLOWER; // its own round ends: replies to it are now ignored
            votes.clear();
        }
        randomizedElectionTimeout = node.electionElapsed + randomTimeoutTicks();
    }

    void handleVoteReply(VoteReply vr) {
        if (vr.preVote() != (node.role == Role.PRE_CANDIDATE)) {
            return; // a reply to the other kind of round
        }
        if (!node.quorum.isVoter(vr.from())) {
            return;
        }
        votes.put(vr.from(), vr.granted());
        // While joint, a majority of the old voters and one of the new (thesis §4.3).
        Quorum.VoteResult result = node.quorum.voteResult(votes::get);
        if (result == Quorum.VoteResult.WON) {
            if (node.role == Role.PRE_CANDIDATE) {
                becomeCandidate(false);
            } else {
                becomeLeader();
            }
        } else if (result == Quorum.VoteResult.LOST) {
            becomeFollower(node.term, null);
        }
    }

    // ---------------------------------------------------------------- role changes

    void becomeFollower(long newTerm, NodeId newLeader) {
        if (node.role == Role.LEADER) {
            node.reads.failReads(node.term);
        }
        if (newTerm > node.term) {
            node.term = newTerm;
            node.votedFor = null;
        }
        if (newLeader == null || !newLeader.equals(node.leader)) {
            node.reads.failForwardedReads();
        }
        node.role = Role.FOLLOWER;
        node.leader = newLeader;
        leadTransferee = null;
        node.progress.clear();
        node.reads.clearReadsAwaitingNoOp();
        node.electionElapsed = 0;
        resetElectionTimeout();
    }

    private void becomeLeader() {
        node.role = Role.LEADER;
        node.leader = node.self;
        node.heartbeatElapsed = 0;
        node.electionElapsed = 0;
        leadTransferee = null;
        node.reads.failForwardedReads();
        node.progress.clear();
        for (NodeId peer : node.peers) {
            node.progress.put(peer, newProgress());
        }
        // §5.4.2 / thesis §6.4: a no-op of the new term lets earlier entries commit and reads proceed.
        node.log.append(LogEntry.noOp(node.log.lastIndex() + 1, node.term));
        node.broadcastPending = true;
        node.maybeCommit();
    }

    /** What a leader knows of a follower it starts replicating to (Figure 2: nextIndex after its own log). */
    Progress newProgress() {
        Progress pr = new Progress(node.log.lastIndex() + 1, node.config.maxInflightAppends(),
                (long) node.config.maxInflightAppends() * node.config.maxBytesPerAppend());
        pr.setRecentActive(true);
        return pr;
    }

    /** The voters this node asks for votes: of both configurations while joint. */
    private java.util.List<NodeId> otherVoters() {
        return node.quorum.voters().stream().filter(id -> !id.equals(node.self)).toList();
    }

    // ---------------------------------------------------------------- leadership transfer (thesis §3.10)

    /** The peer leadership is being handed to, or null when no transfer is under way. */
    NodeId transferee() {
        return leadTransferee;
    }

    void transferLeadership(NodeId target) {
        leadTransferee = target;
        transferElapsed = 0;
        Progress pr = node.progress.get(target);
        if (pr.matchIndex() == node.log.lastIndex()) {
            node.send(new TimeoutNow(node.self, target, node.term));
        } else {
            node.replication.sendAppend(target, pr);
        }
    }

    /** A leader's tick: abort a transfer that did not finish in an election timeout. */
    void tickTransfer() {
        if (leadTransferee != null && ++transferElapsed >= node.config.electionTimeoutMinTicks()) {
            leadTransferee = null;
        }
    }

    /** {@code peer} now holds {@code matchIndex}: once the transferee has the whole log, it may campaign. */
    void maybeSendTimeoutNow(NodeId peer, long matchIndex) {
        if (peer.equals(leadTransferee) && matchIndex == node.log.lastIndex()) {
            node.send(new TimeoutNow(node.self, peer, node.term));
        }
    }
}
