package io.raftkit.core.fault;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Wraps a real transport and drops or delays messages as {@link FaultRules} say, so the verifier can
 * partition nodes that share one host (its local backend) without touching the kernel's network.
 * Dropping at the sender and at the receiver both exist because a one-way partition must cut a
 * direction even when only one side's rules change.
 */
public final class FaultInjectingTransport implements Transport {

    private final Transport inner;
    private final FaultRules rules;
    private final AtomicLong dropped = new AtomicLong();
    private final Delayer delayer = new Delayer("raft-fault-delay");

    private final FaultAdminServer admin;

    public FaultInjectingTransport(Transport inner, FaultRules rules) {
        this(inner, rules, null);
    }

    FaultInjectingTransport(Transport inner, FaultRules rules, FaultAdminServer admin) {
        this.inner = inner;
        this.rules = rules;
        this.admin = admin;
    }

    @Override
    public void start(Consumer<RaftMessage> inbound) throws IOException {
        inner.start(message -> {
            if (rules.current().dropFrom().contains(message.from())) {
                dropped.incrementAndGet();
                return;
            }
            inbound.accept(message);
        });
    }

    @Override
    public void send(RaftMessage message) {
        FaultRules.Snapshot now = rules.current();
        if (now.dropTo().contains(message.to())) {
            dropped.incrementAndGet();
            return;
        }
        if (now.delayMillis() == 0) {
            inner.send(message);
            return;
        }
        try {
            delayer.later(now.delayMillis(), () -> inner.send(message));
        } catch (RuntimeException closed) {
            dropped.incrementAndGet(); // rejected after close: a lost message, which Raft tolerates
        }
    }

    /** Messages dropped by the rules since start. */
    public long dropped() {
        return dropped.get();
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
        if (admin != null) {
            admin.close();
        }
        delayer.close();
        inner.close();
    }
}
