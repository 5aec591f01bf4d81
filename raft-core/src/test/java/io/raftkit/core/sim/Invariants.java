package io.raftkit.core.sim;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Role;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The safety properties of Raft (Figure 3 of the paper), checked as the simulation runs. Each check
 * is fed by the event that could break it, so after every step all of them hold.
 */
final class Invariants {

    private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();
    /** Every (index, term) ever written to any disk, with its content and the term before it. */
    private final Map<Long, Map<Long, long[]>> written = new HashMap<>();
    private long[] appliedTerm = new long[1024];
    private long[] appliedHash = new long[1024];
    private long appliedMax;
    /** The term of the entry at each index once any node counted it committed (0: not yet). */
    private long[] committedTerm = new long[1024];
    private long committedMax;

    /** Election Safety: at most one leader can be elected in a given term. */
    void checkLeader(RaftNode node) {
        if (node.role() != Role.LEADER) {
            return;
        }
        NodeId previous = leaderOfTerm.putIfAbsent(node.term(), node.id());
        if (previous == null) {
            checkLeaderCompleteness(node);
        } else if (!previous.equals(node.id())) {
            throw new SafetyViolation("election safety", previous + " and " + node.id() + " both led term " + node.term());
        }
    }

    /**
     * Leader Completeness: a new leader's log holds every entry committed in earlier terms, where
     * committed means some node's commit index covered it (§5.4: once a leader counts an entry
     * committed, it is in the log of every later leader), whether or not anyone applied it yet.
     */
    private void checkLeaderCompleteness(RaftNode leader) {
        for (long i = Math.max(1, leader.firstIndex()); i <= committedMax; i++) {
            if (leader.termAt(i) != committedTerm[(int) i]) {
                throw new SafetyViolation("leader completeness", leader.id() + " leads term " + leader.term()
                        + " without committed entry " + i + "@" + committedTerm[(int) i]
                        + " (its term there: " + leader.termAt(i) + ", last index " + leader.lastIndex() + ")");
            }
        }
    }

    /**
     * Log Matching: entries with the same index and term hold the same command, and the logs agree
     * on everything before them (checked by induction: the same term precedes them).
     */
    void checkWritten(RaftNode node, LogEntry e) {
        long prevTerm = e.index() == 1 ? 0 : node.termAt(e.index() - 1);
        long[] fingerprint = {e.kind().code(), Arrays.hashCode(e.payload()), prevTerm};
        long[] seen = written.computeIfAbsent(e.index(), k -> new HashMap<>()).putIfAbsent(e.term(), fingerprint);
        if (seen != null && !Arrays.equals(seen, fingerprint)) {
            throw new SafetyViolation("log matching", node.id() + " wrote entry " + e.index() + "@" + e.term()
                    + " with content/previous term " + Arrays.toString(fingerprint)
                    + " but another node wrote " + Arrays.toString(seen));
        }
    }

    /** State Machine Safety: no two nodes apply different entries at one index. */
    void checkApplied(NodeId node, LogEntry e) {
        int i = (int) e.index();
        if (i >= appliedTerm.length) {
            appliedTerm = Arrays.copyOf(appliedTerm, i * 2);
            appliedHash = Arrays.copyOf(appliedHash, i * 2);
        }
        long hash = Arrays.hashCode(e.payload()) * 31L + e.kind().code();
        if (i <= appliedMax && appliedTerm[i] != 0) {
            if (appliedTerm[i] != e.term() || appliedHash[i] != hash) {
                throw new SafetyViolation("state machine safety", node + " applied " + e + " at " + i
                        + " where another node applied term " + appliedTerm[i]);
            }
            return;
        }
        appliedTerm[i] = e.term();
        appliedHash[i] = hash;
        appliedMax = Math.max(appliedMax, i);
    }

    /**
     * The commit index of one incarnation never goes backwards, and every entry a node counts
     * committed is the one every other node counted committed at that index (§5.4.3).
     */
    void checkCommit(SimNode node) {
        long commit = node.raft.commitIndex();
        if (commit < node.lastSeenCommit) {
            throw new SafetyViolation("commit index monotonic", node.id + " commit index went from "
                    + node.lastSeenCommit + " to " + commit);
        }
        for (long i = node.lastSeenCommit + 1; i <= commit; i++) {
            recordCommitted(node.id, i, node.raft.termAt(i));
        }
        node.lastSeenCommit = commit;
    }

    /**
     * A restarted node starts from at least the commit index its disk holds: what it durably knew
     * committed is never forgotten across a crash.
     */
    void checkRestart(SimNode node, long durableCommit) {
        long commit = node.raft.commitIndex();
        if (commit < durableCommit) {
            throw new SafetyViolation("commit index monotonic", node.id + " restarted with commit index " + commit
                    + " below the " + durableCommit + " its disk holds");
        }
        for (long i = 1; i <= commit; i++) {
            recordCommitted(node.id, i, node.raft.termAt(i));
        }
        node.lastSeenCommit = commit;
    }

    private void recordCommitted(NodeId node, long index, long term) {
        int i = (int) index;
        if (i >= committedTerm.length) {
            committedTerm = Arrays.copyOf(committedTerm, Math.max(i * 2, committedTerm.length * 2));
        }
        if (committedTerm[i] == 0) {
            committedTerm[i] = term;
            committedMax = Math.max(committedMax, i);
        } else if (committedTerm[i] != term) {
            throw new SafetyViolation("state machine safety", node + " counts entry " + index + "@" + term
                    + " committed where another node counted " + index + "@" + committedTerm[i] + " committed");
        }
    }

    long committedUpTo() {
        return committedMax;
    }
}
