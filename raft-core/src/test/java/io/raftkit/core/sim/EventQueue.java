package io.raftkit.core.sim;

import java.util.PriorityQueue;

/**
 * Simulated time and everything scheduled in it: a priority queue of events ordered by time, then
 * by the order they were scheduled, so one seed always runs the same events in the same order.
 */
final class EventQueue {

    private record Event(long atNanos, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long nowNanos;
    private long seq;
    private long executed;

    long nowNanos() {
        return nowNanos;
    }

    long nowMillis() {
        return nowNanos / 1_000_000;
    }

    /** Runs {@code action} at {@code atNanos}, or now if that is in the past. */
    void at(long atNanos, Runnable action) {
        queue.add(new Event(Math.max(atNanos, nowNanos), seq++, action));
    }

    void after(long delayNanos, Runnable action) {
        at(nowNanos + delayNanos, action);
    }

    /** Runs the next event if it is due by {@code untilNanos}; returns whether one ran. */
    boolean runNext(long untilNanos) {
        Event e = queue.peek();
        if (e == null || e.atNanos > untilNanos) {
            return false;
        }
        queue.poll();
        nowNanos = e.atNanos;
        executed++;
        e.action.run();
        return true;
    }

    /** Moves the clock to {@code nanos} (no event may be due before it). */
    void advanceTo(long nanos) {
        nowNanos = Math.max(nowNanos, nanos);
    }

    /** Runs every event due up to and including {@code untilNanos}, then sets the clock there. */
    void runUntil(long untilNanos) {
        for (Event e = queue.peek(); e != null && e.atNanos <= untilNanos; e = queue.peek()) {
            queue.poll();
            nowNanos = e.atNanos;
            executed++;
            e.action.run();
        }
        nowNanos = untilNanos;
    }

    long executed() {
        return executed;
    }
}
