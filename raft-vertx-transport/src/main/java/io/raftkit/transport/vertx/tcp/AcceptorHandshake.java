package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.auth.CertificateIdentity;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.raftkit.transport.vertx.codec.HandshakeFrame;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Accepted;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Challenge;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Proof;
import io.raftkit.transport.vertx.codec.Refusal;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The accepting end of one connection's handshake: checks the hello (cluster, membership, target,
 * certificate), challenges for the peer secret when there is one, and admits the dialer. Each call
 * gets the frame received and returns the frame to answer with; {@link #admitted()} names the peer
 * once the answer is {@link Accepted}.
 */
final class AcceptorHandshake {

    private final PeerAuth auth;
    private final Supplier<List<Certificate>> peerCertificates;
    private Hello hello;
    private byte[] nonce;
    private NodeId admitted;

    /** @param peerCertificates the verified chain of a TLS connection (throws when there is none) */
    AcceptorHandshake(PeerAuth auth, Supplier<List<Certificate>> peerCertificates) {
        this.auth = auth;
        this.peerCertificates = peerCertificates;
    }

    /** The dialer's claimed id once the hello is read (for log lines), admitted or not. */
    NodeId claimed() {
        return hello == null ? null : hello.from();
    }

    NodeId admitted() {
        return admitted;
    }

    HandshakeFrame onFrame(HandshakeFrame frame) throws HandshakeRefused {
        if (hello == null && frame instanceof Hello h) {
            return onHello(h);
        }
        if (hello != null && nonce != null && frame instanceof Proof p) {
            if (!auth.secret().get().verify(PeerSecret.Role.DIALER, hello, nonce, p.proof())) {
                throw new HandshakeRefused(Refusal.BAD_PROOF, "it claims to be " + hello.from()
                        + " but its proof of the peer secret is wrong: its secret differs from this node's");
            }
            return admit();
        }
        throw new HandshakeRefused(Refusal.PROTOCOL, "unexpected " + frame.getClass().getSimpleName()
                + (hello == null ? " before the hello" : " after the hello"));
    }

    private HandshakeFrame onHello(Hello h) throws HandshakeRefused {
        hello = h;
        if (!h.clusterId().equals(auth.clusterId())) {
            throw new HandshakeRefused(Refusal.WRONG_CLUSTER, "it claims to be " + h.from() + " of cluster "
                    + Printable.quote(h.clusterId()) + " but this node is " + auth.self() + " of cluster "
                    + Printable.quote(auth.clusterId()));
        }
        if (!auth.members().contains(h.from()) || h.from().equals(auth.self())) {
            throw new HandshakeRefused(Refusal.NOT_A_MEMBER, "it claims node id " + h.from()
                    + ", not a member of this cluster " + auth.members());
        }
        if (!h.to().equals(auth.self())) {
            throw new HandshakeRefused(Refusal.WRONG_NODE, h.from() + " meant to reach " + h.to()
                    + " but this is " + auth.self() + " (are the peer addresses the same on every member?)");
        }
        if (auth.tls()) {
            Optional<String> mismatch = identityMismatch(CertificateIdentity.of(auth.clusterId(), h.from()));
            if (mismatch.isPresent()) {
                throw new HandshakeRefused(Refusal.CERTIFICATE, "it claims to be " + h.from() + " but presented "
                        + mismatch.get());
            }
        }
        if (auth.secret().isEmpty()) {
            return admit();
        }
        if (!h.hasNonce()) {
            throw new HandshakeRefused(Refusal.SECRET_REQUIRED, "it claims to be " + h.from()
                    + " but offers no proof of the peer secret (is its secret-file set?)");
        }
        nonce = PeerSecret.nonce();
        return new Challenge(nonce, auth.secret().get().prove(PeerSecret.Role.ACCEPTOR, h, nonce));
    }

    private Optional<String> identityMismatch(String expected) {
        try {
            return CertificateIdentity.mismatch(peerCertificates.get(), expected);
        } catch (RuntimeException e) {
            return Optional.of("no verified certificate (" + e.getMessage() + ")");
        }
    }

    private HandshakeFrame admit() {
        admitted = hello.from();
        return new Accepted();
    }
}
