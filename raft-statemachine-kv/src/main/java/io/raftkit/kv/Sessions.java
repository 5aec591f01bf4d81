package io.raftkit.kv;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Exactly-once client sessions (thesis §6.3): per client, the last sequence applied and its
 * result. Part of the replicated state, so every replica answers a retry the same way.
 *
 * <p>Time is the largest leader timestamp seen in the log, never this machine's clock: a session
 * idle for longer than {@code ttlMillis} of log time is forgotten on every replica at the same
 * index. Taking the maximum keeps the clock monotonic when a new leader's clock is behind.
 * A retry that arrives after its session expired is applied again: the TTL (default one hour)
 * must exceed any client's retry window (KvClient gives up after seconds).
 */
final class Sessions {

    private record Session(long lastSequence, byte[] lastResult, long lastSeenMillis) {
    }

    /** What the state machine should do with a stamped command. */
    sealed interface Verdict permits Apply, Duplicate, Stale {
    }

    record Apply() implements Verdict {
    }

    /** Already applied: answer with the recorded result. */
    record Duplicate(byte[] result) implements Verdict {
    }

    /** Older than the last applied request of that client. */
    record Stale(long lastSequence) implements Verdict {
    }

    private static final Apply APPLY = new Apply();

    private final long ttlMillis;
    /** In order of last use: insertion order is deterministic, so expiry scans are too. */
    private final LinkedHashMap<Long, Session> byClient = new LinkedHashMap<>();
    private long clockMillis;

    Sessions(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** Advances log time to the command's stamp, expires idle sessions, then judges the command. */
    Verdict check(SessionStamp stamp) {
        clockMillis = Math.max(clockMillis, stamp.leaderMillis());
        expireIdle();
        if (!stamp.hasSession()) {
            return APPLY;
        }
        Session session = byClient.get(stamp.clientId());
        if (session == null || stamp.sequence() > session.lastSequence()) {
            return APPLY;
        }
        if (stamp.sequence() == session.lastSequence()) {
            touch(stamp.clientId(), session.lastSequence(), session.lastResult());
            return new Duplicate(session.lastResult());
        }
        return new Stale(session.lastSequence());
    }

    void record(SessionStamp stamp, byte[] result) {
        if (stamp.hasSession()) {
            touch(stamp.clientId(), stamp.sequence(), result);
        }
    }

    /** Writes the sessions in their use order, which expiry depends on, and the log clock. */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeLong(clockMillis);
        out.writeInt(byClient.size());
        for (Map.Entry<Long, Session> e : byClient.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue().lastSequence());
            out.writeLong(e.getValue().lastSeenMillis());
            out.writeInt(e.getValue().lastResult().length);
            out.write(e.getValue().lastResult());
        }
    }

    void readFrom(DataInputStream in) throws IOException {
        byClient.clear();
        clockMillis = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            long clientId = in.readLong();
            long sequence = in.readLong();
            long lastSeen = in.readLong();
            byte[] result = new byte[in.readInt()];
            in.readFully(result);
            byClient.put(clientId, new Session(sequence, result, lastSeen));
        }
    }

    int size() {
        return byClient.size();
    }

    Optional<Long> lastSequence(long clientId) {
        return Optional.ofNullable(byClient.get(clientId)).map(Session::lastSequence);
    }

    private void touch(long clientId, long sequence, byte[] result) {
        byClient.remove(clientId); // re-insert at the tail: most recently used
        byClient.put(clientId, new Session(sequence, result, clockMillis));
    }

    private void expireIdle() {
        for (Iterator<Session> it = byClient.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (clockMillis - s.lastSeenMillis() <= ttlMillis) {
                break; // the rest were used more recently
            }
            it.remove();
        }
    }
}
