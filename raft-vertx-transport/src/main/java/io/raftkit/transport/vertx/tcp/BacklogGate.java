package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.InboundBacklog;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Pauses inbound connections while the host's {@link InboundBacklog} says the node is behind, and
 * resumes them all once it is not, checking every {@link #CHECK_MILLIS} ms while any is paused.
 */
final class BacklogGate {

    /** Half a tick of the default 10 ms: a caught-up node waits at most this long for its next message. */
    static final long CHECK_MILLIS = 5;

    private final Vertx vertx;
    private final InboundBacklog backlog;
    private final List<InboundConnection> paused = new ArrayList<>();
    private long timer = -1;

    BacklogGate(Vertx vertx, InboundBacklog backlog) {
        this.vertx = vertx;
        this.backlog = backlog;
    }

    /** Whether the connection that just delivered should stop reading. */
    boolean behind() {
        return backlog != null && backlog.behind();
    }

    synchronized void pause(InboundConnection connection) {
        paused.add(connection);
        if (timer < 0) {
            timer = vertx.setPeriodic(CHECK_MILLIS, id -> check());
        }
    }

    private void check() {
        List<InboundConnection> resume;
        synchronized (this) {
            if (backlog.behind() || paused.isEmpty()) {
                if (paused.isEmpty()) {
                    stopTimer();
                }
                return;
            }
            resume = new ArrayList<>(paused);
            paused.clear();
            stopTimer();
        }
        resume.forEach(InboundConnection::resume);
    }

    synchronized void forget(InboundConnection connection) {
        paused.remove(connection);
    }

    private void stopTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
