package io.raftkit.core;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.ReadIndexReply;
import io.raftkit.api.message.ReadIndexRequest;
import io.raftkit.api.message.ReadRoundAck;
import io.raftkit.core.log.RaftLog;
import io.raftkit.core.quorum.Quorum;
import io.raftkit.core.read.ReadQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A node's linearizable reads without a log write (thesis §6.4). A leader records its commit index
 * when a read arrives and confirms the read once a quorum has answered a heartbeat round sent after
 * that; a follower forwards the read to its leader and waits for the index to come back.
 *
 * <p>Part of {@link RaftNode}: the node passes in its term, commit index and leader, since those
 * belong to the node, and this class keeps only what reads alone need. Outcomes leave through the
 * node's {@link Outbox}: ReadStates and ReadFailures for local reads, ReadIndexReplies for
 * forwarded ones.
 */
final class LinearizableReads {

    private final NodeId self;
    /** The node's quorum, which a membership change replaces. */
    private final Supplier<Quorum> quorum;
    private final RaftLog log;
    private final Outbox outbox;

    private final ReadQueue reads = new ReadQueue(Mutant.isActive(Mutant.READ_JOINS_CARRIED_ROUND));
    /** Reads that arrived before this leader committed an entry of its term (thesis §6.4 step 1). */
    private final List<ReadQueue.PendingRead> readsAwaitingNoOp = new ArrayList<>();
    /** Reads this follower forwarded to the leader, by request id. */
    private final TreeMap<Long, NodeId> forwardedReads = new TreeMap<>();
    /** The newest read round this follower acknowledged, and to whom in which term. */
    private NodeId ackedLeader;
    private long ackedTerm;
    private long ackedRound;

    LinearizableReads(NodeId self, Supplier<Quorum> quorum, RaftLog log, Outbox outbox) {
        this.self = self;
        this.quorum = quorum;
        this.log = log;
        this.outbox = outbox;
    }

    // ---------------------------------------------------------------- leader

    /**
     * The round an AppendEntries about to leave carries; a follower's reply echoes it. Reads that
     * arrive after this message left join a later round (see {@link ReadQueue}).
     */
    long carryRound() {
        return reads.carry();
    }

    /** Whether a read round has not gone out on a heartbeat yet. */
    boolean needsHeartbeat() {
        return reads.needsBroadcast();
    }

    void heartbeatSent() {
        reads.broadcastSent();
    }

    /** A read on the leader, from its own client ({@code origin} null) or forwarded by {@code origin}. */
    void handleReadIndex(long requestId, NodeId origin, long term, long commitIndex) {
        if (log.term(commitIndex) != term) {
            readsAwaitingNoOp.add(new ReadQueue.PendingRead(requestId, origin, 0, 0));
            return;
        }
        reads.add(requestId, origin, commitIndex);
        confirmReads(term);
    }

    /** A follower echoed {@code readRound}: it still took this node as leader when it answered. */
    void ack(NodeId follower, long readRound) {
        reads.ack(follower, readRound);
    }

    /** The leader's commit index advanced: reads waiting for this term's no-op may now be queued. */
    void releaseReadsAwaitingNoOp(long term, long commitIndex) {
        if (readsAwaitingNoOp.isEmpty() || log.term(commitIndex) != term) {
            return;
        }
        for (ReadQueue.PendingRead r : readsAwaitingNoOp) {
            reads.add(r.requestId(), r.origin(), commitIndex);
        }
        readsAwaitingNoOp.clear();
    }

    /** Hands out every read whose round a quorum has acknowledged. */
    void confirmReads(long term) {
        for (ReadQueue.PendingRead r : reads.confirmed(quorum.get(), self)) {
            if (r.origin() == null) {
                outbox.readStates.add(new ReadState(r.requestId(), r.readIndex()));
            } else {
                outbox.add(new ReadIndexReply(self, r.origin(), term, r.requestId(), true, r.readIndex()));
            }
        }
    }

    /** The leader steps down: no pending read can be confirmed by it any more. */
    void failReads(long term) {
        List<ReadQueue.PendingRead> lost = new ArrayList<>(reads.drain());
        lost.addAll(readsAwaitingNoOp);
        readsAwaitingNoOp.clear();
        for (ReadQueue.PendingRead r : lost) {
            if (r.origin() == null) {
                outbox.readFailures.add(new ReadFailure(r.requestId(), Optional.empty()));
            } else {
                outbox.add(new ReadIndexReply(self, r.origin(), term, r.requestId(), false, 0));
            }
        }
    }

    void clearReadsAwaitingNoOp() {
        readsAwaitingNoOp.clear();
    }

    // ---------------------------------------------------------------- follower and candidate

    /**
     * The leader of {@code term} sent an AppendEntries carrying {@code round} while this node has
     * entries not yet durable: acknowledge a round not acknowledged yet with a
     * {@link ReadRoundAck}, which leaves before those writes finish (see there why that is safe).
     * The AppendReply still echoes the round; with nothing to wait for, it alone answers.
     */
    void acknowledgeRound(NodeId leader, long term, long round) {
        if (round == 0 || (term == ackedTerm && leader.equals(ackedLeader) && round <= ackedRound)) {
            return;
        }
        ackedLeader = leader;
        ackedTerm = term;
        ackedRound = round;
        outbox.add(new ReadRoundAck(self, leader, term, round));
    }

    /** Asks {@code leader} for a read index on behalf of a local read. */
    void forward(long requestId, NodeId leader, long term) {
        forwardedReads.put(requestId, leader);
        outbox.add(new ReadIndexRequest(self, leader, term, requestId));
    }

    /** A read that cannot even be forwarded: no leader is known, or this node is campaigning. */
    void fail(long requestId, NodeId leaderHint) {
        outbox.readFailures.add(new ReadFailure(requestId, Optional.ofNullable(leaderHint)));
    }

    /** Only a leader serves a read index; whoever else is asked says no. */
    void refuse(ReadIndexRequest req, long term) {
        outbox.add(new ReadIndexReply(self, req.from(), term, req.requestId(), false, 0));
    }

    void handleReadIndexReply(ReadIndexReply reply, NodeId leader) {
        NodeId askedLeader = forwardedReads.remove(reply.requestId());
        if (askedLeader == null || !askedLeader.equals(reply.from())) {
            return; // unknown or duplicate
        }
        if (reply.ok()) {
            outbox.readStates.add(new ReadState(reply.requestId(), reply.readIndex()));
        } else {
            outbox.readFailures.add(new ReadFailure(reply.requestId(), Optional.ofNullable(leader)));
        }
    }

    /** The leader that was asked is no longer this node's leader: its answers will not come. */
    void failForwardedReads() {
        for (Long id : forwardedReads.keySet()) {
            outbox.readFailures.add(new ReadFailure(id, Optional.empty()));
        }
        forwardedReads.clear();
    }
}
