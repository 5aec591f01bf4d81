package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.InboundBacklog;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of one transport: admits each new connection into the bounded set of pending
 * handshakes ({@link HandshakeAdmission}), and keeps one admitted connection per member, a newer one
 * replacing an older (after a member restarts, its old connection may linger half-open; and nobody
 * holds more than one member's worth of partial frames). Shared by every {@link InboundConnection}.
 */
final class Acceptor {

    static final Logger log = LoggerFactory.getLogger(InboundConnection.class);

    final Vertx vertx;
    final PeerAuth auth;
    final RaftMessageCodec codec;
    final TransportMetrics metrics;
    final Consumer<RaftMessage> inbound;
    final TcpOptions options;
    final BacklogGate gate;
    final WarningLimiter warnings = new WarningLimiter(log);
    private final HandshakeAdmission<InboundConnection> admission;
    private final Map<NodeId, InboundConnection> open = new ConcurrentHashMap<>();
    /** Told of each admitted member: the outbound link to it need not wait out a backoff. */
    private final Consumer<NodeId> onAdmitted;

    Acceptor(Vertx vertx, PeerAuth auth, RaftMessageCodec codec, TransportMetrics metrics, Consumer<RaftMessage> inbound,
             TcpOptions options, InboundBacklog backlog, Collection<SocketAddress> memberAddresses, Consumer<NodeId> onAdmitted) {
        this.onAdmitted = onAdmitted;
        this.vertx = vertx;
        this.auth = auth;
        this.codec = codec;
        this.metrics = metrics;
        this.inbound = inbound;
        this.options = options;
        this.gate = new BacklogGate(vertx, backlog);
        this.admission = new HandshakeAdmission<>(options.maxPendingHandshakes(), options.maxPendingHandshakesPerHost(),
                resolve(memberAddresses));
    }

    void accept(NetSocket socket) {
        InboundConnection connection = new InboundConnection(this, socket);
        InetAddress source = sourceOf(socket);
        List<InboundConnection> evicted = admission.admit(connection, source);
        if (evicted == null) {
            connection.refuseBusy(options.maxPendingHandshakes());
            return;
        }
        for (InboundConnection e : evicted) {
            e.evict();
        }
    }

    /** The connection's handshake is over (admitted or not): its slot is free. */
    void settled(InboundConnection connection) {
        admission.release(connection);
    }

    /** {@code connection} now speaks for {@code peer}; an older connection of the same member is closed. */
    void admitted(NodeId peer, InboundConnection connection) {
        onAdmitted.accept(peer);
        InboundConnection older = open.put(peer, connection);
        if (older != null && older != connection) {
            older.supersede();
        }
    }

    /** A member removed from the cluster: its open connection is closed (it could not handshake again). */
    void forget(NodeId peer) {
        InboundConnection connection = open.remove(peer);
        if (connection != null) {
            connection.supersede();
        }
    }

    void closed(NodeId peer, InboundConnection connection) {
        if (peer != null) {
            open.remove(peer, connection);
        }
        gate.forget(connection);
        admission.release(connection);
    }

    private static InetAddress sourceOf(NetSocket socket) {
        SocketAddress remote = socket.remoteAddress();
        try {
            return InetAddress.getByName(remote.hostAddress());
        } catch (UnknownHostException | RuntimeException e) {
            return InetAddress.getLoopbackAddress(); // not an IP socket; cannot happen with NetServer
        }
    }

    /** The addresses members connect from when their configured host is the one they dial out of. */
    private static Set<InetAddress> resolve(Collection<SocketAddress> addresses) {
        Set<InetAddress> out = new HashSet<>();
        for (SocketAddress a : addresses) {
            try {
                out.addAll(List.of(InetAddress.getAllByName(a.host())));
            } catch (UnknownHostException | RuntimeException unresolvable) {
                // its connections are treated as a stranger's until it resolves; they still get in
            }
        }
        return out;
    }
}
