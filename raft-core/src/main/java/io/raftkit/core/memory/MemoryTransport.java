package io.raftkit.core.memory;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A Transport between nodes of one JVM, through a {@link MemoryNetwork}. For tests and embedding. */
public final class MemoryTransport implements Transport {

    private final NodeId self;
    private final MemoryNetwork network;
    private final AtomicLong dropped = new AtomicLong();
    private volatile Consumer<RaftMessage> inbound;
    private volatile boolean closed;

    public MemoryTransport(NodeId self, MemoryNetwork network) {
        this.self = self;
        this.network = network;
    }

    @Override
    public void start(Consumer<RaftMessage> handler) {
        if (inbound != null || closed) {
            throw new IllegalStateException("memory transport of " + self + " was already started");
        }
        Consumer<RaftMessage> guarded = m -> {
            if (!closed) {
                handler.accept(m);
            }
        };
        inbound = guarded;
        network.join(self, guarded);
    }

    @Override
    public void send(RaftMessage message) {
        if (closed || !network.deliver(message)) {
            dropped.incrementAndGet();
        }
    }

    /** The memory network routes by node id: a new member needs no address. */
    @Override
    public void addPeer(NodeId id, String address) {
        // nothing to learn
    }

    /** Messages that found no recipient (closed, or never started). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Consumer<RaftMessage> handler = inbound;
        if (handler != null) {
            network.leave(self, handler);
        }
    }
}
