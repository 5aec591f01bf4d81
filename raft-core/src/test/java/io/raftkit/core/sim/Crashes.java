package io.raftkit.core.sim;

import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.core.Ready;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Crashes inside a step. When the driver takes a Ready, a crash may be armed for one point of
 * carrying it out, with a probability from the nemesis times a boost where a crash tells most (see
 * {@link SimCluster#BOOST_NEW_LEADER}): before or after one of its early messages, at its write
 * (before the entries, in the middle of them, between the entries and the hard state, after the
 * hard state), before or after one of the messages that wait for the write, or after one of its
 * applies. The point fires when the node reaches it, and freezes the incarnation there: what it did
 * before stays done, nothing after it happens. An armed crash whose point never comes (a message
 * the Ready no longer sends, say) lapses after a few ticks.
 */
final class Crashes {

    enum Point { BEFORE_SEND, AFTER_SEND, BEFORE_APPEND, TORN_APPEND, AFTER_APPEND, BEFORE_HARD_STATE, AFTER_HARD_STATE, AFTER_APPLY }

    /** A crash waiting for its point: a message (by identity), the write of an entry or hard state, or an apply. */
    record Armed(Point point, RaftMessage message, LogEntry entry, HardState hardState, long applyIndex, long lapsesAtNanos) {
    }

    private static final long LAPSE_NANOS = 20 * SimCluster.TICK_MILLIS * 1_000_000L;

    private final SimCluster cluster;
    private final SplittableRandom random;
    /** Probability per Ready, before the boost; 0 turns crashes in steps off. */
    double rate;
    long struck;

    Crashes(SimCluster cluster, SplittableRandom random) {
        this.cluster = cluster;
        this.random = random;
    }

    /** The driver took {@code ready}: perhaps arm a crash at one point of carrying it out. */
    void maybeArm(SimNode node, Ready ready, double boost) {
        if (rate == 0 || (node.armed != null && node.armed.lapsesAtNanos() > cluster.events.nowNanos())) {
            return;
        }
        node.armed = null;
        if (random.nextDouble() >= rate * boost) {
            return;
        }
        long lapses = cluster.events.nowNanos() + LAPSE_NANOS;
        // Only points this Ready has: its early messages, its write, its late messages, its applies.
        boolean[] has = {!ready.messagesBeforePersist().isEmpty(), !ready.entries().isEmpty() || ready.hardState() != null,
                !ready.messages().isEmpty(), !ready.committedEntries().isEmpty()};
        int available = 0;
        for (boolean h : has) {
            available += h ? 1 : 0;
        }
        if (available == 0) {
            crash(node, "as it took an empty Ready");
            return;
        }
        int choice;
        if (boost > 1 && has[1] && random.nextInt(3) != 0) {
            // Where the hard state or a new leader's term is not on disk yet, the write is the
            // point that tells: crash before, inside or between its parts.
            choice = 1;
        } else {
            int pick = random.nextInt(available);
            choice = 0;
            while (!has[choice] || pick-- > 0) {
                choice++;
            }
        }
        if (choice == 0) {
            node.armed = onMessage(ready.messagesBeforePersist(), lapses);
        } else if (choice == 1 && !ready.entries().isEmpty() && (ready.hardState() == null || random.nextBoolean())) {
            Point[] points = {Point.BEFORE_APPEND, Point.TORN_APPEND, Point.AFTER_APPEND};
            node.armed = new Armed(points[random.nextInt(points.length)], null, ready.entries().get(0), null, 0, lapses);
        } else if (choice == 1) {
            Point point = random.nextBoolean() ? Point.BEFORE_HARD_STATE : Point.AFTER_HARD_STATE;
            node.armed = new Armed(point, null, null, ready.hardState(), 0, lapses);
        } else if (choice == 2) {
            node.armed = onMessage(ready.messages(), lapses);
        } else {
            List<LogEntry> c = ready.committedEntries();
            node.armed = new Armed(Point.AFTER_APPLY, null, null, null, c.get(random.nextInt(c.size())).index(), lapses);
        }
    }

    private Armed onMessage(List<RaftMessage> messages, long lapses) {
        RaftMessage m = messages.get(random.nextInt(messages.size()));
        return new Armed(random.nextBoolean() ? Point.BEFORE_SEND : Point.AFTER_SEND, m, null, null, 0, lapses);
    }

    /** Whether the armed crash fires at {@code point} for {@code message}; if so the node is down now. */
    boolean atMessage(SimNode node, Point point, RaftMessage message) {
        Armed a = node.armed;
        return a != null && a.point() == point && a.message() == message && fire(node, point + " " + message);
    }

    /** Whether the armed crash fires at {@code point} of the append of {@code batch}. */
    boolean atAppend(SimNode node, Point point, List<LogEntry> batch) {
        Armed a = node.armed;
        if (a == null || a.point() != point || a.entry() == null) {
            return false;
        }
        long first = batch.get(0).index();
        LogEntry e = a.entry();
        if (e.index() < first || e.index() > batch.get(batch.size() - 1).index()
                || batch.get((int) (e.index() - first)) != e) {
            return false;
        }
        return fire(node, point + " of " + first + ".." + batch.get(batch.size() - 1).index() + " (holding " + e.index() + "@" + e.term() + ")");
    }

    boolean atHardState(SimNode node, Point point, HardState state) {
        Armed a = node.armed;
        return a != null && a.point() == point && state.equals(a.hardState()) && fire(node, point + " " + state);
    }

    boolean atApply(SimNode node, long index) {
        Armed a = node.armed;
        return a != null && a.point() == Point.AFTER_APPLY && a.applyIndex() == index && fire(node, "after applying " + index);
    }

    /**
     * A crash right after a snapshot became durable (saved, installed) or the log was compacted or
     * reset around one: likelier than elsewhere, since these are rare and recovery decides there.
     */
    boolean atSnapshot(SimNode node, String where) {
        if (rate == 0 || !node.up || random.nextDouble() >= Math.min(0.2, rate * SimCluster.BOOST_HARD_STATE)) {
            return false;
        }
        crash(node, where);
        return true;
    }

    private boolean fire(SimNode node, String where) {
        if (!node.up) {
            return false;
        }
        node.armed = null;
        crash(node, where);
        return true;
    }

    private void crash(SimNode node, String where) {
        struck++;
        cluster.crashInStep(node, where);
    }

    /** How many entries of a torn batch of {@code size} reached the disk (fewer than all). */
    int tornPrefix(int size) {
        return random.nextInt(size);
    }
}
