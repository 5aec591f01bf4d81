package io.raftkit.core.sim;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The simulated network: a priority queue of deliveries ordered by simulated time, with loss,
 * duplication, reordering (random delay) and symmetric or one-way cuts, all drawn from the seed.
 */
final class SimNetwork {

    record Delivery(long atMillis, long seq, RaftMessage message) implements Comparable<Delivery> {
        @Override
        public int compareTo(Delivery o) {
            int c = Long.compare(atMillis, o.atMillis);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Delivery> queue = new PriorityQueue<>();
    private final RandomGenerator random;
    private final Set<String> cuts = new HashSet<>();
    private long seq;
    double lossRate;
    double duplicateRate;
    int minDelayMillis = 1;
    int maxDelayMillis = 5;

    SimNetwork(RandomGenerator random) {
        this.random = random;
    }

    /** Queues {@code m} sent at {@code now}; returns false when the network dropped it. */
    boolean send(RaftMessage m, long now) {
        if (cuts.contains(key(m.from(), m.to())) || (lossRate > 0 && random.nextDouble() < lossRate)) {
            return false;
        }
        queue.add(new Delivery(now + delay(), seq++, m));
        if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
            queue.add(new Delivery(now + delay(), seq++, m));
        }
        return true;
    }

    private int delay() {
        return minDelayMillis + random.nextInt(maxDelayMillis - minDelayMillis + 1);
    }

    /** Cuts the direction {@code from -> to}. A symmetric partition cuts both. */
    void cut(NodeId from, NodeId to) {
        cuts.add(key(from, to));
    }

    boolean isCut(NodeId from, NodeId to) {
        return cuts.contains(key(from, to));
    }

    void healAll() {
        cuts.clear();
    }

    Delivery peek() {
        return queue.peek();
    }

    Delivery poll() {
        return queue.poll();
    }

    /** Messages already in flight on a link that is now cut are lost too, like packets in a dropped route. */
    boolean stillDeliverable(RaftMessage m) {
        return !cuts.contains(key(m.from(), m.to()));
    }

    private static String key(NodeId from, NodeId to) {
        return from.value() + ">" + to.value();
    }
}
