package io.raftkit.core.memory;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An in-JVM network for {@link MemoryTransport}s: a map from node id to inbound handler.
 * Delivery calls the receiver's handler on the sender's thread; the Transport SPI requires
 * handlers never to block (the RaftServer's only queues the message), so this costs the sender
 * one queue insertion and nothing else.
 */
public final class MemoryNetwork {

    private static final Map<String, MemoryNetwork> NAMED = new ConcurrentHashMap<>();

    private final String name;
    private final Map<NodeId, Consumer<RaftMessage>> handlers = new ConcurrentHashMap<>();

    public MemoryNetwork(String name) {
        this.name = name;
    }

    /** The process-wide network called {@code name}, created on first use. */
    public static MemoryNetwork named(String name) {
        return NAMED.computeIfAbsent(name, MemoryNetwork::new);
    }

    void join(NodeId id, Consumer<RaftMessage> inbound) {
        if (handlers.putIfAbsent(id, inbound) != null) {
            throw new IllegalStateException("node " + id + " already joined memory network '" + name + "'");
        }
    }

    void leave(NodeId id, Consumer<RaftMessage> inbound) {
        handlers.remove(id, inbound);
    }

    /** Delivers {@code m} if its recipient is on the network; returns false when it was dropped. */
    boolean deliver(RaftMessage m) {
        Consumer<RaftMessage> handler = handlers.get(m.to());
        if (handler == null) {
            return false;
        }
        handler.accept(m);
        return true;
    }

    @Override
    public String toString() {
        return "MemoryNetwork[" + name + ", " + handlers.keySet() + "]";
    }
}
