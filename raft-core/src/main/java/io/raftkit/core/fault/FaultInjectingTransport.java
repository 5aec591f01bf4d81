package io.raftkit.core.fault;

import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private volatile ScheduledExecutorService delayer;

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
            delayer().schedule(() -> inner.send(message), now.delayMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException closed) {
            dropped.incrementAndGet(); // rejected after close: a lost message, which Raft tolerates
        }
    }

    /** Messages dropped by the rules since start. */
    public long dropped() {
        return dropped.get();
    }

    private ScheduledExecutorService delayer() {
        ScheduledExecutorService d = delayer;
        if (d == null) {
            synchronized (this) {
                if (delayer == null) {
                    delayer = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "raft-fault-delay");
                        t.setDaemon(true);
                        return t;
                    });
                }
                d = delayer;
            }
        }
        return d;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        ScheduledExecutorService d = delayer;
        if (d != null) {
            d.shutdownNow();
        }
        inner.close();
    }
}
