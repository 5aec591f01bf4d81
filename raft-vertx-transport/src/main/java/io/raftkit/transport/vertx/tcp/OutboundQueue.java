package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.message.RaftMessage;
import java.util.ArrayDeque;

/**
 * Messages waiting for one peer, bounded by count and by bytes (frame sizes): 100 AppendEntries of
 * 1 MiB each fit in a count of 4,096 and would otherwise all be held. Each entry keeps the time it
 * was queued so the link can drop what waited too long instead of sending it late. Offered by the
 * driver thread, polled by the link's event loop.
 */
final class OutboundQueue {

    /** One waiting message with its frame size and the {@link System#nanoTime()} it was queued at. */
    record Queued(RaftMessage message, int bytes, long queuedAt) {
    }

    /** What {@link #clear()} removed, for the dropped counters. */
    record Cleared(int messages, long bytes) {
    }

    private final int maxMessages;
    private final long maxBytes;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long bytes;

    OutboundQueue(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** False, and nothing queued, when either bound would be passed. */
    synchronized boolean offer(RaftMessage message, int frameBytes, long now) {
        if (queue.size() >= maxMessages || bytes + frameBytes > maxBytes) {
            return false;
        }
        queue.addLast(new Queued(message, frameBytes, now));
        bytes += frameBytes;
        return true;
    }

    synchronized Queued poll() {
        Queued q = queue.pollFirst();
        if (q != null) {
            bytes -= q.bytes();
        }
        return q;
    }

    synchronized Cleared clear() {
        Cleared cleared = new Cleared(queue.size(), bytes);
        queue.clear();
        bytes = 0;
        return cleared;
    }

    synchronized long bytes() {
        return bytes;
    }
}
