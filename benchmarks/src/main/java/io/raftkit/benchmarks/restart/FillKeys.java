package io.raftkit.benchmarks.restart;

import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes keys {@code key-00000000} to {@code key-<N-1>}, each once, with values of a given size, so a
 * cluster holds exactly N keys (the load tool's random keys would need several times N puts to
 * cover them). The state for the restart figure of issue 16: see {@code benchmarks/restart.sh}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.restart.FillKeys KEYS VALUE_BYTES URL[,URL...]
 * </pre>
 */
public final class FillKeys {

    private static final int IN_FLIGHT = 256;

    private FillKeys() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: FillKeys KEYS VALUE_BYTES URL[,URL...]");
            System.exit(2);
        }
        long keys = Long.parseLong(args[0]);
        byte[] value = new byte[Integer.parseInt(args[1])];
        Arrays.fill(value, (byte) 'v');
        List<String> endpoints = List.of(args[2].split(","));
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (KvClient client = KvClient.builder(endpoints).requestTimeout(Duration.ofSeconds(10))
                .retryWindow(Duration.ofSeconds(30)).maxInFlight(IN_FLIGHT).build()) {
            for (long k = 0; k < keys && failure.get() == null; k++) {
                window.acquire();
                String key = String.format("key-%08d", k);
                CompletableFuture<KvResponse> put = client.put(key, value);
                put.whenComplete((r, e) -> {
                    if (e != null || !r.ok()) {
                        failure.compareAndSet(null, e != null ? e : new IllegalStateException(key + ": HTTP " + r.status()));
                    }
                    long n = done.incrementAndGet();
                    if (n % 100_000 == 0) {
                        System.out.printf("%,d keys written in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
                    }
                    window.release();
                });
            }
            window.acquire(IN_FLIGHT);
        }
        if (failure.get() != null) {
            System.err.println("fill failed: " + failure.get());
            System.exit(1);
        }
        System.out.printf("%,d keys of %d bytes written in %.1f s%n", keys, value.length, (System.nanoTime() - start) / 1e9);
    }
}
