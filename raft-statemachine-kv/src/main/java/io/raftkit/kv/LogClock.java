package io.raftkit.kv;

/**
 * The only time the state machine knows: built from the leader timestamps inside commands, so every
 * replica reads the same time at the same index (the StateMachine contract: time travels inside
 * commands).
 *
 * <p>Under a {@link SessionPolicy} the clock advances by the difference between consecutive
 * commands' timestamps, clamped to {@code [0, MAX_STEP_MILLIS]}. A leader whose clock jumps a
 * year ahead therefore ages every session by at most one step, and log time then runs at the
 * leader's rate again; a clock that jumps back, or a new leader whose clock is behind, pauses log
 * time for one command instead of stopping it until real time catches up. The price: after a pause
 * in traffic longer than a step, log time lags real time, so sessions live longer, never shorter.
 *
 * <p>Before any policy is in the log (data directories written before policies existed) the clock
 * is the largest timestamp seen, exactly as those logs were first applied, so they replay to the
 * same state.
 */
final class LogClock {

    /** One command may age sessions by at most this: a clock jump costs at most this much TTL. */
    static final long MAX_STEP_MILLIS = 1_000;

    private long nowMillis;
    private long lastLeaderMillis;
    private boolean started;

    long nowMillis() {
        return nowMillis;
    }

    /** Advances by the step since the previous command's timestamp, bounded (policy rules). */
    void advanceBounded(long leaderMillis) {
        if (started && leaderMillis > lastLeaderMillis) {
            long step = leaderMillis - lastLeaderMillis;
            nowMillis += step < 0 || step > MAX_STEP_MILLIS ? MAX_STEP_MILLIS : step; // step < 0: overflow
        }
        remember(leaderMillis);
    }

    /** The rule of logs written before session policies: the largest timestamp seen. */
    void advanceToLargest(long leaderMillis) {
        nowMillis = Math.max(nowMillis, leaderMillis);
        remember(leaderMillis);
    }

    private void remember(long leaderMillis) {
        lastLeaderMillis = leaderMillis;
        started = true;
    }

    /** The clock's whole state, for a snapshot. */
    record State(long nowMillis, long lastLeaderMillis, boolean started) {
    }

    State state() {
        return new State(nowMillis, lastLeaderMillis, started);
    }

    static LogClock of(State state) {
        LogClock clock = new LogClock();
        clock.nowMillis = state.nowMillis();
        clock.lastLeaderMillis = state.lastLeaderMillis();
        clock.started = state.started();
        return clock;
    }
}
