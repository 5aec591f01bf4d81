package io.raftkit.core.progress;

import java.util.ArrayDeque;

/**
 * What a leader knows about one follower (Figure 2, "volatile state on leaders"), plus the flow
 * control that makes pipelining safe to bound.
 *
 * <p>PROBE: the leader does not know where the follower's log matches; it sends one AppendEntries
 * at a time and waits. REPLICATE: the logs match up to matchIndex; the leader streams entries
 * optimistically, advancing nextIndex on send, with at most {@code maxInflight} messages and
 * {@code maxInflightBytes} payload bytes unacknowledged.
 */
public final class Progress {

    public enum State { PROBE, REPLICATE }

    private record Inflight(long lastIndex, long bytes) {
    }

    private long matchIndex;
    private long nextIndex;
    private State state = State.PROBE;
    private boolean probeSent;
    private boolean recentActive;
    private final ArrayDeque<Inflight> inflight = new ArrayDeque<>();
    private long inflightBytes;
    private final int maxInflight;
    private final long maxInflightBytes;

    public Progress(long nextIndex, int maxInflight, long maxInflightBytes) {
        this.nextIndex = nextIndex;
        this.maxInflight = maxInflight;
        this.maxInflightBytes = maxInflightBytes;
    }

    public long matchIndex() {
        return matchIndex;
    }

    public long nextIndex() {
        return nextIndex;
    }

    public State state() {
        return state;
    }

    public boolean recentActive() {
        return recentActive;
    }

    public void setRecentActive(boolean active) {
        recentActive = active;
    }

    /** Whether the leader should hold back AppendEntries carrying entries to this follower. */
    public boolean isPaused() {
        return state == State.PROBE ? probeSent
                : inflight.size() >= maxInflight || inflightBytes >= maxInflightBytes;
    }

    public boolean isInflightFull() {
        return state == State.REPLICATE && isPaused();
    }

    /** Records an AppendEntries carrying entries up to {@code lastIndex}. */
    public void sent(long lastIndex, long bytes) {
        if (state == State.REPLICATE) {
            nextIndex = lastIndex + 1;
            inflight.addLast(new Inflight(lastIndex, bytes));
            inflightBytes += bytes;
        } else {
            probeSent = true;
        }
    }

    /** Lets the next probe go out (on a heartbeat, or after a rejection). */
    public void resumeProbe() {
        probeSent = false;
    }

    /**
     * A successful AppendReply: the follower matches up to {@code index}. Returns whether that is
     * news. Acknowledged in-flight messages are released.
     */
    public boolean maybeUpdate(long index) {
        boolean updated = false;
        if (index > matchIndex) {
            matchIndex = index;
            updated = true;
            probeSent = false;
        }
        nextIndex = Math.max(nextIndex, index + 1);
        while (!inflight.isEmpty() && inflight.peekFirst().lastIndex() <= index) {
            inflightBytes -= inflight.pollFirst().bytes();
        }
        return updated;
    }

    public void becomeReplicate() {
        state = State.REPLICATE;
        nextIndex = matchIndex + 1;
        probeSent = false;
        clearInflight();
    }

    /** Back to one-at-a-time probing from {@code next} (after a rejection or a stalled pipeline). */
    public void becomeProbe(long next) {
        state = State.PROBE;
        nextIndex = Math.max(matchIndex + 1, next);
        probeSent = false;
        clearInflight();
    }

    private void clearInflight() {
        inflight.clear();
        inflightBytes = 0;
    }

    @Override
    public String toString() {
        return state + " match=" + matchIndex + " next=" + nextIndex + " inflight=" + inflight.size();
    }
}
