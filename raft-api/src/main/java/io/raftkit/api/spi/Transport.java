package io.raftkit.api.spi;

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

    /** Stops sending and receiving and releases ports and threads. Idempotent. */
    @Override
    void close();
}
