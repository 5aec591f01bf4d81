package io.raftkit.kv;

/**
 * Who sent a mutating command and when, carried inside the command so that every replica makes
 * the same exactly-once decision (thesis §6.3).
 *
 * @param clientId     the client's session id; {@link #NO_SESSION} (0) opts out of deduplication
 * @param sequence     the client's request number, one per logical request, reused by its retries
 * @param leaderMillis the leader's wall clock when it proposed the command: the only clock the state
 *                     machine sees, so sessions expire identically on every replica
 */
public record SessionStamp(long clientId, long sequence, long leaderMillis) {

    public static final long NO_SESSION = 0;

    public static SessionStamp anonymous(long leaderMillis) {
        return new SessionStamp(NO_SESSION, 0, leaderMillis);
    }

    public boolean hasSession() {
        return clientId != NO_SESSION;
    }
}
