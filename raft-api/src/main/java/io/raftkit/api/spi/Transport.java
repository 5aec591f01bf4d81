package io.raftkit.api.spi;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Carries {@link RaftMessage}s between peers. Raft tolerates loss, duplication and reordering, so a
 * transport may drop messages freely; it must never corrupt one or deliver one to the wrong node.
 *
 * <p>Threads: {@link #start} and {@link #close} are called once each by the driver. {@link #send} is
 * called from the driver thread and must return quickly. The inbound handler may be called from any
 * transport thread, concurrently; it never blocks and never throws.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts listening and connecting. Messages addressed to this node are passed to {@code inbound}.
     *
     * @throws IOException when the transport cannot start at all (address in use, bad TLS files);
     *                     the node does not start
     */
    void start(Consumer<RaftMessage> inbound) throws IOException;

    /**
     * Queues {@code message} for delivery to {@code message.to()}. Never blocks and never throws:
     * when the peer is unreachable or its queue is full the message is dropped (and counted).
     */
    void send(RaftMessage message);

    /**
     * A membership change adds {@code id}, reachable at {@code address} (in the form the plugin
     * documents, as in {@link TransportConfig#addresses}). Called from the driver thread on the node
     * that proposes the change, before the change's entry is appended; must return quickly. A
     * transport that routes by id alone may ignore it. The default refuses, so that a transport that
     * cannot learn peers at run time says so rather than fail to reach the new member silently.
     *
     * @throws UnsupportedOperationException when this transport cannot add peers at run time
     * @throws IllegalArgumentException      naming what is wrong with {@code address}
     */
    default void addPeer(NodeId id, String address) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot add peers at run time");
    }

    /**
     * A committed membership change removed {@code id}: the transport may close its connection and
     * forget its address. Messages to it may still be asked for and may be dropped. The default does nothing.
     */
    default void removePeer(NodeId id) {
    }

    /** Stops sending and receiving and releases ports and threads. Idempotent. */
    @Override
    void close();
}
