package io.raftkit.core.fault;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends a message later, for the fault-injecting transports. Its one daemon thread starts with the
 * first delayed message, so a transport whose rules never delay anything starts no thread.
 */
final class Delayer implements AutoCloseable {

    private final String threadName;
    private volatile ScheduledExecutorService executor;

    Delayer(String threadName) {
        this.threadName = threadName;
    }

    void later(long delayMillis, Runnable send) {
        executor().schedule(send, delayMillis, TimeUnit.MILLISECONDS);
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                if (executor == null) {
                    executor = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, threadName);
                        t.setDaemon(true);
                        return t;
                    });
                }
                e = executor;
            }
        }
        return e;
    }

    @Override
    public void close() {
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }
}
