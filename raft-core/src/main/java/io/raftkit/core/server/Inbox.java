package io.raftkit.core.server;

import io.raftkit.api.spi.InboundBacklog;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the peer messages handed to the loop and not yet stepped, and tells the transport to stop
 * reading while there are more than {@link #limit}: without it a node that falls behind (a slow
 * disk, a long GC) queues everything its peers send, without bound. Raft loses nothing by the pause:
 * what the senders' bounded queues drop is sent again.
 */
final class Inbox implements InboundBacklog {

    /** Far above a healthy node's depth (a few messages per peer per turn), far below a heap's worth. */
    static final int DEFAULT_LIMIT = 10_000;

    private final AtomicInteger queued = new AtomicInteger();
    private final int limit;

    Inbox(int limit) {
        this.limit = limit;
    }

    /** A message was handed to the loop (any thread). */
    void arrived() {
        queued.incrementAndGet();
    }

    /** The loop took a message out to step it (loop thread). */
    void taken() {
        queued.decrementAndGet();
    }

    @Override
    public boolean behind() {
        return queued.get() > limit;
    }
}
