package io.raftkit.core.sim;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The simulated network: every message becomes a delivery event in simulated time, with loss,
 * duplication, reordering (random delay), symmetric or one-way cuts, and slow links whose messages
 * are held far longer than an election timeout before they arrive. Every choice comes from the seed.
 */
final class SimNetwork {

    private final EventQueue events;
    private final RandomGenerator random;
    private final Consumer<RaftMessage> deliver;
    private final Set<String> cuts = new HashSet<>();
    /** Directed links whose messages arrive after {@code slowMinMillis..slowMaxMillis}. */
    private final Set<String> slow = new HashSet<>();
    double lossRate;
    double duplicateRate;
    int minDelayMillis = 1;
    int maxDelayMillis = 5;
    int slowMinMillis = 200;
    int slowMaxMillis = 2_000;
    /** Probability that one message is held for 0.3 to 5 s, arriving long after its sender moved on. */
    double holdRate;

    SimNetwork(EventQueue events, RandomGenerator random, Consumer<RaftMessage> deliver) {
        this.events = events;
        this.random = random;
        this.deliver = deliver;
    }

    /** Schedules the delivery of {@code m}; returns false when the network dropped it at once. */
    boolean send(RaftMessage m) {
        String link = key(m.from(), m.to());
        if (cuts.contains(link) || (lossRate > 0 && random.nextDouble() < lossRate)) {
            return false;
        }
        schedule(m, link);
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
            schedule(m, link);
        }
        return true;
    }

    private void schedule(RaftMessage m, String link) {
        long delayMillis = minDelayMillis + random.nextInt(maxDelayMillis - minDelayMillis + 1);
        if (!slow.isEmpty() && slow.contains(link)) {
            delayMillis += slowMinMillis + random.nextInt(slowMaxMillis - slowMinMillis + 1);
        }
        if (holdRate > 0 && random.nextDouble() < holdRate) {
            delayMillis += 300 + random.nextInt(4_700);
        }
        // Sub-millisecond jitter, so messages sent in one step need not arrive in the order sent.
        long delayNanos = delayMillis * 1_000_000 + random.nextInt(1_000_000);
        events.after(delayNanos, () -> deliver.accept(m));
    }

    /** Cuts the direction {@code from -> to}. A symmetric partition cuts both. */
    void cut(NodeId from, NodeId to) {
        cuts.add(key(from, to));
    }

    /** Messages on {@code from -> to} are held for a long time from now on (until healed). */
    void slowDown(NodeId from, NodeId to) {
        slow.add(key(from, to));
    }

    void healAll() {
        cuts.clear();
        slow.clear();
    }

    /** Heals the cuts only; slow links stay slow. */
    void healCuts() {
        cuts.clear();
    }

    /** Messages already in flight on a link that is now cut are lost too, like packets in a dropped route. */
    boolean stillDeliverable(RaftMessage m) {
        return !cuts.contains(key(m.from(), m.to()));
    }

    private static String key(NodeId from, NodeId to) {
        return from.value() + ">" + to.value();
    }
}
