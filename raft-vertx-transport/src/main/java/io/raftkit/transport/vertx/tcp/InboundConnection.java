package io.raftkit.transport.vertx.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.codec.HandshakeCodec;
import io.raftkit.transport.vertx.codec.HandshakeFrame;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Refused;
import io.raftkit.transport.vertx.codec.MalformedFrameException;
import io.raftkit.transport.vertx.codec.Refusal;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.List;

/**
 * One accepted connection. Until its handshake is done ({@link AcceptorHandshake}) a frame may be at
 * most {@link WireFormat#MAX_HANDSHAKE_FRAME_BYTES} long, checked before the body is read: a stranger
 * can make the node hold one small frame, not 16 MiB (20 such connections grew a node's heap by
 * 412 MB on 2dc2366). Then it delivers the admitted member's messages, pausing while the node is
 * behind ({@link BacklogGate}). Anything malformed or refused closes this connection only, counts it,
 * and logs a WARN line naming the remote address, at most once a minute per address and reason.
 * Runs on one event loop.
 */
final class InboundConnection {

    /** How long a refused connection is drained before it is closed (the dialer closes first on reading why). */
    static final long REFUSAL_LINGER_MILLIS = 200;

    private final Acceptor acceptor;
    private final NetSocket socket;
    private final Context context;
    private final FrameAssembler parser;
    private final AcceptorHandshake handshake;
    private final long handshakeTimer;
    private NodeId peer;
    private TransportMetrics.Flow received;
    private boolean failed;

    InboundConnection(Acceptor acceptor, NetSocket socket) {
        this.acceptor = acceptor;
        this.socket = socket;
        this.context = Vertx.currentContext();
        this.handshake = new AcceptorHandshake(acceptor.auth, this::peerCertificates);
        this.parser = new FrameAssembler(new FrameAssembler.Frames() {
            @Override
            public void length(int length) {
                checkLength(length);
            }

            @Override
            public void frame(Buffer buffer, int start, int end) {
                onFrame(buffer, start, end);
            }
        });
        // The raw reads (Netty's pooled buffers), not Vert.x's heap copy of each: the assembler cuts
        // frames from them and releases them; pause() and resume() hold them back the same way.
        ((NetSocketInternal) socket).messageHandler(this::onData);
        socket.exceptionHandler(e -> Acceptor.log.debug("connection from {}: {}", socket.remoteAddress(), e.toString()));
        long timeout = acceptor.options.handshakeTimeoutMillis();
        handshakeTimer = acceptor.vertx.setTimer(timeout, id -> {
            if (peer == null) {
                fail("timeout", "no handshake within " + timeout + " ms", false);
            }
        });
        // A pending timer holds this connection and its buffers: release them as soon as it closes.
        socket.closeHandler(v -> {
            parser.close();
            acceptor.vertx.cancelTimer(handshakeTimer);
            acceptor.closed(peer, this);
        });
    }

    private List<java.security.cert.Certificate> peerCertificates() {
        try {
            return socket.peerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void onData(Object message) {
        if (failed || !(message instanceof ByteBuf)) {
            ReferenceCountUtil.release(message); // nothing else is expected on a plain TCP pipeline
            return;
        }
        parse(() -> parser.handle((ByteBuf) message));
    }

    private void parse(Runnable parsing) {
        try {
            parsing.run();
        } catch (FrameFailure e) {
            if (e.refusal != null) {
                refuse(e.refusal, e.getMessage());
            } else {
                fail(e.kind, e.getMessage(), false);
            }
        } catch (RuntimeException e) {
            // Vert.x or a record constructor disliked the bytes: still bad input, never fatal.
            fail("decode", "undecodable bytes: " + e, false);
        }
    }

    /** The length is checked before the assembler gathers (and allocates for) the body. */
    private void checkLength(int length) {
        int limit = peer == null ? WireFormat.MAX_HANDSHAKE_FRAME_BYTES : acceptor.options.maxFrameBytes();
        if (length < WireFormat.HEADER_BYTES || length > limit) {
            throw new FrameFailure("decode", "frame length " + length + " is outside " + WireFormat.HEADER_BYTES
                    + ".." + limit + (peer == null ? " (a handshake frame)" : ""), null);
        }
    }

    private void onFrame(Buffer buffer, int start, int end) {
        if (failed) {
            return;
        }
        try {
            if (peer == null) {
                handshake(HandshakeCodec.decode(buffer, start, end));
            } else {
                deliver(acceptor.codec.decode(buffer, start, end), end - start);
            }
        } catch (MalformedFrameException e) {
            throw new FrameFailure("decode", e.getMessage(), null);
        }
    }

    private void handshake(HandshakeFrame frame) {
        HandshakeFrame answer;
        try {
            answer = handshake.onFrame(frame);
        } catch (HandshakeRefused e) {
            throw new FrameFailure("refused", e.getMessage(), e.reason);
        }
        Buffer out = Buffer.buffer(WireFormat.LENGTH_BYTES + 2 * WireFormat.NONCE_BYTES + 2);
        HandshakeCodec.write(answer, out);
        socket.write(out);
        if (handshake.admitted() != null) {
            peer = handshake.admitted();
            acceptor.vertx.cancelTimer(handshakeTimer);
            acceptor.settled(this);
            acceptor.admitted(peer, this);
            received = acceptor.metrics.received(peer);
        }
    }

    private void deliver(RaftMessage m, int frameBytes) {
        // A connection speaks for the member it named, to this node only.
        if (!m.from().equals(peer) || !m.to().equals(acceptor.auth.self())) {
            throw new FrameFailure("decode", "message from " + m.from() + " to " + m.to()
                    + " on the connection of " + peer + " to " + acceptor.auth.self(), null);
        }
        received.record(frameBytes + WireFormat.LENGTH_BYTES);
        acceptor.inbound.accept(m);
        if (acceptor.gate.behind()) {
            parser.pause(); // the rest of what was read waits in the assembler
            socket.pause(); // and what was not, in the kernel and then the sender
            acceptor.metrics.inboundPause();
            acceptor.gate.pause(this);
        }
    }

    /** Reads again after a pause; called by the gate from any thread. */
    void resume() {
        context.runOnContext(v -> {
            if (failed) {
                return;
            }
            socket.resume();
            parse(parser::resume);
        });
    }

    /** The handshake slots are full of members' connections: this stranger is closed at once. */
    void refuseBusy(int pending) {
        fail("busy", pending + " connections from members' addresses are already in their handshake", true);
    }

    /** A newer connection arrived while this one was still in its handshake; called from any thread. */
    void evict() {
        context.runOnContext(v -> fail("evicted", "closed to make room: the oldest connection still in its"
                + " handshake gives way (max-pending-handshakes and max-pending-handshakes-per-host)", true));
    }

    /** The same member connected again: the newer connection carries its messages from now on. */
    void supersede() {
        context.runOnContext(v -> {
            Acceptor.log.debug("closing the older connection of {} from {}: it connected again", peer, socket.remoteAddress());
            failed = true;
            socket.close();
        });
    }

    /**
     * Tells the dialer why (its operator learns it too), then closes. The close waits a moment while
     * what the dialer already sent is read and discarded: closing with unread bytes makes the kernel
     * reset the connection, and a reset can destroy the answer before the dialer reads it. The slot
     * among the pending handshakes is freed at once.
     */
    private void refuse(Refusal reason, String detail) {
        if (failed) {
            return;
        }
        report("refused " + reason, detail, true);
        Buffer out = Buffer.buffer(8);
        HandshakeCodec.write(new Refused(reason), out);
        socket.write(out);
        acceptor.vertx.cancelTimer(handshakeTimer);
        acceptor.settled(this);
        acceptor.vertx.setTimer(REFUSAL_LINGER_MILLIS, id -> socket.close());
    }

    private void fail(String kind, String reason, boolean refused) {
        if (failed) {
            return;
        }
        report(kind, reason, refused);
        socket.close();
    }

    private void report(String kind, String reason, boolean refused) {
        failed = true;
        parser.close(); // what waits is never read now
        if (refused) {
            acceptor.metrics.refusedConnection();
        } else {
            acceptor.metrics.decodeError();
        }
        String remote = socket.remoteAddress().toString();
        String who = peer != null ? " (" + peer + ")" : handshake.claimed() != null ? " (claiming " + handshake.claimed() + ")" : "";
        acceptor.warnings.warn(socket.remoteAddress().hostAddress() + "|" + kind,
                "vertx-tcp of " + acceptor.auth.self() + ": closing connection from " + remote + who + ": " + reason);
    }

    /** Carries a failure out of the frame assembler's handler. */
    private static final class FrameFailure extends RuntimeException {
        final String kind;
        final Refusal refusal;

        FrameFailure(String kind, String message, Refusal refusal) {
            super(message, null, false, false);
            this.kind = kind;
            this.refusal = refusal;
        }
    }
}
