package io.raftkit.transport.vertx.tcp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs a WARN line the first time something happens and then at most once per interval for the same
 * key (a remote host and a reason, a peer and a reason), saying how many were held back. A peer that
 * is refused on every redial, or a flood of bad connections, then costs a line a minute, not 50 a
 * second (255 lines in 5 s were counted on 2dc2366); the counters keep the exact numbers.
 */
final class WarningLimiter {

    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Keys remembered; beyond it the oldest is forgotten, so a flood from many addresses cannot grow the map. */
    private static final int MAX_KEYS = 1024;

    private record Seen(long loggedAt, int suppressed) {
    }

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_KEYS;
        }
    };

    WarningLimiter(Logger log) {
        this(log, DEFAULT_INTERVAL_NANOS, System::nanoTime);
    }

    WarningLimiter(Logger log, long intervalNanos, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
    }

    /** Logs {@code message} unless a line with this key was logged less than an interval ago. */
    void warn(String key, String message) {
        int suppressed;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            Seen last = seen.get(key);
            if (last != null && now - last.loggedAt < intervalNanos) {
                seen.put(key, new Seen(last.loggedAt, last.suppressed + 1));
                return;
            }
            suppressed = last == null ? 0 : last.suppressed;
            seen.put(key, new Seen(now, 0));
        }
        if (suppressed == 0) {
            log.warn("{} (logged at most once every {} s)", message, TimeUnit.NANOSECONDS.toSeconds(intervalNanos));
        } else {
            log.warn("{} ({} more like this since the last such line)", message, suppressed);
        }
    }
}
