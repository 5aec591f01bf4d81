package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.auth.CertificateIdentity;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What this node proves to its peers and demands of them, settled once when the transport is
 * created: the cluster id (always), the peer secret (when there is one), and mutual TLS (when
 * configured). Without TLS or a secret file, a node listening on loopback uses the per-user secret
 * {@code ~/.raftkit/peer-secret}, and a node listening beyond loopback refuses to be created unless
 * {@code insecure-peers=true} says the operator accepts unauthenticated peers (docs/security.md).
 */
/**
 * @param members the members whose connections are admitted: a live, thread-safe set that membership
 *                changes at run time update (VertxTcpTransport.addPeer, removePeer)
 */
record PeerAuth(String clusterId, NodeId self, Set<NodeId> members, Optional<PeerSecret> secret, boolean tls) {

    /**
     * @param listenHost         where the node listens (bind-host, or its own address's host)
     * @param ownIdentityChecked false only for tests that build impostors on purpose
     */
    static PeerAuth settle(NodeId self, Set<NodeId> members, TcpOptions options, String listenHost,
                           boolean ownIdentityChecked) {
        String clusterId = options.clusterId();
        if (options.tls().isPresent() && ownIdentityChecked) {
            checkOwnCertificate(self, clusterId, options.tls().get());
        }
        Optional<PeerSecret> secret;
        if (options.secretFile().isPresent()) {
            secret = Optional.of(PeerSecret.read(options.secretFile().get()));
        } else if (options.tls().isPresent() || options.insecurePeers()) {
            secret = Optional.empty();
        } else if (loopbackOnly(listenHost)) {
            // Only this machine can connect; the per-user file keeps other users' processes out.
            secret = Optional.of(PeerSecret.readOrCreate(PeerSecret.defaultFile()));
        } else {
            throw new IllegalArgumentException("vertx-tcp of " + self + " would listen on " + listenHost
                    + ", beyond loopback, with no peer authentication: anyone who can reach that port could act"
                    + " as a member. Give a shared secret-file (the same on every member; e.g. openssl rand -base64 32),"
                    + " or mutual TLS (tls.key, tls.cert, tls.ca), or set insecure-peers=true to accept the risk");
        }
        // The first HMAC and SecureRandom of a JVM load providers and seed (tens of ms on a loaded
        // machine): pay that now, not in the first handshake, while messages queue behind it.
        secret.ifPresent(s -> s.prove(PeerSecret.Role.DIALER, new Hello(clusterId, self, self, PeerSecret.nonce()),
                PeerSecret.nonce()));
        Set<NodeId> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
        live.addAll(members);
        return new PeerAuth(clusterId, self, live, secret, options.tls().isPresent());
    }

    /** For the start-up log line. */
    String describe() {
        String how = tls ? "mutual TLS" : "";
        if (secret.isPresent()) {
            how += (how.isEmpty() ? "" : " and ") + "a peer secret (" + secret.get() + ")";
        }
        return "cluster '" + clusterId + "', " + (how.isEmpty() ? "NO peer authentication (insecure-peers)" : how);
    }

    private static void checkOwnCertificate(NodeId self, String clusterId, TcpOptions.Tls tls) {
        X509Certificate own = CertificateIdentity.read(tls.cert());
        String expected = CertificateIdentity.of(clusterId, self);
        List<String> identities = CertificateIdentity.identities(own);
        if (!identities.contains(expected)) {
            throw new IllegalArgumentException("option tls.cert = '" + tls.cert() + "' is "
                    + CertificateIdentity.describe(own, identities) + "; peers will accept this node only with a"
                    + " certificate whose subject alternative names include the URI " + expected);
        }
    }

    /** True when every address {@code host} names is a loopback one; an unresolvable name is not. */
    static boolean loopbackOnly(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
