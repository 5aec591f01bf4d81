package io.raftkit.kv;

import io.raftkit.api.snapshot.InvalidSnapshotException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Exactly-once client sessions (thesis §6.3): per client, the last sequence applied, a digest of
 * that command and its outcome. Part of the replicated state, changed only by applied commands, so
 * every replica gives a retry the same verdict at the same index.
 *
 * <p>A session keeps no value, so it costs the same whatever the client wrote (about
 * {@link #SESSION_HEAP_BYTES}); {@link KvStateMachine} rebuilds a duplicate's answer from the retried
 * command (which carries the value that was written) and the outcome.
 *
 * <p>Bounded under a {@link SessionPolicy}: a session idle for more than the TTL of log time
 * ({@link LogClock}) is forgotten, and a new session beyond the capacity evicts the least recently
 * used one, ordered by the log index of its last command, on every replica alike. A client whose
 * session was forgotten and that sends a sequence after the first is refused ({@link Expired}): its
 * earlier requests may have been applied, and applying this one as new could apply a retry twice.
 * A client's first sequence (1) always starts a session, so a retry of a first request after its
 * session was evicted is applied again: keep the capacity and TTL far above what honest clients
 * need (the verdict is visible in the {@code kv_sessions} gauge).
 *
 * <p>Logs written before policies existed are applied by their original rules until the first
 * policy command: the TTL given to the constructor, no capacity, the largest-timestamp clock, and a
 * forgotten client's later sequence applied as new. They replay to the state they had.
 */
final class Sessions {

    /**
     * Heap one session takes: two tree entries, boxed keys, the session and outcome records, the
     * digest array. Measured 288 bytes a session (200,000 sessions, heap after GC, JDK 17, compressed
     * oops), rounded up: the memory guard must not undercount.
     */
    static final long SESSION_HEAP_BYTES = 320;
    /** The sequence a client's first request carries; a session starts there. */
    static final long FIRST_SEQUENCE = 1;

    /**
     * One client's last request: its sequence, the log index that last used the session (the
     * eviction order), when that was in log time, the command's digest and how it came out.
     */
    record Session(long clientId, long lastSequence, long lastIndex, long lastSeenMillis, byte[] digest, Outcome outcome) {
    }

    /** What a command did to its key, enough to answer its retry. */
    record Outcome(KvResult.Status status, long version, long createIndex, long modIndex, long index) {
        static Outcome of(KvResult r) {
            return new Outcome(r.status(), r.version(), r.createIndex(), r.modIndex(), r.index());
        }
    }

    /** What the state machine should do with a stamped command. */
    sealed interface Verdict permits Apply, Duplicate, Stale, Reused, Expired {
    }

    record Apply() implements Verdict {
    }

    /** Already applied: answer as then. */
    record Duplicate(Session session) implements Verdict {
    }

    /** Older than the last applied request of that client. */
    record Stale(long lastSequence) implements Verdict {
    }

    /** The last sequence again, with a different command. */
    record Reused(Session session) implements Verdict {
    }

    /** A later sequence of a client whose session is no longer kept. */
    record Expired() implements Verdict {
    }

    private static final Apply APPLY = new Apply();
    private static final Expired EXPIRED = new Expired();

    private final long legacyTtlMillis;
    private Optional<SessionPolicy> policy = Optional.empty();
    private final LogClock clock;
    /**
     * By client id: the order a snapshot writes them in. Copy-on-write ({@link CowTreeMap}) so a
     * snapshot captures the table in O(1) on the loop.
     */
    private final CowTreeMap<Long, Session> byClient = new CowTreeMap<>(Comparator.naturalOrder());
    /**
     * Client ids by the index of their last command, oldest first: the expiry and eviction order.
     * Derived from {@link #byClient}, so not in snapshots: restoring rebuilds it.
     */
    private final TreeMap<Long, Long> byLastIndex = new TreeMap<>();

    /** @param legacyTtlMillis the TTL for log entries before the first policy command (node configuration then) */
    Sessions(long legacyTtlMillis) {
        this(legacyTtlMillis, Optional.empty(), new LogClock());
    }

    private Sessions(long legacyTtlMillis, Optional<SessionPolicy> policy, LogClock clock) {
        this.legacyTtlMillis = legacyTtlMillis;
        this.policy = policy;
        this.clock = clock;
    }

    /** The sessions, policy and clock as of now, unchanged by later commands; O(1). */
    record Frozen(Optional<SessionPolicy> policy, LogClock.State clock, CowTreeMap.View<Long, Session> sessions) {
    }

    Frozen freeze() {
        return new Frozen(policy, clock.state(), byClient.freeze());
    }

    /** An empty table with a snapshot's policy and clock, filled by {@link #restore(Session)}. */
    static Sessions restoring(long legacyTtlMillis, Optional<SessionPolicy> policy, LogClock.State clock) {
        return new Sessions(legacyTtlMillis, policy, LogClock.of(clock));
    }

    /** Adds one session read from a snapshot; a second session at the same index means the snapshot is bad. */
    void restore(Session session) throws InvalidSnapshotException {
        Long displaced = byLastIndex.get(session.lastIndex());
        if (displaced != null) {
            throw new InvalidSnapshotException("KV snapshot: the sessions of clients " + displaced + " and "
                    + session.clientId() + " were both last used at log index " + session.lastIndex());
        }
        put(session);
    }

    /** Advances log time to the command's stamp and forgets idle sessions; every command does this first. */
    void advance(SessionStamp stamp) {
        if (policy.isPresent()) {
            clock.advanceBounded(stamp.leaderMillis());
        } else {
            clock.advanceToLargest(stamp.leaderMillis());
        }
        expireIdle();
    }

    /** Judges a keyed command after {@link #advance}; a repeated sequence counts as use of its session. */
    Verdict check(long index, SessionStamp stamp, byte[] digest) {
        if (!stamp.hasSession()) {
            return APPLY;
        }
        Session session = byClient.get(stamp.clientId());
        if (session == null) {
            return policy.isPresent() && stamp.sequence() > FIRST_SEQUENCE ? EXPIRED : APPLY;
        }
        if (stamp.sequence() > session.lastSequence()) {
            return APPLY;
        }
        if (stamp.sequence() < session.lastSequence()) {
            return new Stale(session.lastSequence());
        }
        // Either way the client is alive: touch the session (logs from before the refusal existed
        // touched it on every repeat, and replay must expire exactly what they expired).
        put(new Session(session.clientId(), session.lastSequence(), index, clock.nowMillis(), session.digest(), session.outcome()));
        return Arrays.equals(digest, session.digest()) ? new Duplicate(session) : new Reused(session);
    }

    /** Records an applied command's outcome in its session, evicting the least recently used beyond the capacity. */
    void record(long index, SessionStamp stamp, byte[] digest, KvResult result) {
        if (stamp.hasSession()) {
            put(new Session(stamp.clientId(), stamp.sequence(), index, clock.nowMillis(), digest, Outcome.of(result)));
            evictBeyondCapacity();
        }
    }

    void setPolicy(SessionPolicy next) {
        policy = Optional.of(next);
        expireIdle();
        evictBeyondCapacity();
    }

    Optional<SessionPolicy> policy() {
        return policy;
    }

    int size() {
        return byClient.size();
    }

    Optional<Session> session(long clientId) {
        return Optional.ofNullable(byClient.get(clientId));
    }

    private void put(Session session) {
        Session previous = byClient.put(session.clientId(), session);
        if (previous != null) {
            byLastIndex.remove(previous.lastIndex());
        }
        Long displaced = byLastIndex.put(session.lastIndex(), session.clientId());
        if (displaced != null && displaced != session.clientId()) {
            throw new AssertionError("sessions of clients " + displaced + " and " + session.clientId()
                    + " both last used at index " + session.lastIndex());
        }
    }

    private void expireIdle() {
        long ttl = policy.map(SessionPolicy::ttlMillis).orElse(legacyTtlMillis);
        for (Iterator<Map.Entry<Long, Long>> it = byLastIndex.entrySet().iterator(); it.hasNext(); ) {
            Session s = byClient.get(it.next().getValue());
            if (clock.nowMillis() - s.lastSeenMillis() <= ttl) {
                break; // log time never decreases along the log, so the rest were seen later
            }
            it.remove();
            byClient.remove(s.clientId());
        }
    }

    private void evictBeyondCapacity() {
        int capacity = policy.map(SessionPolicy::capacity).orElse(Integer.MAX_VALUE);
        while (byClient.size() > capacity) {
            Map.Entry<Long, Long> oldest = byLastIndex.pollFirstEntry();
            byClient.remove(oldest.getValue());
        }
    }
}
