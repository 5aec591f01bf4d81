package io.raftkit.transport.vertx.tcp;

/**
 * Lent by the host through {@code Resources} ({@code Resources.with(InboundBacklog.class, ...)}) so
 * that vertx-tcp stops reading from its peers while the node has not caught up with what it already
 * received. TCP's own flow control then holds the rest in the senders' socket buffers and send
 * queues, which are bounded and drop (Raft resends), instead of in the node's inbox, which is not.
 * Without one, connections are read as fast as they deliver.
 *
 * <p>The driver that owns the inbox knows its depth; a typical implementation compares it with a
 * limit ({@code inbox.size() > 10_000}).
 */
@FunctionalInterface
public interface InboundBacklog {

    /**
     * True while the node is behind. Called on event-loop threads after every delivered message and
     * from a timer while connections are paused: it must be cheap, thread-safe, and never block.
     */
    boolean behind();
}
