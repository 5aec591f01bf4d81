package io.raftkit.verifier.client;

/**
 * The KV store's exactly-once session of one request (headers {@code X-Client-Id} and
 * {@code X-Sequence}): sending the same pair again is answered with the first request's result and
 * never applied twice, which is what lets the runner resend an indeterminate write after the final
 * heal and learn its outcome.
 *
 * @param clientId positive, one per history process (a process retires after an indeterminate
 *                 operation, so its last request is never followed by a later sequence)
 * @param sequence positive, one per request of that client
 */
public record Session(long clientId, long sequence) {

    public Session {
        if (clientId <= 0 || sequence <= 0) {
            throw new IllegalArgumentException("a session needs a positive client id and sequence, was " + clientId + "/" + sequence);
        }
    }
}
