package io.raftkit.core.sim;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import java.util.function.Consumer;

/**
 * One incarnation's network interface. A message sent by a crashed incarnation goes nowhere, and a
 * send is one of the places a crash can strike (after some of a Ready's messages left, before the rest).
 */
final class SimTransport implements Transport {

    private final SimNode node;
    private final int incarnation;
    private final SimCluster cluster;
    private Consumer<RaftMessage> inbound;
    private boolean closed;

    SimTransport(SimNode node, int incarnation, SimCluster cluster) {
        this.node = node;
        this.incarnation = incarnation;
        this.cluster = cluster;
    }

    @Override
    public void start(Consumer<RaftMessage> inbound) {
        this.inbound = inbound;
    }

    @Override
    public void send(RaftMessage message) {
        if (closed || !node.isAlive(incarnation) || cluster.crashes.atMessage(node, Crashes.Point.BEFORE_SEND, message)) {
            return;
        }
        cluster.send(message);
        cluster.crashes.atMessage(node, Crashes.Point.AFTER_SEND, message);
    }

    /** A message for this node arrived. */
    void deliver(RaftMessage message) {
        if (!closed && inbound != null && node.isAlive(incarnation)) {
            inbound.accept(message);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
