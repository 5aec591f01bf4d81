package io.raftkit.core.fault;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Wraps a real transport and loses, duplicates and delays the messages this node sends, as the
 * current {@link LinkFaults} say. Raft must tolerate all three (§5.3: AppendEntries and RequestVote
 * are idempotent; a reordered reply carries its term and index); this is where the verifier checks
 * that the implementation does.
 */
public final class PacketFaultTransport implements Transport {

    private final Transport inner;
    private final SplittableRandom random;
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private volatile LinkFaults faults = LinkFaults.NONE;
    private final Delayer delayer = new Delayer("raft-packet-delay");
    private volatile AutoCloseable admin;

    public PacketFaultTransport(Transport inner, long seed) {
        this.inner = inner;
        this.random = new SplittableRandom(seed);
    }

    /** An admin endpoint to close with this transport. */
    void attach(AutoCloseable adminServer) {
        admin = adminServer;
    }

    public void setFaults(LinkFaults next) {
        faults = next;
    }

    public LinkFaults faults() {
        return faults;
    }

    @Override
    public void start(Consumer<RaftMessage> inbound) throws IOException {
        inner.start(inbound);
    }

    @Override
    public void send(RaftMessage message) {
        LinkFaults now = faults;
        if (now.isNone()) {
            inner.send(message);
            return;
        }
        int copies;
        long firstDelay;
        long secondDelay;
        synchronized (random) {
            if (random.nextInt(100) < now.lossPercent()) {
                lost.incrementAndGet();
                return;
            }
            copies = random.nextInt(100) < now.duplicatePercent() ? 2 : 1;
            firstDelay = delay(now);
            secondDelay = delay(now);
        }
        deliver(message, firstDelay);
        if (copies == 2) {
            duplicated.incrementAndGet();
            deliver(message, secondDelay);
        }
    }

    private long delay(LinkFaults now) {
        return now.delayMillis() + (now.jitterMillis() == 0 ? 0 : random.nextLong(now.jitterMillis() + 1));
    }

    private void deliver(RaftMessage message, long delayMillis) {
        if (delayMillis == 0) {
            inner.send(message);
            return;
        }
        try {
            delayer.later(delayMillis, () -> inner.send(message));
        } catch (RuntimeException closed) {
            lost.incrementAndGet(); // rejected after close: a lost message, which Raft tolerates
        }
    }

    /** Messages lost and duplicated by the faults since start. */
    public String counts() {
        return "lost=" + lost.get() + " duplicated=" + duplicated.get();
    }

    /** Membership changes reach the real transport: faults are rules by id, which need no address. */
    @Override
    public void addPeer(io.raftkit.api.NodeId id, String address) {
        inner.addPeer(id, address);
    }

    @Override
    public void removePeer(io.raftkit.api.NodeId id) {
        inner.removePeer(id);
    }

    @Override
    public void close() {
        AutoCloseable a = admin;
        if (a != null) {
            try {
                a.close();
            } catch (Exception e) {
                // loopback test machinery: closing the transport matters more
            }
        }
        delayer.close();
        inner.close();
    }
}
