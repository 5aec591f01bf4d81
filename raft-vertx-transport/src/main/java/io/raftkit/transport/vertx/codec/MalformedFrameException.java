package io.raftkit.transport.vertx.codec;

/**
 * Bytes from the network that are not a valid frame: an unknown version or type, a length out of
 * range, a truncated or garbled body. Bad input, never an invariant: the connection that sent it is
 * closed and the node carries on.
 */
public final class MalformedFrameException extends Exception {

    public MalformedFrameException(String message) {
        super(message, null, false, false); // no stack trace: a fuzzer can make millions of these
    }
}
