package io.raftkit.kv.wire;

/**
 * Bytes of the binary client protocol that do not form a valid frame. {@link #error} is the code
 * the server answers with (as the JSON API's {@code "error"}), the message says what and where.
 */
public final class MalformedFrameException extends Exception {

    private final String error;

    public MalformedFrameException(String error, String message) {
        super(message);
        this.error = error;
    }

    public String error() {
        return error;
    }
}
