package io.raftkit.core.sim;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RaftMessage;
import java.util.TreeMap;

/**
 * A bound on how many messages a node sends per simulated second, relative to the work it was
 * given: a storm (replies that each trigger another send, growing without new work) passes every
 * safety check, so only a budget catches it. The work of a second is its ticks (heartbeats,
 * elections) and the client requests made anywhere in the cluster (each may need a round of
 * AppendEntries), at {@link #MESSAGES_PER_UNIT} messages per peer per unit; and the entries that
 * reached some node's disk (a follower catching up gets them one AppendEntries at a time when
 * batches are small), at {@link #MESSAGES_PER_ENTRY} each. Re-sending what a follower already
 * holds writes nothing, so a storm earns no budget.
 */
final class MessageBudget {

    private static final long WINDOW_NANOS = 1_000_000_000L;
    /** Ticks in one window: every node may send a little on each tick. */
    private static final long TICKS_PER_WINDOW = WINDOW_NANOS / (SimCluster.TICK_MILLIS * 1_000_000L);
    /** Set from measurements of correct runs (docs/testing.md): far above them, far below a storm. */
    static final long MESSAGES_PER_UNIT = 4;
    static final long MESSAGES_PER_ENTRY = 2;

    private final int peers;
    private final Violations violations;
    private final TreeMap<NodeId, long[]> sent = new TreeMap<>();
    private long windowStart;
    private long requests;
    private long entriesWritten;
    /** The highest messages-per-unit ratio any node reached in any window (for calibration). */
    double worstRatio;

    MessageBudget(int peers, Violations violations) {
        this.peers = Math.max(1, peers);
        this.violations = violations;
    }

    void countSent(RaftMessage m) {
        long[] c = sent.computeIfAbsent(m.from(), k -> new long[2]);
        c[0]++;
        if (m instanceof AppendEntries) {
            c[1]++;
        }
    }

    void countRequest(NodeId node) {
        requests++;
    }

    void countWritten(int entries) {
        entriesWritten += entries;
    }

    /** Closes the window that ended by {@code nowNanos}, checking every node's count. */
    void roll(long nowNanos, boolean enforce) {
        if (nowNanos < windowStart + WINDOW_NANOS) {
            return;
        }
        long units = TICKS_PER_WINDOW + requests;
        long limit = MESSAGES_PER_UNIT * peers * units + MESSAGES_PER_ENTRY * entriesWritten;
        for (var e : sent.entrySet()) {
            long messages = e.getValue()[0];
            worstRatio = Math.max(worstRatio, (double) messages * MESSAGES_PER_UNIT / limit);
            if (enforce && messages > limit) {
                throw violations.record(new SafetyViolation("message budget", e.getKey() + " sent " + messages
                        + " messages (" + e.getValue()[1] + " AppendEntries) in the simulated second from "
                        + windowStart / 1_000_000 + " ms, over the budget of " + limit + " for " + peers
                        + " peers, " + TICKS_PER_WINDOW + " ticks, " + requests + " client requests and "
                        + entriesWritten + " entries written"));
            }
        }
        sent.clear();
        requests = 0;
        entriesWritten = 0;
        windowStart = nowNanos - nowNanos % WINDOW_NANOS;
    }
}
