package io.raftkit.api.spi;

/**
 * Lent by the host to its transport through {@link Resources}
 * ({@code Resources.with(InboundBacklog.class, ...)}) so that the transport stops reading from its
 * peers while the node has not caught up with what it already received. TCP's own flow control then
 * holds the rest in the senders' socket buffers and send queues, which are bounded and drop (Raft
 * resends), instead of in the node's inbox, which is not. {@code RaftServer} lends one that counts
 * the messages handed to its loop and not yet stepped. A transport that cannot pause may ignore it.
 */
@FunctionalInterface
public interface InboundBacklog {

    /**
     * True while the node is behind. Called on the transport's threads after every delivered message
     * and from a timer while reading is paused: it must be cheap, thread-safe, and never block.
     */
    boolean behind();
}
