package io.raftkit.transport.vertx.codec;

import io.raftkit.api.NodeId;
import java.util.Arrays;

/** The frames that open a TCP connection, before any Raft message (layout in {@link WireFormat}). */
public sealed interface HandshakeFrame {

    /**
     * The dialer's first frame: the cluster it belongs to, its own id, the id it meant to reach, and
     * a nonce when it holds a peer secret (empty otherwise).
     */
    record Hello(String clusterId, NodeId from, NodeId to, byte[] nonce) implements HandshakeFrame {
        public Hello {
            nonce = nonce.clone();
        }

        public boolean hasNonce() {
            return nonce.length > 0;
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && h.clusterId.equals(clusterId) && h.from.equals(from) && h.to.equals(to)
                    && Arrays.equals(h.nonce, nonce);
        }

        @Override
        public int hashCode() {
            return clusterId.hashCode() * 31 + from.hashCode() * 17 + to.hashCode() + Arrays.hashCode(nonce);
        }

        @Override
        public String toString() {
            return "Hello[cluster '" + clusterId + "', " + from + " to " + to + (hasNonce() ? ", with nonce" : "") + "]";
        }
    }

    /** The acceptor's nonce and its proof that it holds the peer secret. */
    record Challenge(byte[] nonce, byte[] proof) implements HandshakeFrame {
        public Challenge {
            nonce = nonce.clone();
            proof = proof.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public byte[] proof() {
            return proof.clone();
        }
    }

    /** The dialer's proof that it holds the peer secret. */
    record Proof(byte[] proof) implements HandshakeFrame {
        public Proof {
            proof = proof.clone();
        }

        @Override
        public byte[] proof() {
            return proof.clone();
        }
    }

    /** The dialer is admitted; its Raft messages may follow. */
    record Accepted() implements HandshakeFrame {
    }

    /** The dialer is refused; the acceptor closes the connection. */
    record Refused(Refusal reason) implements HandshakeFrame {
    }
}
