package io.raftkit.core.read;

import io.raftkit.api.NodeId;
import io.raftkit.core.quorum.Quorum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A leader's ReadIndex bookkeeping (thesis §6.4). Each read records the commit index when it
 * arrived and the round it joined. Every AppendEntries carries the current round (taken with
 * {@link #carry}); a follower's reply echoes it.
 *
 * <p>The invariant that makes this safe: <b>every message carrying round r left after every read
 * of round r was registered.</b> A read therefore only joins a round that no message has carried
 * yet; once one has, the next read opens a new round. So when a quorum has echoed round r, each of
 * those followers still took this node as leader after every read of rounds up to r arrived, and
 * they are all confirmed at once: one round serves every read queued behind it.
 */
public final class ReadQueue {

    /** A read waiting for its round; {@code origin} is the follower that forwarded it, or null. */
    public record PendingRead(long requestId, NodeId origin, long readIndex, long round) {
    }

    private final List<PendingRead> pending = new ArrayList<>();
    private final Map<NodeId, Long> ackedRound = new HashMap<>();
    private long round;
    /** Whether some message already carried {@code round}: then a new read needs a new round. */
    private boolean roundCarried = true;
    /** The latest round a heartbeat broadcast carried to every follower. */
    private long broadcastRound;
    /** For {@link io.raftkit.core.Mutant#READ_JOINS_CARRIED_ROUND} only: the old rule. */
    private final boolean joinCarriedRounds;

    public ReadQueue() {
        this(false);
    }

    /** @param joinCarriedRounds the old, unsafe rule: a round stays open until a heartbeat broadcast */
    public ReadQueue(boolean joinCarriedRounds) {
        this.joinCarriedRounds = joinCarriedRounds;
    }

    /** The round the next AppendEntries would carry (without carrying it). */
    public long round() {
        return round;
    }

    /** An AppendEntries leaves carrying the current round, which is therefore closed to new reads. */
    public long carry() {
        if (!joinCarriedRounds) {
            roundCarried = true;
        }
        return round;
    }

    /** Registers a read at {@code readIndex}, in a round no message has carried yet. */
    public void add(long requestId, NodeId origin, long readIndex) {
        if (roundCarried) {
            round++;
            roundCarried = false;
        }
        pending.add(new PendingRead(requestId, origin, readIndex, round));
    }

    /**
     * Whether a round has reads that no heartbeat broadcast carried yet, and no earlier round is
     * still waiting for its quorum. One broadcast round in flight at a time: reads that arrive
     * meanwhile share the next round, so a busy leader sends one heartbeat round per round trip
     * instead of one per turn of its loop (measured: about 3 reads per round without this). If an
     * answer is lost, the periodic heartbeat carries the newest round and frees the queue.
     */
    public boolean needsBroadcast() {
        if (pending.isEmpty()) {
            return false;
        }
        boolean earlierRoundInFlight = pending.get(0).round() <= broadcastRound;
        return pending.get(pending.size() - 1).round() > broadcastRound && !earlierRoundInFlight;
    }

    /** A heartbeat broadcast carried the current round to every follower. */
    public void broadcastSent() {
        roundCarried = true;
        broadcastRound = round;
    }

    public void ack(NodeId follower, long echoedRound) {
        ackedRound.merge(follower, echoedRound, Math::max);
    }

    /**
     * Removes and returns the reads whose round a quorum has acknowledged; the leader {@code self}
     * counts itself when it is a voter, so a quorum of 1 confirms at once.
     */
    public List<PendingRead> confirmed(Quorum quorum, NodeId self) {
        if (pending.isEmpty()) {
            return List.of();
        }
        long confirmedRound = quorum.committedIndex(id -> id.equals(self) ? Long.MAX_VALUE : ackedRound.getOrDefault(id, 0L));
        List<PendingRead> done = new ArrayList<>();
        for (Iterator<PendingRead> it = pending.iterator(); it.hasNext(); ) {
            PendingRead read = it.next();
            if (read.round() <= confirmedRound) {
                done.add(read);
                it.remove();
            }
        }
        return done;
    }

    /** Everything still pending, removed: the leader lost its role. */
    public List<PendingRead> drain() {
        List<PendingRead> all = new ArrayList<>(pending);
        pending.clear();
        ackedRound.clear();
        roundCarried = true;
        return all;
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }
}
