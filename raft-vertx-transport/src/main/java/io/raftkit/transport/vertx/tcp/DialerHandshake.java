package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.raftkit.transport.vertx.codec.HandshakeFrame;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Accepted;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Challenge;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Proof;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Refused;
import io.raftkit.transport.vertx.codec.Refusal;
import java.util.Optional;

/**
 * The dialing end of one connection's handshake: says hello, answers a challenge after checking the
 * acceptor's own proof (a node holding the secret talks only to nodes that hold it too), and learns
 * whether it was admitted. The TLS identity of the acceptor is checked before the hello is sent.
 *
 * <p>Once its own last frame is out ({@link #mayPipeline()}: right after the hello without a secret,
 * after the proof with one) the dialer may send Raft messages without waiting for {@code ACCEPTED}:
 * by then it has checked everything it will check of the acceptor, and the acceptor reads nothing
 * past a handshake it refuses. That keeps connection setup at the round trips the secret needs (none
 * without one), as before the handshake was answered.
 */
final class DialerHandshake {

    private final PeerAuth auth;
    private final Hello hello;
    private boolean challenged;
    private boolean proved;
    private boolean accepted;

    DialerHandshake(PeerAuth auth, NodeId peer) {
        this.auth = auth;
        byte[] nonce = auth.secret().isPresent() ? PeerSecret.nonce() : new byte[0];
        this.hello = new Hello(auth.clusterId(), auth.self(), peer, nonce);
    }

    Hello hello() {
        return hello;
    }

    boolean accepted() {
        return accepted;
    }

    /** Whether this end has said all it will say, so Raft messages may follow its last frame. */
    boolean mayPipeline() {
        return auth.secret().isEmpty() || proved;
    }

    /** The frame to answer with, if any; throws when this connection must end. */
    Optional<HandshakeFrame> onFrame(HandshakeFrame frame) throws HandshakeRefused {
        if (frame instanceof Refused r) {
            throw new HandshakeRefused(r.reason(), "it refused this node (" + auth.self() + " of cluster "
                    + Printable.quote(auth.clusterId()) + "): " + r.reason().meaning());
        }
        if (frame instanceof Challenge c && !challenged && auth.secret().isPresent()) {
            challenged = true;
            if (!auth.secret().get().verify(PeerSecret.Role.ACCEPTOR, hello, c.nonce(), c.proof())) {
                throw new HandshakeRefused(Refusal.BAD_PROOF, "its proof of the peer secret is wrong: its secret"
                        + " differs from this node's");
            }
            proved = true;
            return Optional.of(new Proof(auth.secret().get().prove(PeerSecret.Role.DIALER, hello, c.nonce())));
        }
        if (frame instanceof Accepted && !accepted) {
            if (auth.secret().isPresent() && !challenged) {
                throw new HandshakeRefused(Refusal.SECRET_REQUIRED, "it admitted this node without proving the"
                        + " peer secret (is its secret-file set?); this node does not send to it");
            }
            accepted = true;
            return Optional.empty();
        }
        throw new HandshakeRefused(Refusal.PROTOCOL, "it sent an unexpected " + frame.getClass().getSimpleName());
    }
}
