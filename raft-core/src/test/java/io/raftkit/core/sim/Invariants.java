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

    private final Violations violations;
    private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();
    /** Every (index, term) ever written to any disk, with its content and the term before it. */
    private final Map<Long, Map<Long, long[]>> written = new HashMap<>();
    private long[] appliedHash = new long[1024];
    private boolean[] applied = new boolean[1024];
    /** The term of the entry at each index once any node counted it committed (0: not yet). */
    private long[] committedTerm = new long[1024];
    /**
     * The lowest term in which a node counted each index committed: the term it was committed in
     * (a leader that counted it), or a later one if only followers were seen to count it.
     */
    private long[] commitTerm = new long[1024];
    private long committedMax;

    Invariants(Violations violations) {
        this.violations = violations;
    }

    /** The lowest term any node led, 0 before the first election. */
    long firstLeaderTerm() {
        return leaderOfTerm.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
    }

    private SafetyViolation fail(String property, String detail) {
        return violations.record(new SafetyViolation(property, detail));
    }

    /**
     * Election Safety: at most one leader can be elected in a given term. A leader counts once its
     * term is on its disk ({@code durableTerm}): a lone voter leads at once, in memory, and until its
     * term is durable it has sent nothing (the Outbox holds its messages) and committed nothing (it
     * counts its own entries once the Ready's write, hard state included, is done). A crash then
     * erases that leadership, and after a restart in its old term it may vote for another candidate
     * of the same term (seed 1578 of 2,000 with membership changes: the lone voter of C(new)={n3} won
     * term 45 in memory, crashed, and voted for n6, removed by that C(new) and campaigning). Had its
     * no-op reached the disk, its newer log would have refused that vote.
     */
    void checkLeader(RaftNode node, long durableTerm) {
        if (node.role() != Role.LEADER || durableTerm < node.term()) {
            return;
        }
        NodeId previous = leaderOfTerm.putIfAbsent(node.term(), node.id());
        if (previous == null) {
            checkLeaderCompleteness(node);
        } else if (!previous.equals(node.id())) {
            throw fail("election safety", previous + " and " + node.id() + " both led term " + node.term());
        }
    }

    /**
     * Leader Completeness: a new leader's log holds every entry committed in earlier terms, where
     * committed means some node's commit index covered it (§5.4: once a leader counts an entry
     * committed, it is in the log of every later leader), whether or not anyone applied it yet.
     * A leader of an older term elected late (a candidate that stalled, then won its old term)
     * need not hold what newer terms committed.
     */
    private void checkLeaderCompleteness(RaftNode leader) {
        for (long i = Math.max(1, leader.firstIndex()); i <= committedMax; i++) {
            if (commitTerm[(int) i] < leader.term() && leader.termAt(i) != committedTerm[(int) i]) {
                throw fail("leader completeness", leader.id() + " leads term " + leader.term()
                        + " without committed entry " + i + "@" + committedTerm[(int) i]
                        + " (its term there: " + leader.termAt(i) + ", last index " + leader.lastIndex() + ")");
            }
        }
    }

    /**
     * Log Matching: entries with the same index and term hold the same command, and the logs agree
     * on everything before them (checked by induction: the same term precedes them).
     */
    void checkWritten(NodeId node, LogEntry e, long prevTerm) {
        long[] fingerprint = {e.kind().code(), Arrays.hashCode(e.payload()), prevTerm};
        long[] seen = written.computeIfAbsent(e.index(), k -> new HashMap<>()).putIfAbsent(e.term(), fingerprint);
        if (seen != null && !Arrays.equals(seen, fingerprint)) {
            throw fail("log matching", node + " wrote entry " + e.index() + "@" + e.term()
                    + " with content/previous term " + Arrays.toString(fingerprint)
                    + " but another node wrote " + Arrays.toString(seen));
        }
    }

    /** State Machine Safety: no two nodes apply different commands at one index. */
    void checkApplied(NodeId node, long index, byte[] command) {
        int i = (int) index;
        if (i >= applied.length) {
            applied = Arrays.copyOf(applied, i * 2);
            appliedHash = Arrays.copyOf(appliedHash, i * 2);
        }
        long hash = Arrays.hashCode(command);
        if (applied[i] && appliedHash[i] != hash) {
            throw fail("state machine safety", node + " applied a command at " + i + " that differs from the one another node applied there");
        }
        applied[i] = true;
        appliedHash[i] = hash;
    }

    /**
     * The commit index of one incarnation never goes backwards, and every entry a node counts
     * committed is the one every other node counted committed at that index (§5.4.3).
     */
    void checkCommit(SimNode sim, RaftNode node) {
        long commit = node.commitIndex();
        if (commit < sim.lastSeenCommit) {
            throw fail("commit index monotonic", sim.id + " commit index went from " + sim.lastSeenCommit + " to " + commit);
        }
        // Entries a snapshot replaced are gone from the log (term -1): the state digest checks those.
        for (long i = Math.max(sim.lastSeenCommit + 1, node.firstIndex() - 1); i <= commit; i++) {
            recordCommitted(sim.id, i, node.termAt(i), node.term());
        }
        sim.lastSeenCommit = commit;
    }

    /**
     * A restarted node starts from at least the commit index its disk holds: what it durably knew
     * committed is never forgotten across a crash.
     */
    void checkRestart(SimNode sim, RaftNode node, long durableCommit) {
        long commit = node.commitIndex();
        if (commit < durableCommit) {
            throw fail("commit index monotonic", sim.id + " restarted with commit index " + commit
                    + " below the " + durableCommit + " its disk holds");
        }
        for (long i = Math.max(1, node.firstIndex() - 1); i <= commit; i++) {
            recordCommitted(sim.id, i, node.termAt(i), node.term());
        }
        sim.lastSeenCommit = commit;
    }

    private void recordCommitted(NodeId node, long index, long term, long nodeTerm) {
        int i = (int) index;
        if (i >= committedTerm.length) {
            committedTerm = Arrays.copyOf(committedTerm, Math.max(i * 2, committedTerm.length * 2));
            commitTerm = Arrays.copyOf(commitTerm, committedTerm.length);
        }
        if (committedTerm[i] == 0) {
            committedTerm[i] = term;
            commitTerm[i] = nodeTerm;
            committedMax = Math.max(committedMax, i);
        } else if (committedTerm[i] == term) {
            commitTerm[i] = Math.min(commitTerm[i], nodeTerm);
        } else if (committedTerm[i] != term) {
            throw fail("state machine safety", node + " counts entry " + index + "@" + term
                    + " committed where another node counted " + index + "@" + committedTerm[i] + " committed");
        }
    }

    private final Map<Long, long[]> digests = new HashMap<>();

    /**
     * Replicas whose state machines stand at the same applied command hold the same state: a
     * snapshot taken, sent, installed or restored in a different state than the log's would differ.
     */
    void checkDigest(NodeId node, long lastCommand, long digest, String how) {
        long[] seen = digests.putIfAbsent(lastCommand, new long[] {digest});
        if (seen != null && seen[0] != digest) {
            throw fail("state digest", node + " " + how + " holds state " + Long.toHexString(digest) + " at command "
                    + lastCommand + " where another replica held " + Long.toHexString(seen[0]));
        }
    }

    long committedUpTo() {
        return committedMax;
    }
}
