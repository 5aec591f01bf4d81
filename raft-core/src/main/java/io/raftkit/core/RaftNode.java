package io.raftkit.core;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.InstallSnapshotReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadIndexReply;
import io.raftkit.api.message.ReadIndexRequest;
import io.raftkit.api.message.ReadRoundAck;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import io.raftkit.core.log.RaftLog;
import io.raftkit.core.membership.ConfigurationLog;
import io.raftkit.core.progress.Progress;
import io.raftkit.core.quorum.Majority;
import io.raftkit.core.quorum.Quorum;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One Raft peer as a pure state machine. Exactly one thread calls it. It reads no clock, starts no
 * thread and does no I/O: time arrives as {@link #tick()}, input as {@link #step} and
 * {@link #propose}, and everything it wants done leaves as a {@link Ready}.
 *
 * <p>Section numbers refer to the Raft paper (§5) and Ongaro's thesis (thesis §).
 */
public final class RaftNode {

    // Package-private: Election, LinearizableReads, Membership, Replication and Snapshots are parts of this node, split
    // out to keep each file small; they read and set this state but nothing outside the node does.
    final NodeId self;
    /** The configuration in effect: the newest in the log (thesis §4.1). Set by {@link Membership} only. */
    ClusterConfig cluster;
    /** Who must agree, under {@link #cluster}: for commitment, elections, CheckQuorum and reads alike. */
    Quorum quorum;
    /** Every member but this node: whom a leader replicates to. */
    List<NodeId> peers;
    final RaftConfig config;
    final RaftLog log;
    private final Outbox outbox;
    final Election election;
    final LinearizableReads reads;
    final Snapshots snapshots;
    final Replication replication;
    final Membership membership;

    Role role = Role.FOLLOWER;
    long term;
    NodeId votedFor;
    NodeId leader;
    private long commitIndex;
    private long appliedHandedOut;
    /** The hard state last handed to the driver to persist (durable once its Ready is advanced). */
    private HardState handedOutHardState;

    int electionElapsed;
    int heartbeatElapsed;
    /** Ticks since this node started: the clock of in-flight AppendEntries (loss detection). */
    private long ticks;

    final TreeMap<NodeId, Progress> progress = new TreeMap<>();
    boolean broadcastPending;

    /**
     * Restores a peer from what its LogStore holds.
     *
     * @param log           the stored entries, consecutive, starting right after the compacted prefix
     * @param snapshotIndex the last compacted index (0 when nothing was compacted)
     * @param snapshotTerm  the term of {@code snapshotIndex} (0 when nothing was compacted)
     */
    public RaftNode(NodeId self, ClusterConfig cluster, RaftConfig config, RandomGenerator random,
                    HardState hardState, List<LogEntry> log, long snapshotIndex, long snapshotTerm) {
        this(self, cluster, config, random, hardState, log, snapshotIndex, snapshotTerm, null, Snapshots.DEFAULT_CHUNK_BYTES);
    }

    /**
     * Restores a peer from what its LogStore and SnapshotStore hold (§7).
     *
     * @param log                the stored entries, consecutive, starting right after the compacted prefix
     * @param snapshotIndex      the last compacted index of the log (0 when nothing was compacted)
     * @param snapshotTerm       the term of {@code snapshotIndex} (0 when nothing was compacted)
     * @param snapshot           the newest durable snapshot, which the state machine was restored from,
     *                           or null; the log must hold its last included entry (or end exactly there)
     * @param snapshotChunkBytes the size of the InstallSnapshot chunks this node sends as leader
     */
    public RaftNode(NodeId self, ClusterConfig cluster, RaftConfig config, RandomGenerator random,
                    HardState hardState, List<LogEntry> log, long snapshotIndex, long snapshotTerm,
                    SnapshotMeta snapshot, int snapshotChunkBytes) {
        if (!cluster.members().contains(self)) {
            // A node to be added starts with the members it will join and itself as a learner.
            throw new IllegalArgumentException("node " + self + " is not a member of " + cluster.members());
        }
        if (hardState.commitIndex() > snapshotIndex + log.size()) {
            // A store that lost acknowledged entries: starting would hide it (and this node might
            // then vote for a candidate missing committed entries). The driver names the store.
            throw new IllegalStateException("the stored commit index " + hardState.commitIndex()
                    + " is above the last index " + (snapshotIndex + log.size())
                    + " of the stored log: entries this node knew to be committed are missing");
        }
        this.self = self;
        this.config = config;
        this.outbox = new Outbox(hardState.term());
        this.log = new RaftLog(snapshotIndex, snapshotTerm, log, config.logCacheEntries(), config.logCacheBytes());
        this.cluster = cluster;
        this.quorum = Quorum.of(cluster);
        this.peers = cluster.members().stream().filter(id -> !id.equals(self)).toList();
        this.election = new Election(this, random);
        this.reads = new LinearizableReads(self, () -> quorum, this.log, outbox);
        this.snapshots = new Snapshots(this, snapshotChunkBytes, snapshot);
        this.replication = new Replication(this);
        // Thesis §4.1: the newest configuration in the log rules, over the snapshot's, over the one
        // the node was started with (which only a fresh node's empty log leaves in force).
        this.membership = new Membership(this, snapshot == null
                ? new ConfigurationLog(cluster, snapshotIndex, log)
                : new ConfigurationLog(snapshot.config(), snapshot.lastIncludedIndex(), log));
        membership.changed();
        long restored = snapshot == null ? snapshotIndex : Math.max(snapshotIndex, snapshot.lastIncludedIndex());
        if (restored > this.log.lastIndex() || this.log.term(restored) < 0) {
            throw new IllegalStateException("the snapshot at " + restored + " is not where the stored log ("
                    + this.log.firstIndex() + ".." + this.log.lastIndex() + ") holds it or ends");
        }
        this.term = hardState.term();
        this.votedFor = hardState.votedFor();
        // The stored commit index is a lower bound of what was committed.
        // The state machine holds the snapshot, so everything up to it is committed and applied.
        this.commitIndex = Math.max(hardState.commitIndex(), restored);
        this.appliedHandedOut = restored;
        this.handedOutHardState = hardState;
        election.resetElectionTimeout();
    }

    // ---------------------------------------------------------------- inputs

    /** One unit of logical time. Followers and candidates count toward an election; leaders toward a heartbeat. */
    public void tick() {
        ticks++;
        electionElapsed++;
        if (role == Role.LEADER) {
            tickLeader();
        } else if (election.isTimedOut() && membership.mayCampaign()) {
            election.campaign(false);
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        election.tickTransfer(); // thesis §3.10: abort a transfer that did not finish in an election timeout
        if (electionElapsed >= config.electionTimeoutMinTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum() && !election.quorumActive()) {
                election.becomeFollower(term, null); // CheckQuorum: a leader cut off from a majority steps down
                return;
            }
        }
        if (heartbeatElapsed >= config.heartbeatIntervalTicks()) {
            heartbeatElapsed = 0;
            replication.broadcastHeartbeat();
            snapshots.tick(progress, Math.max(5, 2L * config.heartbeatIntervalTicks()));
        }
    }

    /**
     * Handles one message from a peer. Messages not addressed to this node are ignored. Senders
     * outside this node's configuration are heard: while a change is under way a member that lags
     * behind it must still take entries and vote requests from a leader its log does not list yet
     * (votes and terms are safe whoever asks; PreVote and the leader lease keep removed nodes from
     * disrupting, thesis §4.2.3), and a leader ignores replies from nodes it has no progress for.
     */
    public void step(RaftMessage m) {
        if (!m.to().equals(self) || m.from().equals(self)) {
            return; // bad input from outside is not an invariant: ignore it
        }
        if (m.term() > term) {
            if (!election.acceptHigherTerm(m)) {
                return;
            }
        } else if (m.term() < term) {
            rejectStale(m);
            return;
        }
        switch (role) {
            case LEADER -> stepLeader(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            case FOLLOWER -> stepFollower(m);
            default -> throw new AssertionError("unhandled role " + role);
        }
    }

    private void rejectStale(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            // Tell a deposed leader the newer term so it steps down (with CheckQuorum and PreVote
            // it might otherwise never hear of it). The reply acknowledges no read round: it carries
            // this node's term, and should its sender lead that term by now (restarted, its rounds
            // counting from 0 again), an old round echoed here would confirm its new reads.
            long round = Mutant.isActive(Mutant.STALE_TERM_REJECTION_ACKS) ? ae.readRound() : 0;
            send(new AppendReply(self, m.from(), term, false, 0, 0, 0, round, ae.prevLogIndex()));
        } else if (m instanceof RequestVote rv && rv.preVote()) {
            send(new VoteReply(self, m.from(), term, false, true));
        } else if (m instanceof InstallSnapshot is) {
            // Figure 13: reply immediately if term < currentTerm; the newer term deposes the sender.
            send(new InstallSnapshotReply(self, m.from(), term, is.snapshot().id(), is.lastIncludedIndex(), 0, false));
        }
    }

    private void stepFollower(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            electionElapsed = 0;
            leader = m.from();
            replication.handleAppendEntries(ae);
        } else if (m instanceof RequestVote rv) {
            election.handleRequestVote(rv);
        } else if (m instanceof TimeoutNow) {
            if (m.from().equals(leader)) {
                election.campaign(true); // thesis §3.10: the leader hands over; skip PreVote
            }
        } else if (m instanceof ReadIndexReply reply) {
            reads.handleReadIndexReply(reply, leader);
        } else if (m instanceof ReadIndexRequest req) {
            reads.refuse(req, term);
        } else if (m instanceof InstallSnapshot is) {
            electionElapsed = 0;
            leader = m.from();
            snapshots.handleChunk(is);
        } else if (m instanceof VoteReply || m instanceof AppendReply || m instanceof ReadRoundAck
                || m instanceof InstallSnapshotReply) {
            return; // stale replies of an earlier role
        } else {
            throw new AssertionError("unhandled " + m);
        }
    }

    private void stepCandidate(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            election.becomeFollower(term, m.from()); // §5.2: a leader of this term exists
            replication.handleAppendEntries(ae);
        } else if (m instanceof InstallSnapshot is) {
            election.becomeFollower(term, m.from());
            snapshots.handleChunk(is);
        } else if (m instanceof VoteReply vr) {
            election.handleVoteReply(vr);
        } else if (m instanceof RequestVote rv) {
            election.handleRequestVote(rv);
        } else if (m instanceof ReadIndexRequest req) {
            reads.refuse(req, term);
        } else if (m instanceof TimeoutNow || m instanceof AppendReply || m instanceof ReadRoundAck
                || m instanceof ReadIndexReply || m instanceof InstallSnapshotReply) {
            return;
        } else {
            throw new AssertionError("unhandled " + m);
        }
    }

    private void stepLeader(RaftMessage m) {
        Progress pr = progress.get(m.from());
        if (pr != null) {
            pr.setRecentActive(true);
        }
        if (m instanceof AppendReply reply) {
            if (pr != null) {
                replication.handleAppendReply(pr, reply);
            }
        } else if (m instanceof ReadRoundAck ack) {
            reads.ack(ack.from(), ack.readRound());
            reads.confirmReads(term);
        } else if (m instanceof RequestVote rv) {
            election.handleRequestVote(rv);
        } else if (m instanceof ReadIndexRequest req) {
            reads.handleReadIndex(req.requestId(), req.from(), term, commitIndex);
        } else if (m instanceof InstallSnapshotReply reply) {
            if (pr != null) {
                snapshots.handleReply(pr, reply);
            }
        } else if (m instanceof AppendEntries || m instanceof InstallSnapshot) {
            throw new IllegalStateException("election safety violated: " + self + " and " + m.from()
                    + " are both leaders of term " + term);
        } else if (m instanceof VoteReply || m instanceof TimeoutNow || m instanceof ReadIndexReply) {
            return;
        } else {
            throw new AssertionError("unhandled " + m);
        }
    }

    /**
     * Appends {@code command} to the leader's log. It goes out with the next {@link #ready()}, together
     * with every other proposal made since: that is the batching.
     */
    public ProposeResult propose(byte[] command) {
        if (role != Role.LEADER) {
            return new ProposeResult.NotLeader(Optional.ofNullable(leader));
        }
        if (election.transferee() != null) {
            return new ProposeResult.Rejected("leadership is being transferred to " + election.transferee());
        }
        if (!cluster.isVoter(self)) {
            // Thesis §4.2.2: a leader that C(new) removes steps down once C(new) commits and then
            // hears nothing more; a command appended after C(new) may commit only under the next
            // leader, and this node could never tell its client (found by the simulator, seed 2147).
            return new ProposeResult.Rejected("this leader is leaving the cluster: the configuration it is"
                    + " committing does not include it");
        }
        LogEntry entry = LogEntry.command(log.lastIndex() + 1, term, command);
        log.append(entry);
        broadcastPending = true;
        return new ProposeResult.Accepted(entry.index(), term);
    }

    /**
     * Proposes a membership change to {@code next} (thesis §4.3): the leader appends C(old,new) (or,
     * when only learners change, C(new) at once); it takes effect here and on each follower as it is
     * appended, and once it commits the leader appends C(new) by itself. The change is done when
     * C(new) is committed. Refused, with the reason, while another change is in flight, before this
     * leader has committed an entry of its term, or when a new voter lags too far behind.
     */
    public ProposeResult proposeConfiguration(ClusterConfig next) {
        if (role != Role.LEADER) {
            return new ProposeResult.NotLeader(Optional.ofNullable(leader));
        }
        if (election.transferee() != null) {
            return new ProposeResult.Rejected("leadership is being transferred to " + election.transferee());
        }
        String refused = membership.propose(next);
        if (refused != null) {
            return new ProposeResult.Rejected(refused);
        }
        return new ProposeResult.Accepted(log.lastIndex(), term);
    }

    /** The index of the entry holding the configuration in effect (0 for the one the node started with). */
    public long configurationIndex() {
        return membership.configurations.currentIndex();
    }

    /** The configuration in force at {@code index} (at or after the log's compacted prefix): a snapshot's. */
    public ClusterConfig configurationAt(long index) {
        return membership.configurations.at(index);
    }

    /**
     * Registers a linearizable read; its outcome appears in a later Ready as a ReadState or
     * ReadFailure. {@code requestId} must be unique across this node's incarnations too: an answer
     * to a read forwarded before a restart can still arrive, and is matched by id.
     */
    public void readIndex(long requestId) {
        if (role == Role.LEADER) {
            reads.handleReadIndex(requestId, null, term, commitIndex);
        } else if (leader != null && role == Role.FOLLOWER) {
            reads.forward(requestId, leader, term);
        } else {
            reads.fail(requestId, leader);
        }
    }

    /** Starts leadership transfer to {@code target} (thesis §3.10). Ignored unless leader. */
    public void transferLeadership(NodeId target) {
        if (role != Role.LEADER || target.equals(self) || !cluster.isVoter(target)) {
            return;
        }
        election.transferLeadership(target);
    }

    // ---------------------------------------------------------------- output

    public boolean hasReady() {
        return broadcastPending || reads.needsHeartbeat() || !outbox.isEmpty()
                || !currentHardState().equals(handedOutHardState)
                || log.hasUnpersisted()
                || commitIndex > appliedHandedOut
                || snapshots.hasWork()
                || replication.hasReadsToAsk();
    }

    public Ready ready() {
        flushBroadcasts();
        HardState hardState = currentHardState();
        List<LogEntry> committed = log.slice(appliedHandedOut + 1, commitIndex, Integer.MAX_VALUE, Long.MAX_VALUE);
        Ready ready = new Ready(
                hardState.equals(handedOutHardState) ? null : hardState,
                log.takeUnpersisted(),
                outbox.takeBeforePersist(),
                outbox.takeAfterPersist(),
                committed,
                outbox.takeReadStates(),
                outbox.takeReadFailures(),
                snapshots.takeToSend(),
                snapshots.takeReceived(),
                snapshots.takeToRestore(),
                replication.takeReadsToAsk());
        appliedHandedOut = commitIndex;
        handedOutHardState = hardState;
        log.evict(appliedHandedOut); // handed to the driver to apply: only a cache of them stays (issue 16)
        return ready;
    }

    /**
     * The driver did everything {@code done} asked: entries and hard state are durable. A driver
     * that persists in the background may take further Readys first, but advances them in order.
     */
    public void advance(Ready done) {
        if (done.hardState() != null) {
            outbox.termDurable(done.hardState().term());
        }
        if (!done.entries().isEmpty()) {
            LogEntry last = done.entries().get(done.entries().size() - 1);
            log.stableTo(last.index(), last.term());
            log.evict(appliedHandedOut);
            if (role == Role.LEADER) {
                maybeCommit(); // thesis §10.2.1: the leader counts itself once its own write is durable
            }
        }
    }

    private HardState currentHardState() {
        // commitIndex is saved only alongside a term or vote change: saving it on every commit would
        // cost a disk write per Ready, and a stale stored commit index is merely a lower bound.
        if (handedOutHardState.term() == term && java.util.Objects.equals(handedOutHardState.votedFor(), votedFor)) {
            return handedOutHardState;
        }
        return new HardState(term, votedFor, commitIndex);
    }

    private void flushBroadcasts() {
        if (role != Role.LEADER) {
            broadcastPending = false;
            return;
        }
        boolean readRound = reads.needsHeartbeat();
        if (broadcastPending) {
            broadcastPending = false;
            if (readRound) {
                replication.broadcastAppendsCarryingReadRound();
            } else {
                for (NodeId peer : peers) {
                    replication.sendAppend(peer, progress.get(peer));
                }
            }
        } else if (readRound) {
            replication.broadcastHeartbeat();
        }
    }

    /**
     * The driver read {@code entries} from the LogStore for {@code read}, a request of an earlier
     * Ready; they are sent if they are still what the follower needs (see {@link LogRead}).
     */
    public void entriesRead(LogRead read, java.util.List<LogEntry> entries) {
        replication.entriesRead(read, entries);
    }

    /** Bytes of the log's entries held in memory: those not yet durable or applied, and the cache. */
    public long logMemoryBytes() {
        return log.memoryBytes();
    }

    /** Entries of the log held in memory. */
    public long logEntriesInMemory() {
        return log.entriesInMemory();
    }

    // ---------------------------------------------------------------- snapshots (§7)

    /** A snapshot this node took became durable: followers needing it from now on get this one. */
    public void snapshotTaken(SnapshotMeta meta) {
        snapshots.durable(meta);
    }

    /** The newest durable snapshot this node knows of, if any. */
    public Optional<SnapshotMeta> latestSnapshot() {
        return Optional.ofNullable(snapshots.latest());
    }

    /**
     * Drops entries up to {@code index} from memory: the driver compacted the LogStore there, after
     * a durable snapshot covered them. Bounded by the durable log and by the newest snapshot.
     * Returns the payload bytes dropped.
     */
    public long compact(long index) {
        SnapshotMeta latest = snapshots.latest();
        long bound = Math.min(log.stableIndex(), latest == null ? 0 : latest.lastIncludedIndex());
        long to = Math.min(index, bound);
        long dropped = log.compact(to);
        membership.configurations.compacted(log.snapshotIndex());
        return dropped;
    }

    /** The driver wrote the follower's InstallSnapshot {@code chunk}; the receiver holds {@code nextOffset} bytes. */
    public void snapshotChunkWritten(InstallSnapshot chunk, long nextOffset) {
        snapshots.chunkWritten(chunk, nextOffset);
    }

    /** The driver installed the snapshot {@code chunk} completed; it is durable in the SnapshotStore. */
    public void snapshotInstalled(InstallSnapshot chunk, SnapshotMeta meta) {
        snapshots.installed(chunk, meta);
    }

    /** The driver could not read snapshot {@code id} for {@code peer} (its store deleted it, or it is damaged). */
    public void snapshotUnreadable(NodeId peer, String id) {
        Progress pr = progress.get(peer);
        if (role == Role.LEADER && pr != null) {
            snapshots.unreadable(pr, id);
        }
    }

    /** Snapshots this node sent as leader that followers installed. */
    public long snapshotInstallsSent() {
        return snapshots.installsSent();
    }

    long ticks() {
        return ticks;
    }

    boolean termDurable() {
        return outbox.isTermDurable(term);
    }

    /** Entries up to {@code index} are known committed (a snapshot covers them, and the log matches there). */
    void commitTo(long index) {
        commitIndex = Math.max(commitIndex, index);
    }

    /** The log was replaced by a snapshot ending at {@code index}: the state machine gets that state. */
    void restoredTo(long index) {
        commitIndex = Math.max(commitIndex, index);
        appliedHandedOut = index;
    }

    // ---------------------------------------------------------------- state

    public NodeId id() {
        return self;
    }

    public Role role() {
        return role;
    }

    public long term() {
        return term;
    }

    public Optional<NodeId> leader() {
        return Optional.ofNullable(leader);
    }

    public long commitIndex() {
        return commitIndex;
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long lastTerm() {
        return log.lastTerm();
    }

    /** The term of the entry at {@code index} (0 beyond the log, -1 if compacted). */
    public long termAt(long index) {
        return log.term(index);
    }

    /** The entry at {@code index}, which must be in the log's memory (not evicted). For checkers and tests. */
    public LogEntry entryAt(long index) {
        return log.entry(index);
    }

    public long firstIndex() {
        return log.firstIndex();
    }

    public Optional<NodeId> votedFor() {
        return Optional.ofNullable(votedFor);
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    /**
     * The leader's matchIndex for each member it replicates to (§5.3), and its own durable last index
     * for itself; empty unless this node leads. For operators watching a learner catch up.
     */
    public java.util.Map<NodeId, Long> matchIndexes() {
        if (role != Role.LEADER) {
            return java.util.Map.of();
        }
        TreeMap<NodeId, Long> out = new TreeMap<>();
        progress.forEach((id, pr) -> out.put(id, pr.matchIndex()));
        out.put(self, log.stableIndex());
        return out;
    }

    @Override
    public String toString() {
        return self + "[" + role + " term=" + term + " commit=" + commitIndex + " last=" + log.lastIndex() + "]";
    }

    // ---------------------------------------------------------------- replication (§5.3)

    void maybeCommit() {
        Quorum counted = Mutant.isActive(Mutant.JOINT_COMMITS_WITH_NEW_MAJORITY) ? new Majority(cluster.voters()) : quorum;
        // A leader that a change removes counts only the others (thesis §4.2.2); learners never count.
        long candidate = counted.committedIndex(id -> id.equals(self) ? log.stableIndex() : progress.get(id).matchIndex());
        // §5.4.2: only entries of the current term are committed by counting replicas.
        if (candidate > commitIndex && log.term(candidate) == term) {
            commitIndex = candidate;
            broadcastPending = true; // followers learn the new commit index promptly
            reads.releaseReadsAwaitingNoOp(term, commitIndex);
            reads.confirmReads(term);
            membership.committed();
        }
    }

    void send(RaftMessage m) {
        outbox.add(m);
    }
}
