package io.raftkit.transport.vertx.tcp;

import io.raftkit.transport.vertx.codec.Refusal;

/** A handshake that must end: the reason goes on the wire (when this node is the acceptor) and in the log. */
final class HandshakeRefused extends Exception {

    final Refusal reason;

    HandshakeRefused(Refusal reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }
}
