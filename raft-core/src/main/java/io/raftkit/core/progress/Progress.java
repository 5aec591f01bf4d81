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
 *
 * <p>Replies arrive late, twice, or out of order. Only news changes anything: a success that
 * raises matchIndex, or a rejection of the message the leader is waiting on (a REPLICATE
 * follower's message above matchIndex, a PROBE follower's outstanding probe). Anything else is
 * stale and ignored, so a duplicate can never make the leader send again: without that, each
 * stale reply caused another send and the sends grew without bound (issue 15, bug 3).
 */
public final class Progress {

    /** SNAPSHOT (§7): the follower's next entry was compacted; it gets the snapshot, no AppendEntries. */
    public enum State { PROBE, REPLICATE, SNAPSHOT }

    /** An unacknowledged AppendEntries: the last index it carried, its bytes, the tick it left at. */
    private record Inflight(long lastIndex, long bytes, long sentAtTick) {
    }

    private long matchIndex;
    private long nextIndex;
    private State state = State.PROBE;
    private boolean probeSent;
    private boolean recentActive;
    private final ArrayDeque<Inflight> inflight = new ArrayDeque<>();
    private long inflightBytes;
    private SnapshotSend snapshotSend;
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
        if (state == State.SNAPSHOT) {
            return true;
        }
        return state == State.PROBE ? probeSent
                : inflight.size() >= maxInflight || inflightBytes >= maxInflightBytes;
    }

    public boolean isInflightFull() {
        return state == State.REPLICATE && isPaused();
    }

    /** Records an AppendEntries carrying entries up to {@code lastIndex}, sent at {@code tick}. */
    public void sent(long lastIndex, long bytes, long tick) {
        if (state == State.REPLICATE) {
            nextIndex = lastIndex + 1;
            inflight.addLast(new Inflight(lastIndex, bytes, tick));
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
     * news; a stale or duplicate success changes nothing. Acknowledged in-flight messages are released.
     */
    public boolean maybeUpdate(long index) {
        if (index <= matchIndex) {
            return false;
        }
        matchIndex = index;
        probeSent = false;
        nextIndex = Math.max(nextIndex, index + 1);
        while (!inflight.isEmpty() && inflight.peekFirst().lastIndex() <= index) {
            inflightBytes -= inflight.pollFirst().bytes();
        }
        return true;
    }

    /**
     * A rejection of the AppendEntries sent with {@code rejectedPrevIndex}; {@code hintNext} is where
     * the follower's conflict hint says to resume (§5.3 fast backtracking). Returns whether it
     * was news. Stale (ignored): in REPLICATE a rejection at or below matchIndex, since the
     * follower has since accepted more; in PROBE a rejection of any probe but the outstanding one.
     * News: back to probing, at most down to the rejected index, never below matchIndex + 1.
     */
    public boolean maybeDecrTo(long rejectedPrevIndex, long hintNext) {
        long next = Math.max(matchIndex + 1, Math.min(hintNext, rejectedPrevIndex));
        if (state == State.SNAPSHOT) {
            return false; // the follower gets the snapshot; rejections of earlier appends say nothing new
        }
        if (state == State.REPLICATE) {
            if (rejectedPrevIndex <= matchIndex) {
                return false;
            }
            becomeProbe(next);
            return true;
        }
        if (rejectedPrevIndex != nextIndex - 1) {
            return false;
        }
        nextIndex = next;
        probeSent = false;
        return true;
    }

    /**
     * Whether an AppendEntries has gone unacknowledged since {@code tick} or earlier: taken as lost
     * (or its reply lost), so the leader probes again. A heartbeat cannot tell, since heartbeats are
     * anchored at matchIndex and always match; this bounds the wait to a couple of heartbeats.
     */
    public boolean unacknowledgedSince(long tick) {
        return state == State.REPLICATE && !inflight.isEmpty() && inflight.peekFirst().sentAtTick() <= tick;
    }

    public void becomeReplicate() {
        state = State.REPLICATE;
        nextIndex = matchIndex + 1;
        probeSent = false;
        clearInflight();
    }

    /** Back to one-at-a-time probing from {@code next} (after a rejection or a lost message). */
    public void becomeProbe(long next) {
        state = State.PROBE;
        nextIndex = Math.max(matchIndex + 1, next);
        probeSent = false;
        clearInflight();
    }

    /** Sends {@code transfer} instead of entries until the follower installs it (or catches up otherwise). */
    public void becomeSnapshot(SnapshotSend transfer) {
        state = State.SNAPSHOT;
        snapshotSend = transfer;
        probeSent = false;
        clearInflight();
    }

    /** The snapshot being sent, in SNAPSHOT state; null otherwise. */
    public SnapshotSend snapshotSend() {
        return state == State.SNAPSHOT ? snapshotSend : null;
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
