package io.raftkit.kv.http;

/**
 * Limits of the HTTP API. Input: a key or value over its limit is a 400 naming the limit; a body over
 * {@code maxBodyBytes} is a 413, refused without buffering it whole (the body limit must leave room
 * for a maximal value after JSON escaping). Connections: see {@link ConnectionGuard}. Forwarding: a
 * follower waits at most {@code forwardTimeoutMillis} for the leader's answer.
 *
 * @param maxConnections           connections open at once; beyond it a new one is closed at once
 * @param maxConnectionsPerAddress connections open at once from one client address, so one busy or
 *                                 hostile host cannot take them all
 * @param headerTimeoutMillis      a connection must deliver a complete request head this soon after
 *                                 it opens or after its previous answer was sent; also how long an
 *                                 idle keep-alive connection stays open
 * @param bodyTimeoutMillis        a request's body must have arrived this soon after its head
 * @param forwardTimeoutMillis     how long a follower waits for the leader to answer a forwarded
 *                                 request: the node's request timeout, so a client's answer never
 *                                 waits longer at a follower than at the leader
 * @param bodyBufferBytes          request bodies buffered at once, counted by their declared length
 *                                 (a chunked body counts as {@code maxBodyBytes}); a request beyond
 *                                 it is answered 503 without reading its body. By default an eighth
 *                                 of the heap: slow bodies cannot fill the heap in their 30 s
 */
public record HttpLimits(int maxKeyBytes, int maxValueBytes, long maxBodyBytes, int maxConnections,
                         int maxConnectionsPerAddress, long headerTimeoutMillis, long bodyTimeoutMillis,
                         long forwardTimeoutMillis, long bodyBufferBytes) {

    /**
     * The longest key: a key travels percent-encoded in the request line (up to three characters a
     * byte), and the server buffers a request line up to {@link #maxRequestLineChars}, for every
     * connection, before it can refuse it. 8 KiB keys make that 25 KB a connection.
     */
    public static final int MAX_KEY_BYTES = 8 * 1024;
    /** The longest request head besides its first line (Netty's default). */
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    public static final HttpLimits DEFAULTS = new HttpLimits(1024, 1024 * 1024, 4L * 1024 * 1024,
            1_000, 100, 10_000, 30_000, 5_000, defaultBodyBuffer(4L * 1024 * 1024));

    public HttpLimits {
        if (maxKeyBytes < 1 || maxKeyBytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("max-key-bytes must be 1 to " + MAX_KEY_BYTES + ", was " + maxKeyBytes);
        }
        if (maxValueBytes < 0) {
            throw new IllegalArgumentException("max-value-bytes must not be negative, was " + maxValueBytes);
        }
        if (maxBodyBytes < maxValueBytes) {
            throw new IllegalArgumentException("max-body-bytes (" + maxBodyBytes + ") must be at least max-value-bytes (" + maxValueBytes + ")");
        }
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("http-max-connections and http-max-connections-per-address must be at least 1, were "
                    + maxConnections + " and " + maxConnectionsPerAddress);
        }
        if (maxConnectionsPerAddress > maxConnections) {
            throw new IllegalArgumentException("http-max-connections-per-address (" + maxConnectionsPerAddress
                    + ") must not exceed http-max-connections (" + maxConnections + ")");
        }
        if (bodyBufferBytes < maxBodyBytes) {
            throw new IllegalArgumentException("the body buffer (" + bodyBufferBytes + " bytes) must hold at least one body of"
                    + " max-body-bytes (" + maxBodyBytes + ")");
        }
        if (headerTimeoutMillis < 1 || bodyTimeoutMillis < 1 || forwardTimeoutMillis < 1) {
            throw new IllegalArgumentException("HTTP timeouts must be at least 1 ms, were header " + headerTimeoutMillis
                    + ", body " + bodyTimeoutMillis + ", forward " + forwardTimeoutMillis);
        }
    }

    /** Input limits with the default connection limits, timeouts and body buffer. */
    public HttpLimits(int maxKeyBytes, int maxValueBytes, long maxBodyBytes) {
        this(maxKeyBytes, maxValueBytes, maxBodyBytes, DEFAULTS.maxConnections, DEFAULTS.maxConnectionsPerAddress,
                DEFAULTS.headerTimeoutMillis, DEFAULTS.bodyTimeoutMillis, DEFAULTS.forwardTimeoutMillis, defaultBodyBuffer(maxBodyBytes));
    }

    /** An eighth of this JVM's heap, and at least one body of {@code maxBodyBytes}. */
    public static long defaultBodyBuffer(long maxBodyBytes) {
        return Math.max(Runtime.getRuntime().maxMemory() / 8, maxBodyBytes);
    }

    public HttpLimits withConnections(int max, int maxPerAddress) {
        return new HttpLimits(maxKeyBytes, maxValueBytes, maxBodyBytes, max, maxPerAddress, headerTimeoutMillis,
                bodyTimeoutMillis, forwardTimeoutMillis, bodyBufferBytes);
    }

    public HttpLimits withTimeouts(long headerMillis, long bodyMillis, long forwardMillis) {
        return new HttpLimits(maxKeyBytes, maxValueBytes, maxBodyBytes, maxConnections, maxConnectionsPerAddress,
                headerMillis, bodyMillis, forwardMillis, bodyBufferBytes);
    }

    public HttpLimits withBodyBuffer(long bytes) {
        return new HttpLimits(maxKeyBytes, maxValueBytes, maxBodyBytes, maxConnections, maxConnectionsPerAddress,
                headerTimeoutMillis, bodyTimeoutMillis, forwardTimeoutMillis, bytes);
    }

    /**
     * The longest request line the server reads: {@code PUT /v1/kv/<key>/cas?... HTTP/1.1} with the
     * key percent-encoded, three characters a byte, and room for the rest.
     */
    public int maxRequestLineChars() {
        return 3 * maxKeyBytes + 512;
    }
}
