package io.raftkit.transport.vertx.tcp;

import io.netty.buffer.ByteBuf;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.auth.CertificateIdentity;
import io.raftkit.transport.vertx.codec.HandshakeCodec;
import io.raftkit.transport.vertx.codec.HandshakeFrame;
import io.raftkit.transport.vertx.codec.MalformedFrameException;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound connection to one peer with its bounded send queue. {@link #send} runs on the driver
 * thread and only offers to the queue; connecting, the handshake, encoding and writing happen on
 * this link's own event-loop context. Messages go out only behind this node's complete handshake
 * ({@link DialerHandshake#mayPipeline()}): to a peer that proved the secret, when there is one, and
 * (with TLS) whose certificate names the member this link means to reach.
 *
 * <p>A lost connection is redialled after an exponential backoff with jitter, so a restarted cluster
 * does not reconnect in lock-step. The backoff starts again from the minimum only after a connection
 * stayed admitted for {@code backoff-reset-millis}: resetting it when TCP connected (2dc2366) made a
 * peer that refuses this node be redialled about 50 times a second.
 *
 * <p>What was queued for a connection that is lost is dropped with it, and when a new connection is
 * admitted, messages queued more than {@code stale-after-millis} before it was dialled are dropped
 * rather than sent: after a partition the peer gets fresh messages first, not the backlog of the
 * outage (Raft resends what still matters). The age counts up to the dial, not the admission, so a
 * slow first handshake (a cold JVM's TLS took seconds here) does not make its own messages stale.
 */
final class PeerLink {

    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
    /** Frames gathered into one socket write; bounds the latency a batch adds. */
    private static final int BATCH_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final NetClient client;
    private final PeerAuth auth;
    private final NodeId peer;
    private final SocketAddress address;
    private final TcpOptions options;
    private final OutboundQueue queue;
    private final long staleAfterNanos;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final TransportMetrics.Flow sent;
    private final TransportMetrics.Flow dropped;
    private final TransportMetrics metrics;
    private final WarningLimiter warnings = new WarningLimiter(log);
    private volatile boolean closed;
    // Touched only on the context's thread.
    private NetSocket attempt;  // the socket being dialled or in its handshake, or the admitted one
    private NetSocket sending;  // set once this end's handshake is out: messages may follow it
    private NetSocket admitted; // set once the peer accepted this node
    private NetSocket abandoned; // an attempt this link ended itself, having said why
    private int failedAttempts;
    private boolean connecting;
    private long reconnectTimer = -1; // the pending redial's timer, -1 when none
    private long dialledAt;      // System.nanoTime() when the current attempt began
    private long staleBefore;    // messages queued before this are not sent on the admitted connection

    PeerLink(Vertx vertx, NetClient client, PeerAuth auth, NodeId peer, SocketAddress address, TcpOptions options,
             TransportMetrics metrics) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.client = client;
        this.auth = auth;
        this.peer = peer;
        this.address = address;
        this.options = options;
        this.queue = new OutboundQueue(options.queueSize(), options.queueBytes());
        this.staleAfterNanos = TimeUnit.MILLISECONDS.toNanos(options.staleAfterMillis());
        this.metrics = metrics;
        this.sent = metrics.sent(peer);
        this.dropped = metrics.dropped(peer);
    }

    void start() {
        context.runOnContext(v -> connect());
    }

    /** Never blocks: a full queue, a closed link or a message too large for any frame is dropped and counted. */
    void send(RaftMessage m) {
        int bytes = RaftMessageCodec.frameSize(m);
        if (bytes - WireFormat.LENGTH_BYTES > options.maxFrameBytes()) {
            dropped.record(bytes);
            warnings.warn("too-large", "vertx-tcp of " + auth.self() + " drops a " + m.getClass().getSimpleName()
                    + " to " + peer + " of " + bytes + " bytes: more than max-frame-bytes " + options.maxFrameBytes());
            return;
        }
        if (closed || !queue.offer(m, bytes, System.nanoTime())) {
            dropped.record(bytes);
            return;
        }
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                context.runOnContext(v -> flush());
            } catch (RejectedExecutionException vertxClosed) {
                // The host closed the Vertx it lent us: nothing can be sent any more.
                dropQueued();
            }
        }
    }

    void close() {
        closed = true;
        try {
            context.runOnContext(v -> {
                if (attempt != null) {
                    attempt.close();
                    attempt = null;
                    sending = null;
                    admitted = null;
                }
                dropQueued();
            });
        } catch (RejectedExecutionException vertxClosed) {
            dropQueued(); // its sockets went with it
        }
    }

    private void dropQueued() {
        OutboundQueue.Cleared cleared = queue.clear();
        if (cleared.messages() > 0) {
            dropped.record(cleared.messages(), cleared.bytes());
        }
    }

    private void connect() {
        if (closed || connecting || attempt != null) {
            return;
        }
        connecting = true;
        dialledAt = System.nanoTime();
        client.connect(address).onComplete(ar -> {
            connecting = false;
            if (ar.failed()) {
                log.debug("{} cannot reach {} at {}: {}", auth.self(), peer, address, ar.cause().toString());
                scheduleReconnect();
                return;
            }
            NetSocket s = ar.result();
            if (closed) {
                s.close();
                return;
            }
            attempt = s;
            s.exceptionHandler(e -> log.debug("{} link to {}: {}", auth.self(), peer, e.toString()));
            s.closeHandler(v -> lost(s));
            handshake(s);
        });
    }

    private void handshake(NetSocket s) {
        if (auth.tls()) {
            Optional<String> mismatch = serverIdentityMismatch(s);
            if (mismatch.isPresent()) {
                giveUp(s, "certificate", "it presented " + mismatch.get() + ", not "
                        + CertificateIdentity.of(auth.clusterId(), peer));
                return;
            }
        }
        DialerHandshake handshake = new DialerHandshake(auth, peer);
        long timer = vertx.setTimer(options.handshakeTimeoutMillis(), id -> {
            if (admitted != s && attempt == s) {
                giveUp(s, "timeout", "it completed no handshake within " + options.handshakeTimeoutMillis() + " ms");
            }
        });
        RecordParser parser = RecordParser.newFixed(WireFormat.LENGTH_BYTES);
        boolean[] readingLength = {true};
        parser.handler(record -> {
            if (readingLength[0]) {
                int length = record.getInt(0);
                if (length < WireFormat.HEADER_BYTES || length > WireFormat.MAX_HANDSHAKE_FRAME_BYTES || admitted == s) {
                    // After admission the peer has nothing to say on this connection.
                    throw new IllegalStateException("it sent an unexpected frame of " + length + " bytes");
                }
                readingLength[0] = false;
                parser.fixedSizeMode(length);
                return;
            }
            readingLength[0] = true;
            parser.fixedSizeMode(WireFormat.LENGTH_BYTES);
            onHandshakeFrame(s, handshake, record, timer);
        });
        s.handler(data -> {
            if (attempt != s) {
                return;
            }
            try {
                parser.handle(data);
            } catch (RuntimeException e) {
                giveUp(s, "protocol", e.getMessage());
            }
        });
        Buffer hello = Buffer.buffer(WireFormat.MAX_HANDSHAKE_FRAME_BYTES);
        HandshakeCodec.write(handshake.hello(), hello);
        s.write(hello);
        if (handshake.mayPipeline()) {
            startSending(s);
        }
    }

    /** This end's handshake is out: queued messages may follow it on {@code s}. */
    private void startSending(NetSocket s) {
        sending = s;
        staleBefore = dialledAt - staleAfterNanos;
        flush();
    }

    private void onHandshakeFrame(NetSocket s, DialerHandshake handshake, Buffer record, long timer) {
        Optional<HandshakeFrame> answer;
        try {
            answer = handshake.onFrame(HandshakeCodec.decode(record, 0, record.length()));
        } catch (MalformedFrameException e) {
            throw new IllegalStateException("it sent a bad handshake frame: " + e.getMessage());
        } catch (HandshakeRefused e) {
            giveUp(s, e.reason.name(), e.getMessage());
            return;
        }
        answer.ifPresent(frame -> {
            Buffer out = Buffer.buffer(WireFormat.LENGTH_BYTES + WireFormat.HEADER_BYTES + WireFormat.PROOF_BYTES);
            HandshakeCodec.write(frame, out);
            s.write(out);
        });
        if (sending != s && handshake.mayPipeline()) {
            startSending(s);
        }
        if (handshake.accepted()) {
            vertx.cancelTimer(timer);
            admitted = s;
            if (options.backoffResetMillis() == 0) {
                failedAttempts = 0;
            } else {
                vertx.setTimer(options.backoffResetMillis(), id -> {
                    if (admitted == s) {
                        failedAttempts = 0; // healthy for a while: the next loss redials after the minimum delay
                    }
                });
            }
        }
    }

    private Optional<String> serverIdentityMismatch(NetSocket s) {
        try {
            return CertificateIdentity.mismatch(s.peerCertificates(), CertificateIdentity.of(auth.clusterId(), peer));
        } catch (Exception e) {
            return Optional.of("no verified certificate (" + e.getMessage() + ")");
        }
    }

    /** Ends this attempt; its close handler schedules the next one. */
    private void giveUp(NetSocket s, String kind, String reason) {
        abandoned = s;
        warnings.warn(kind, "vertx-tcp of " + auth.self() + ": " + peer + " at " + address + ": " + reason
                + "; redialling with backoff");
        s.close();
    }

    private void lost(NetSocket s) {
        if (attempt != s) {
            return;
        }
        if (admitted == null && abandoned != s) {
            // An acceptor that refuses says why; one that just hangs up may be an older RaftKit
            // (it cannot read this hello), or one whose pending handshakes are full.
            warnings.warn("hung-up", "vertx-tcp of " + auth.self() + ": " + peer + " at " + address
                    + " closed the connection during the handshake without saying why (shutting down? a RaftKit"
                    + " older than this hello? too many connections pending there?); redialling with backoff");
        }
        attempt = null;
        sending = null;
        admitted = null;
        dropQueued(); // queued for a connection that is gone: stale by the time another is up
        scheduleReconnect();
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
        reconnectTimer = vertx.setTimer(Math.max(1, jittered), id -> {
            reconnectTimer = -1;
            metrics.reconnect(peer);
            connect();
        });
    }

    /**
     * The peer has just connected to this node and proved it is the member: it is up, so a redial
     * waiting out its backoff goes now. A restarted follower otherwise waited up to
     * {@code backoff-max-millis} (2 s by default) for its leader's link, long enough for its
     * election timer to fire first (measured: a 1 M-key restart spent 1.8 s as a pre-candidate).
     * The backoff itself is kept: if this dial fails too, the next waits as long as it would have.
     */
    void peerIsBack() {
        try {
            context.runOnContext(v -> {
                if (reconnectTimer != -1 && !closed && attempt == null && !connecting) {
                    vertx.cancelTimer(reconnectTimer);
                    reconnectTimer = -1;
                    metrics.reconnect(peer);
                    connect();
                }
            });
        } catch (RejectedExecutionException vertxClosed) {
            // closing: nothing to redial
        }
    }

    private void flush() {
        flushScheduled.set(false);
        NetSocket s = sending;
        if (s == null || closed) {
            return; // the queue keeps (up to its bounds) what the next connection may carry
        }
        NetSocketInternal channel = (NetSocketInternal) s;
        while (!s.writeQueueFull()) {
            ByteBuf raw = null;
            Buffer batch = null;
            OutboundQueue.Queued q;
            try {
                while ((batch == null || batch.length() < BATCH_BYTES) && (q = queue.poll()) != null) {
                    if (q.queuedAt() - staleBefore < 0) {
                        dropped.record(q.bytes()); // from before the outage this connection ended
                        continue;
                    }
                    if (batch == null) {
                        // Encoded straight into the channel's pooled direct memory, which Netty releases once
                        // written: a heap buffer per batch was zeroed, filled, and copied again to direct
                        // memory to be written (a visible share of a leader's CPU in a 512 MiB
                        // InstallSnapshot, docs/benchmarks.md "Issue 16: InstallSnapshot").
                        raw = channel.channelHandlerContext().alloc().directBuffer(Math.max(256, q.bytes()));
                        batch = BufferInternal.buffer(raw);
                    }
                    RaftMessageCodec.writeFrame(q.message(), batch);
                    sent.record(q.bytes());
                }
            } catch (RuntimeException | Error e) {
                if (raw != null) {
                    raw.release();
                }
                throw e;
            }
            if (raw == null) {
                return;
            }
            channel.writeMessage(raw);
        }
        // The socket is saturated: resume when it drains; meanwhile the queue fills and then drops.
        s.drainHandler(v -> flush());
    }
}
