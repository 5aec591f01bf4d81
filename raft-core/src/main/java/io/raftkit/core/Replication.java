package io.raftkit.core;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.core.progress.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Log replication (§5.3): a leader's side, what it sends each follower from its progress and what
 * it learns from the replies; and a follower's, the consistency check and the append. Part of
 * {@link RaftNode}, split out to keep each file small.
 */
final class Replication {

    private final RaftNode node;
    /** The newest LogStore read asked for each follower, until answered (issue 16). */
    private final TreeMap<NodeId, LogRead> pendingReads = new TreeMap<>();
    /**
     * Per follower, the entries the last accepted read returned (at most one AppendEntries' bytes,
     * maxBytesPerAppend): a read fetches that much at once, so a follower catching up with small
     * batches is served many messages per disk read, not one (found by seed 2274: with batches of one
     * entry, one message in flight and a cache of one, a follower caught up one entry per disk latency
     * and a read at it timed out after healing).
     */
    private final TreeMap<NodeId, List<LogEntry>> readBack = new TreeMap<>();
    private List<LogRead> readsToAsk = new ArrayList<>();
    private long lastReadId;

    Replication(RaftNode node) {
        this.node = node;
    }

    void handleAppendReply(Progress pr, AppendReply reply) {
        node.reads.ack(reply.from(), reply.readRound());
        if (Mutant.isActive(Mutant.STALE_REPLIES_TRUSTED)) {
            handleAppendReplyTrustingStale(pr, reply);
        } else if (reply.success()) {
            if (pr.maybeUpdate(reply.matchIndex())) {
                if (pr.state() == Progress.State.PROBE
                        || (pr.state() == Progress.State.SNAPSHOT && pr.matchIndex() >= node.log.snapshotIndex())) {
                    pr.becomeReplicate(); // the probe matched (or the follower caught up otherwise): stream from here on
                }
                followerAdvanced(reply.from(), pr);
            }
        } else if (pr.maybeDecrTo(reply.prevLogIndex(), nextAfterRejection(reply))) {
            sendAppend(reply.from(), pr);
        }
        node.reads.confirmReads(node.term);
    }

    /** §5.3 fast backtracking: skip the follower's whole conflicting term in one round trip. */
    private long nextAfterRejection(AppendReply reply) {
        if (reply.conflictTerm() == 0) {
            return reply.conflictIndex(); // the follower's log ends before prevLogIndex
        }
        long last = node.log.lastIndexOfTerm(reply.conflictTerm());
        long next = last > 0 ? last + 1 : reply.conflictIndex();
        return Math.min(Math.max(next, 1), node.log.lastIndex() + 1);
    }

    /**
     * {@code peer}'s matchIndex moved up (an AppendReply, or an install reply while it streams):
     * count the commit, let a leadership transfer waiting for it go on, and send what follows;
     * nothing else will, since the acknowledgement freed what was in flight.
     */
    void followerAdvanced(NodeId peer, Progress pr) {
        node.maybeCommit();
        node.election.maybeSendTimeoutNow(peer, pr.matchIndex());
        if (pr.nextIndex() <= node.log.lastIndex()) {
            sendAppend(peer, pr);
        }
    }

    /** {@link Mutant#STALE_REPLIES_TRUSTED}: the reply handling this node had before issue 15. */
    private void handleAppendReplyTrustingStale(Progress pr, AppendReply reply) {
        if (reply.success()) {
            boolean updated = pr.maybeUpdate(reply.matchIndex());
            if (pr.state() == Progress.State.PROBE && pr.matchIndex() >= pr.nextIndex() - 1) {
                pr.becomeReplicate();
            }
            if (updated) {
                node.maybeCommit();
                node.election.maybeSendTimeoutNow(reply.from(), pr.matchIndex());
            } else if (pr.isInflightFull() && pr.matchIndex() < node.log.lastIndex()) {
                pr.becomeProbe(pr.matchIndex() + 1);
            }
            if (pr.nextIndex() <= node.log.lastIndex() && !pr.isPaused()) {
                sendAppend(reply.from(), pr);
            }
        } else {
            long hint = nextAfterRejection(reply);
            pr.becomeProbe(reply.conflictTerm() == 0 ? Math.min(pr.nextIndex(), hint) : hint);
            sendAppend(reply.from(), pr);
        }
    }

    /** Sends {@code peer} what it needs next; returns whether an AppendEntries left (it carries the read round). */
    boolean sendAppend(NodeId peer, Progress pr) {
        if (pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.nextIndex() - 1;
        if (prevIndex < node.log.snapshotIndex()) {
            node.snapshots.start(peer, pr); // §7: the entries it needs were compacted away
            return false;
        }
        if (pr.nextIndex() < node.log.firstInMemory()) {
            List<LogEntry> read = fromReadBack(peer, pr.nextIndex());
            if (read == null) {
                askStore(peer, pr); // evicted: the driver reads them back from the LogStore
                return false;
            }
            sendEntries(peer, pr, prevIndex, read);
            return true;
        }
        List<LogEntry> entries = node.log.slice(pr.nextIndex(), node.log.lastIndex(),
                node.config.maxEntriesPerAppend(), node.config.maxBytesPerAppend());
        sendEntries(peer, pr, prevIndex, entries);
        return true;
    }

    private void sendEntries(NodeId peer, Progress pr, long prevIndex, List<LogEntry> entries) {
        long bytes = 0;
        for (LogEntry e : entries) {
            bytes += e.sizeInBytes();
        }
        node.send(new AppendEntries(node.self, peer, node.term, prevIndex, node.log.term(prevIndex), entries,
                node.commitIndex(), node.reads.carryRound()));
        pr.sent(prevIndex + entries.size(), bytes, node.ticks());
    }

    /**
     * One AppendEntries' worth from the entries read back for {@code peer}, from {@code from}; null
     * when they do not hold it or no longer match the log (then they are dropped).
     */
    private List<LogEntry> fromReadBack(NodeId peer, long from) {
        List<LogEntry> buffered = readBack.get(peer);
        if (buffered == null) {
            return null;
        }
        long offset = from - buffered.get(0).index();
        if (offset < 0 || offset >= buffered.size()) {
            readBack.remove(peer);
            return null;
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (int i = (int) offset; i < buffered.size() && out.size() < node.config.maxEntriesPerAppend(); i++) {
            LogEntry e = buffered.get(i);
            if (!node.log.matchTerm(e.index(), e.term())) {
                readBack.remove(peer); // compacted or reset since the read: not this log's entries any more
                return null;
            }
            bytes += e.sizeInBytes();
            if (bytes > node.config.maxBytesPerAppend() && !out.isEmpty()) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Asks the driver for the evicted entries from the follower's next index on, unless that read is under way. */
    private void askStore(NodeId peer, Progress pr) {
        LogRead pending = pendingReads.get(peer);
        if (pending != null && pending.term() == node.term && pending.from() == pr.nextIndex()) {
            return; // asked already: sending it again on every trigger would queue reads without end
        }
        long to = node.log.firstInMemory() - 1; // as many as one AppendEntries' bytes allow
        LogRead read = new LogRead(++lastReadId, peer, node.term, pr.nextIndex(), to, node.config.maxBytesPerAppend());
        pendingReads.put(peer, read);
        readsToAsk.add(read);
    }

    boolean hasReadsToAsk() {
        return !readsToAsk.isEmpty();
    }

    List<LogRead> takeReadsToAsk() {
        if (readsToAsk.isEmpty()) {
            return List.of();
        }
        List<LogRead> out = readsToAsk;
        readsToAsk = new ArrayList<>();
        return out;
    }

    /**
     * The driver read {@code entries} for {@code read}. They go to the follower only if this is the
     * newest read asked for it, in this term, as leader, the follower still needs exactly them, and
     * every entry is this log's at its index (the store may have been compacted, or the log reset by
     * an installed snapshot, since); otherwise the answer is dropped and the follower served afresh.
     */
    void entriesRead(LogRead read, List<LogEntry> entries) {
        boolean trusted = Mutant.isActive(Mutant.LOG_READ_ANSWER_TRUSTED);
        LogRead pending = pendingReads.get(read.peer());
        if (!trusted && (pending == null || pending.id() != read.id())) {
            return; // overtaken by a newer read for the same follower
        }
        if (pending != null && pending.id() == read.id()) {
            pendingReads.remove(read.peer());
        }
        Progress pr = node.progress.get(read.peer());
        if (node.role != Role.LEADER || pr == null || (!trusted && read.term() != node.term)) {
            return;
        }
        if (trusted ? !entries.isEmpty() && !pr.isPaused() : answers(read, entries, pr)) {
            readBack.put(read.peer(), List.copyOf(entries));
            if (trusted) {
                sendEntries(read.peer(), pr, read.from() - 1, entries);
            } else {
                sendAppend(read.peer(), pr);
            }
        } else if (!pr.isPaused()) {
            sendAppend(read.peer(), pr);
        }
    }

    private boolean answers(LogRead read, List<LogEntry> entries, Progress pr) {
        if (entries.isEmpty() || pr.isPaused() || pr.nextIndex() != read.from() || read.from() - 1 < node.log.snapshotIndex()) {
            return false;
        }
        long index = read.from();
        for (LogEntry e : entries) {
            if (e.index() != index || !node.log.matchTerm(index, e.term())) {
                return false;
            }
            index++;
        }
        return true;
    }

    /**
     * Heartbeats carry the commit index and the read round, anchored at the follower's matchIndex:
     * the follower holds that, so a heartbeat is never rejected, and one that overtakes the
     * AppendEntries streamed after it causes no churn. An AppendEntries unacknowledged for two
     * heartbeat intervals is taken as lost (or its reply lost), and the follower is probed again;
     * without that, a follower that missed the last append of a burst would wait for the next
     * proposal. A probing follower also gets its next probe.
     */
    void broadcastHeartbeat() {
        node.reads.heartbeatSent();
        for (NodeId peer : node.peers) {
            heartbeat(peer, node.progress.get(peer));
        }
    }

    /**
     * The leader's broadcast of new entries or a new commit index while a read round waits to go
     * out: each AppendEntries carries the round, so only the peers that get none (paused, or sent a
     * snapshot or a store read instead) get a heartbeat. Without this a busy leader sent both to
     * every follower in the same turn; with 90 % reads, a third of the messages to each follower.
     */
    void broadcastAppendsCarryingReadRound() {
        node.reads.heartbeatSent();
        for (NodeId peer : node.peers) {
            Progress pr = node.progress.get(peer);
            if (!sendAppend(peer, pr)) {
                heartbeat(peer, pr);
            }
        }
    }

    private void heartbeat(NodeId peer, Progress pr) {
        boolean oldAnchoring = Mutant.isActive(Mutant.STALE_REPLIES_TRUSTED);
        if (!oldAnchoring && pr.unacknowledgedSince(node.ticks() - 2L * node.config.heartbeatIntervalTicks())) {
            pr.becomeProbe(pr.matchIndex() + 1);
        }
        long prev = oldAnchoring && pr.state() == Progress.State.REPLICATE ? pr.nextIndex() - 1 : pr.matchIndex();
        if (node.log.term(prev) < 0) {
            prev = 0; // compacted here: anchor before the first entry, where every log matches
        }
        node.send(new AppendEntries(node.self, peer, node.term, prev, node.log.term(prev), List.of(),
                Math.min(node.commitIndex(), prev), node.reads.carryRound()));
        if (pr.state() == Progress.State.PROBE) {
            pr.resumeProbe();
            sendAppend(peer, pr);
        }
    }

    /** A follower's side (§5.3): the consistency check, the append, the commit index, the reply. */
    void handleAppendEntries(AppendEntries ae) {
        appendEntries(ae);
        if (node.log.stableIndex() < node.log.lastIndex()) {
            // The AppendReply waits for those entries to be durable; the read round need not.
            node.reads.acknowledgeRound(ae.from(), node.term, ae.readRound());
        }
    }

    private void appendEntries(AppendEntries ae) {
        if (ae.prevLogIndex() < node.commitIndex()) {
            // Reordered or duplicated: everything up to our commit index already matches (§5.4).
            long matched = Math.max(node.commitIndex(), Math.min(ae.lastIndex(), node.commitIndex()));
            if (ae.lastIndex() > node.commitIndex() && !ae.entries().isEmpty()) {
                List<LogEntry> tail = ae.entries().subList((int) (node.commitIndex() - ae.prevLogIndex()), ae.entries().size());
                matched = node.log.appendFromLeader(node.commitIndex(), tail, node.commitIndex());
                node.membership.replaced(node.commitIndex(), tail);
            }
            advanceFollowerCommit(ae.leaderCommit(), matched);
            node.send(new AppendReply(node.self, ae.from(), node.term, true, matched, 0, 0, ae.readRound(), ae.prevLogIndex()));
            return;
        }
        if (!node.log.matchTerm(ae.prevLogIndex(), ae.prevLogTerm())) {
            long conflictTerm;
            long conflictIndex;
            if (ae.prevLogIndex() > node.log.lastIndex()) {
                conflictTerm = 0;
                conflictIndex = node.log.lastIndex() + 1;
            } else {
                conflictTerm = node.log.term(ae.prevLogIndex());
                conflictIndex = node.log.firstIndexOfTerm(ae.prevLogIndex(), conflictTerm);
            }
            node.send(new AppendReply(node.self, ae.from(), node.term, false, 0, conflictTerm, conflictIndex, ae.readRound(),
                    ae.prevLogIndex()));
            return;
        }
        long lastNew = node.log.appendFromLeader(ae.prevLogIndex(), ae.entries(), node.commitIndex());
        node.membership.replaced(ae.prevLogIndex(), ae.entries());
        advanceFollowerCommit(ae.leaderCommit(), lastNew);
        node.send(new AppendReply(node.self, ae.from(), node.term, true, lastNew, 0, 0, ae.readRound(), ae.prevLogIndex()));
    }

    private void advanceFollowerCommit(long leaderCommit, long lastNew) {
        // Figure 2: commitIndex = min(leaderCommit, index of last new entry)
        long candidate = Math.min(leaderCommit, lastNew);
        node.commitTo(candidate);
    }
}
