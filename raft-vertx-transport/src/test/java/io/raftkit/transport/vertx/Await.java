package io.raftkit.transport.vertx;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition: the transports deliver on their own threads. */
public final class Await {

    private Await() {
    }

    /** True once {@code condition} holds, false if {@code timeout} passes first. */
    public static boolean until(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
