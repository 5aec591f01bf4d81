package io.raftkit.core.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Decides whether one register's history is linearizable, exactly and in O(n log n), using that
 * every write stores a value no other write stores (Gibbons and Korach, "Testing shared memories",
 * 1997). A linearization must then run in segments, one per value: its write, then the reads that
 * saw it (a value, once overwritten, never comes back). So the history is linearizable iff the
 * segments can be ordered so that no operation of a later segment finished before an operation of
 * an earlier one began. With {@code first} the earliest completion in a segment and {@code last}
 * the latest invocation, segment X may precede Y only if {@code last(X) <= first(Y)}; that fails
 * in both directions exactly when
 * <ul>
 *   <li>a read finished before the write it saw began;</li>
 *   <li>two <em>forward zones</em> ({@code first < last}: the value must stay current from the
 *       first completion to the last invocation) overlap; or</li>
 *   <li>a backward zone ({@code last <= first}) lies inside another value's forward zone,</li>
 * </ul>
 * and no longer cycle can arise among intervals. The register starts at 0, a value written before
 * everything. Operations that touch (one completes when the other begins) count as concurrent.
 */
final class RegisterChecker {

    /** One completed operation: {@code completeNanos} is when its effect was certainly visible. */
    record Op(int client, boolean write, long value, long invokeNanos, long completeNanos) {
        @Override
        public String toString() {
            return "client " + client + " " + (write ? "write " : "read ") + value + " [" + millis(invokeNanos) + ", "
                    + millis(completeNanos) + "]";
        }
    }

    /** The operations on one value: its write and the reads that saw it. */
    private static final class Segment {
        final long value;
        Op write;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Op firstOp;
        Op lastOp;

        Segment(long value) {
            this.value = value;
        }

        void add(Op op) {
            if (op.completeNanos() < first) {
                first = op.completeNanos();
                firstOp = op;
            }
            if (op.invokeNanos() > last) {
                last = op.invokeNanos();
                lastOp = op;
            }
        }

        boolean forward() {
            return first < last;
        }
    }

    private static final long BEFORE_EVERYTHING = Long.MIN_VALUE / 2;

    private RegisterChecker() {
    }

    /** Empty when the history is linearizable; otherwise what cannot be ordered, and why. */
    static Optional<String> check(List<Op> history) {
        Map<Long, Segment> segments = new TreeMap<>();
        Segment initial = new Segment(0);
        initial.write = new Op(-1, true, 0, BEFORE_EVERYTHING, BEFORE_EVERYTHING);
        initial.add(initial.write);
        segments.put(0L, initial);
        for (Op op : history) {
            if (op.write()) {
                Segment s = segments.computeIfAbsent(op.value(), Segment::new);
                if (s.write != null) {
                    return Optional.of("two writes of " + op.value() + ": " + s.write + " and " + op);
                }
                s.write = op;
                s.add(op);
            }
        }
        for (Op op : history) {
            if (!op.write()) {
                Segment s = segments.get(op.value());
                if (s == null || s.write == null) {
                    return Optional.of(op + " saw a value no write of this register stored");
                }
                if (op.completeNanos() < s.write.invokeNanos()) {
                    return Optional.of(op + " finished before " + s.write + " began");
                }
                s.add(op);
            }
        }
        List<Segment> forward = new ArrayList<>();
        for (Segment s : segments.values()) {
            if (s.forward()) {
                forward.add(s);
            }
        }
        forward.sort(Comparator.comparingLong(s -> s.first));
        for (int i = 1; i < forward.size(); i++) {
            Segment a = forward.get(i - 1);
            Segment b = forward.get(i);
            if (b.first < a.last) {
                return Optional.of(overlap(a, b));
            }
        }
        // Forward zones are now disjoint, so sorted by start they are sorted by end too: the one
        // starting last before a backward zone's start is the only one that could contain it.
        for (Segment s : segments.values()) {
            if (s.forward()) {
                continue;
            }
            int lo = 0;
            int hi = forward.size() - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (forward.get(mid).first < s.last) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (found >= 0 && s.first < forward.get(found).last) {
                return Optional.of(overlap(forward.get(found), s));
            }
        }
        return Optional.empty();
    }

    private static String overlap(Segment a, Segment b) {
        return "value " + a.value + " must be current from " + a.firstOp + " to " + a.lastOp + ", but value " + b.value
                + " must be current from " + b.firstOp + " to " + b.lastOp + ": no order of the two fits real time";
    }

    private static String millis(long nanos) {
        return nanos == BEFORE_EVERYTHING ? "start" : String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
