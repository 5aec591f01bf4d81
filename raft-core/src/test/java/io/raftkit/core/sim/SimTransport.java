package io.raftkit.core.sim;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.VoteReply;
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
        checkTermDurable(message);
        cluster.send(message);
        cluster.crashes.atMessage(node, Crashes.Point.AFTER_SEND, message);
    }

    /**
     * No message carrying a term leaves before that term (and so the sender's vote in it) is on its
     * disk (Figure 2: persist before responding; issue 15, bug 2 for a leader's AppendEntries).
     * PreVote messages carry the term a pre-candidate would campaign in, which nobody adopts.
     */
    private void checkTermDurable(RaftMessage m) {
        boolean preVote = (m instanceof RequestVote rv && rv.preVote()) || (m instanceof VoteReply vr && vr.preVote());
        long durable = node.disk.loadHardState().term();
        if (!preVote && m.term() > durable) {
            throw node.violations.record(new SafetyViolation("durable term", node.id + " sent " + m
                    + " while its disk holds term " + durable));
        }
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
