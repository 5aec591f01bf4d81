package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.codec.Hello;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound connection to one peer with its bounded send queue. {@link #send} runs on the
 * driver thread and only offers to the queue; connecting, encoding and writing happen on this
 * link's own event-loop context. A lost connection is redialled after an exponential backoff with
 * jitter, so a restarted cluster does not reconnect in lock-step.
 */
final class PeerLink {

    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
    /** Frames gathered into one socket write; bounds the latency a batch adds. */
    private static final int BATCH_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final NodeId self;
    private final NodeId peer;
    private final SocketAddress address;
    private final TcpOptions options;
    private final ArrayBlockingQueue<RaftMessage> queue;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final TransportMetrics.Flow sent;
    private final TransportMetrics.Flow dropped;
    private final TransportMetrics metrics;
    private volatile boolean closed;
    // Touched only on the context's thread.
    private NetSocket socket;
    private int failedAttempts;
    private boolean connecting;

    PeerLink(Vertx vertx, NetClient client, NodeId self, NodeId peer, SocketAddress address, TcpOptions options,
             TransportMetrics metrics) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.self = self;
        this.peer = peer;
        this.address = address;
        this.options = options;
        this.queue = new ArrayBlockingQueue<>(options.queueSize());
        this.metrics = metrics;
        this.sent = metrics.sent(peer);
        this.dropped = metrics.dropped(peer);
    }

    void start() {
        context.runOnContext(v -> connect());
    }

    /** Never blocks: a full queue or a closed link drops the message and counts it. */
    void send(RaftMessage m) {
        if (closed || !queue.offer(m)) {
            dropped.record(RaftMessageCodec.frameSize(m));
            return;
        }
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                context.runOnContext(v -> flush());
            } catch (RejectedExecutionException vertxClosed) {
                // The host closed the Vertx it lent us: nothing can be sent any more.
                queue.clear();
                dropped.record(RaftMessageCodec.frameSize(m));
            }
        }
    }

    void close() {
        closed = true;
        try {
            context.runOnContext(v -> {
                if (socket != null) {
                    socket.close();
                    socket = null;
                }
                queue.clear();
            });
        } catch (RejectedExecutionException vertxClosed) {
            queue.clear(); // its sockets went with it
        }
    }

    private void connect() {
        if (closed || connecting || socket != null) {
            return;
        }
        connecting = true;
        client.connect(address).onComplete(ar -> {
            connecting = false;
            if (ar.failed()) {
                log.debug("{} cannot reach {} at {}: {}", self, peer, address, ar.cause().toString());
                scheduleReconnect();
                return;
            }
            NetSocket s = ar.result();
            if (closed) {
                s.close();
                return;
            }
            socket = s;
            failedAttempts = 0;
            s.handler(data -> { }); // the peer never writes on this connection; it answers on its own
            s.exceptionHandler(e -> log.debug("{} link to {}: {}", self, peer, e.toString()));
            s.closeHandler(v -> {
                if (socket == s) {
                    socket = null;
                    scheduleReconnect();
                }
            });
            Buffer hello = Buffer.buffer(2 * 70);
            RaftMessageCodec.writeHello(new Hello(self, peer), hello);
            s.write(hello);
            flush();
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        failedAttempts++;
        // Exponential backoff capped at backoff-max, with "equal jitter": half fixed, half random.
        long ceiling = options.backoffMinMillis() << Math.min(failedAttempts - 1, 20);
        long delay = Math.min(options.backoffMaxMillis(), ceiling);
        long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        vertx.setTimer(Math.max(1, jittered), id -> {
            metrics.reconnect(peer);
            connect();
        });
    }

    private void flush() {
        flushScheduled.set(false);
        NetSocket s = socket;
        if (s == null || closed) {
            return; // the queue keeps (up to its bound) what the next connection will carry
        }
        while (!s.writeQueueFull()) {
            Buffer batch = null;
            int messages = 0;
            RaftMessage m;
            while ((batch == null || batch.length() < BATCH_BYTES) && (m = queue.poll()) != null) {
                if (batch == null) {
                    batch = Buffer.buffer(Math.max(256, RaftMessageCodec.frameSize(m)));
                }
                int before = batch.length();
                RaftMessageCodec.writeFrame(m, batch);
                sent.record(batch.length() - before);
                messages++;
            }
            if (messages == 0) {
                return;
            }
            s.write(batch);
        }
        // The socket is saturated: resume when it drains; meanwhile the queue fills and then drops.
        s.drainHandler(v -> flush());
    }
}
