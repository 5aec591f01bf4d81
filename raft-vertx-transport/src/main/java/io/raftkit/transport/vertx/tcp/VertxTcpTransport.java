package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.InboundBacklog;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.transport.vertx.TransportMetrics;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code vertx-tcp} transport: a NetServer receiving from every member and one outbound
 * {@link PeerLink} per member, all on Vert.x event loops so the driver thread never waits on the
 * network. Addresses are {@code host:port}; options are listed in {@link TcpOptions}; who is
 * admitted is settled by {@link PeerAuth}.
 */
public final class VertxTcpTransport implements Transport {

    private static final Logger log = LoggerFactory.getLogger(VertxTcpTransport.class);
    private static final long START_TIMEOUT_SECONDS = 10;

    private final NodeId self;
    private final Map<NodeId, SocketAddress> addresses;
    private final TcpOptions options;
    private final TransportMetrics metrics;
    private final SocketAddress listen;
    private final PeerAuth auth;
    private final RaftMessageCodec codec;
    private final Vertx lentVertx;
    private final InboundBacklog backlog;
    private final Map<NodeId, PeerLink> links = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Vertx vertx;
    private NetServer server;
    private NetClient client;
    private Acceptor acceptor;

    VertxTcpTransport(TransportConfig config) {
        this(config, true);
    }

    /** @param ownIdentityChecked false only in tests that build impostors on purpose */
    VertxTcpTransport(TransportConfig config, boolean ownIdentityChecked) {
        this.self = config.self();
        this.addresses = new ConcurrentHashMap<>(Addresses.parse(config.addresses()));
        config.selfAddress(); // fails naming this node when its own address is missing
        this.options = TcpOptions.from(config.options(), config.clusterId());
        SocketAddress own = addresses.get(self);
        this.listen = options.bindHost().map(h -> SocketAddress.inetSocketAddress(own.port(), h)).orElse(own);
        this.auth = PeerAuth.settle(self, addresses.keySet(), options, listen.host(), ownIdentityChecked);
        this.metrics = new TransportMetrics(config.resources(), VertxTcpTransportProvider.NAME, self);
        this.codec = new RaftMessageCodec(addresses.keySet());
        this.lentVertx = config.resources().get(Vertx.class).orElse(null);
        this.backlog = config.resources().get(InboundBacklog.class).orElse(null);
    }

    /** The counters of this transport, for tests and the host's monitoring. */
    public TransportMetrics metrics() {
        return metrics;
    }

    @Override
    public synchronized void start(Consumer<RaftMessage> inbound) throws IOException {
        if (closed) {
            throw new IOException("transport of " + self + " is closed");
        }
        vertx = lentVertx != null ? lentVertx
                : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()).setWorkerPoolSize(1));
        List<SocketAddress> peers = addresses.entrySet().stream().filter(e -> !e.getKey().equals(self))
                .map(Map.Entry::getValue).toList();
        acceptor = new Acceptor(vertx, auth, codec, metrics, inbound, options, backlog, peers, peer -> {
            PeerLink link = links.get(peer);
            if (link != null) {
                link.peerIsBack();
            }
        });
        server = vertx.createNetServer(serverOptions()).connectHandler(acceptor::accept);
        try {
            await(server.listen(listen));
        } catch (IOException e) {
            closeVertx();
            server = null;
            vertx = null; // nothing is left to close
            throw new IOException("vertx-tcp of " + self + " cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        client = vertx.createNetClient(clientOptions());
        for (Map.Entry<NodeId, SocketAddress> e : addresses.entrySet()) {
            if (!e.getKey().equals(self)) {
                PeerLink link = new PeerLink(vertx, client, auth, e.getKey(), e.getValue(), options, metrics);
                links.put(e.getKey(), link);
                link.start();
            }
        }
        log.info("vertx-tcp of {} listening on {}: {}", self, listen, auth.describe());
    }

    @Override
    public void send(RaftMessage message) {
        try {
            PeerLink link = closed ? null : links.get(message.to());
            if (link == null) {
                metrics.dropped(message.to()).record(RaftMessageCodec.frameSize(message));
                return;
            }
            link.send(message);
        } catch (RuntimeException e) {
            // The contract forbids throwing into the core; a bug here must still be visible.
            log.error("vertx-tcp of {} dropped {} on an unexpected error", self, message, e);
        }
    }

    /**
     * A member added at run time (issue 17): its connections are admitted from now on, and it is
     * dialled. Called on every node as the change is appended, at start for the configuration in
     * force, and again by each new leader, so the same address again changes nothing. Members added
     * this way are not among the addresses whose pending handshakes strangers cannot evict (that
     * list is resolved once, at start).
     */
    @Override
    public synchronized void addPeer(NodeId id, String address) {
        SocketAddress parsed = Addresses.parse(Map.of(id, address)).get(id);
        auth.members().add(id);
        if (id.equals(self) || (parsed.equals(addresses.get(id)) && (client == null || links.containsKey(id)))) {
            return;
        }
        addresses.put(id, parsed);
        if (closed || client == null) {
            return; // start() dials every known address
        }
        PeerLink old = links.remove(id);
        if (old != null) {
            old.close(); // the member moved: dial the new address
        }
        PeerLink link = new PeerLink(vertx, client, auth, id, parsed, options, metrics);
        links.put(id, link);
        link.start();
        log.info("vertx-tcp of {}: member {} added at {}", self, id, parsed);
    }

    /** A member a committed change removed: no longer admitted, dialled or kept connected. */
    @Override
    public synchronized void removePeer(NodeId id) {
        if (id.equals(self)) {
            return;
        }
        auth.members().remove(id);
        addresses.remove(id);
        PeerLink link = links.remove(id);
        if (link != null) {
            link.close();
        }
        if (acceptor != null) {
            acceptor.forget(id);
        }
        log.info("vertx-tcp of {}: member {} removed", self, id);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        links.values().forEach(PeerLink::close);
        if (vertx == null) {
            return;
        }
        try {
            if (server != null) {
                await(server.close());
            }
            if (client != null) {
                await(client.close());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("vertx-tcp of {} did not close cleanly: {}", self, e.toString());
        }
        closeVertx();
    }

    private void closeVertx() {
        if (lentVertx == null && vertx != null) {
            try {
                await(vertx.close());
            } catch (IOException e) {
                log.warn("vertx-tcp of {} could not stop its Vert.x: {}", self, e.getMessage());
            }
        }
    }

    private NetServerOptions serverOptions() {
        NetServerOptions o = new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true);
        options.tls().ifPresent(tls -> o.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(tls.key().toString()).setCertPath(tls.cert().toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(tls.ca().toString()))
                .setClientAuth(ClientAuth.REQUIRED));
        return o;
    }

    private NetClientOptions clientOptions() {
        NetClientOptions o = new NetClientOptions().setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1000, options.backoffMaxMillis())));
        options.tls().ifPresent(tls -> o.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setKeyPath(tls.key().toString()).setCertPath(tls.cert().toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(tls.ca().toString()))
                .setHostnameVerificationAlgorithm(tls.verifyHostname() ? "HTTPS" : ""));
        return o;
    }

    private static <T> T await(Future<T> future) throws IOException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("timed out after " + START_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
