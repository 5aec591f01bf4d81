package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.codec.Hello;
import io.raftkit.transport.vertx.codec.MalformedFrameException;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection: reads length-prefixed frames, expects a {@link Hello} naming a member
 * first, then delivers that member's messages. Anything malformed closes this connection only,
 * counts it and logs one WARN line with the remote address. Runs on one event loop.
 */
final class InboundConnection {

    private static final Logger log = LoggerFactory.getLogger(InboundConnection.class);

    private final NetSocket socket;
    private final NodeId self;
    private final Set<NodeId> members;
    private final RaftMessageCodec codec;
    private final TransportMetrics metrics;
    private final Consumer<RaftMessage> inbound;
    private final int maxFrameBytes;
    private final boolean tls;
    private final RecordParser parser;
    private boolean readingLength = true;
    private NodeId peer;
    private TransportMetrics.Flow received;
    private boolean failed;
    private Runnable handshakeSettled;

    InboundConnection(Vertx vertx, NetSocket socket, NodeId self, Set<NodeId> members, RaftMessageCodec codec,
                      TransportMetrics metrics, Consumer<RaftMessage> inbound, TcpOptions options,
                      Runnable handshakeSettled) {
        this.socket = socket;
        this.self = self;
        this.members = members;
        this.codec = codec;
        this.metrics = metrics;
        this.inbound = inbound;
        this.maxFrameBytes = options.maxFrameBytes();
        this.tls = options.tls().isPresent();
        this.handshakeSettled = handshakeSettled;
        this.parser = RecordParser.newFixed(WireFormat.LENGTH_BYTES);
        parser.handler(this::onRecord);
        socket.handler(this::onData);
        socket.exceptionHandler(e -> log.debug("connection from {}: {}", socket.remoteAddress(), e.toString()));
        long handshakeTimer = vertx.setTimer(options.handshakeTimeoutMillis(), id -> {
            if (peer == null) {
                fail("no handshake within " + options.handshakeTimeoutMillis() + " ms", false);
            }
        });
        // A pending timer holds this connection and its buffers: release them as soon as it closes.
        socket.closeHandler(v -> {
            vertx.cancelTimer(handshakeTimer);
            settle();
        });
    }

    private void onData(Buffer data) {
        if (failed) {
            return;
        }
        try {
            parser.handle(data);
        } catch (FrameFailure e) {
            fail(e.getCause().getMessage(), e.refused);
        } catch (RuntimeException e) {
            // Vert.x or a record constructor disliked the bytes: still bad input, never fatal.
            fail("undecodable bytes: " + e, false);
        }
    }

    private void onRecord(Buffer record) {
        if (failed) {
            return;
        }
        if (readingLength) {
            // The length is checked before the parser gathers (and allocates for) the body.
            int length = record.getInt(0);
            if (length < WireFormat.HEADER_BYTES || length > maxFrameBytes) {
                throw new FrameFailure(new MalformedFrameException("frame length " + length
                        + " is outside " + WireFormat.HEADER_BYTES + ".." + maxFrameBytes), false);
            }
            readingLength = false;
            parser.fixedSizeMode(length);
            return;
        }
        readingLength = true;
        parser.fixedSizeMode(WireFormat.LENGTH_BYTES);
        try {
            if (peer == null) {
                handshake(codec.decodeHello(record, 0, record.length()));
            } else {
                deliver(codec.decode(record, 0, record.length()), record.length());
            }
        } catch (MalformedFrameException e) {
            throw new FrameFailure(e, false);
        }
    }

    private void handshake(Hello hello) {
        if (!members.contains(hello.from()) || hello.from().equals(self)) {
            throw new FrameFailure(new MalformedFrameException("refused node id " + hello.from()
                    + ": not a member of this cluster " + members), true);
        }
        if (!hello.to().equals(self)) {
            throw new FrameFailure(new MalformedFrameException("refused " + hello.from() + ": it meant to reach "
                    + hello.to() + " but this is " + self), true);
        }
        if (tls) {
            String name = certificateName();
            if (!hello.from().value().equals(name)) {
                throw new FrameFailure(new MalformedFrameException("refused node id " + hello.from()
                        + ": its TLS certificate is issued to '" + name + "'"), true);
            }
        }
        peer = hello.from();
        settle();
        received = metrics.received(peer);
    }

    /** The common name of the peer's verified certificate: a member may only speak as itself. */
    private String certificateName() {
        try {
            List<Certificate> chain = socket.peerCertificates();
            X509Certificate leaf = (X509Certificate) chain.get(0);
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return "";
        } catch (Exception e) {
            return "(no verified certificate: " + e.getMessage() + ")";
        }
    }

    /** Frees this connection's slot among the pending handshakes, once. */
    private void settle() {
        Runnable r = handshakeSettled;
        handshakeSettled = null;
        if (r != null) {
            r.run();
        }
    }

    private void deliver(RaftMessage m, int frameBytes) {
        // A connection speaks for the member it named, to this node only.
        if (!m.from().equals(peer) || !m.to().equals(self)) {
            throw new FrameFailure(new MalformedFrameException("message from " + m.from() + " to " + m.to()
                    + " on the connection of " + peer + " to " + self), false);
        }
        received.record(frameBytes + WireFormat.LENGTH_BYTES);
        inbound.accept(m);
    }

    private void fail(String reason, boolean refused) {
        if (failed) {
            return;
        }
        failed = true;
        if (refused) {
            metrics.refusedConnection();
        } else {
            metrics.decodeError();
        }
        log.warn("closing connection from {}{}: {}", socket.remoteAddress(), peer == null ? "" : " (" + peer + ")", reason);
        socket.close();
    }

    /** Carries a decode failure out of the record parser's handler. */
    private static final class FrameFailure extends RuntimeException {
        final boolean refused;

        FrameFailure(MalformedFrameException cause, boolean refused) {
            super(cause.getMessage(), cause, false, false);
            this.refused = refused;
        }
    }
}
