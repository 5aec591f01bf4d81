package io.raftkit.kv.http;

/**
 * Input limits of the HTTP API. A key or value over its limit is a 400 naming the limit; a body
 * over {@code maxBodyBytes} is a 413, refused without buffering it whole. The body limit must
 * leave room for a maximal value after JSON escaping.
 */
public record HttpLimits(int maxKeyBytes, int maxValueBytes, long maxBodyBytes) {

    public static final HttpLimits DEFAULTS = new HttpLimits(1024, 1024 * 1024, 4L * 1024 * 1024);

    public HttpLimits {
        if (maxKeyBytes < 1) {
            throw new IllegalArgumentException("max-key-bytes must be at least 1, was " + maxKeyBytes);
        }
        if (maxValueBytes < 0) {
            throw new IllegalArgumentException("max-value-bytes must not be negative, was " + maxValueBytes);
        }
        if (maxBodyBytes < maxValueBytes) {
            throw new IllegalArgumentException("max-body-bytes (" + maxBodyBytes + ") must be at least max-value-bytes (" + maxValueBytes + ")");
        }
    }
}
