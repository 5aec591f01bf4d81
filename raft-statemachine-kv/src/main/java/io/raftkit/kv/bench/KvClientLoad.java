package io.raftkit.kv.bench;

import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.HdrHistogram.Recorder;

/**
 * The load through {@link KvClient}, as an application would send it: {@code callers} threads that
 * each call and wait ({@link KvClient#blocking()}), or {@code callers} asynchronous loops that send
 * the next request from the previous one's completion. Errors are what the client gave up on after
 * its retries.
 */
final class KvClientLoad {

    private final KvClient client;
    private final Recorder recorder;
    private final AtomicLong errors;
    private final AtomicBoolean running;
    private final List<Thread> threads = new ArrayList<>();

    KvClientLoad(KvClient client, Recorder recorder, AtomicLong errors, AtomicBoolean running) {
        this.client = client;
        this.recorder = recorder;
        this.errors = errors;
        this.running = running;
    }

    /** {@code write} says, for a caller's random source, whether its next operation writes. */
    void startThreads(int callers, long seed, int keys, byte[] value, Predicate<SplittableRandom> write) {
        for (int c = 0; c < callers; c++) {
            SplittableRandom random = new SplittableRandom(seed + c);
            Thread t = new Thread(() -> {
                while (running.get()) {
                    String key = BenchCommand.key(random.nextInt(keys));
                    long start = System.nanoTime();
                    try {
                        KvResponse r = write.test(random) ? client.blocking().put(key, value) : client.blocking().get(key);
                        record(r, start);
                    } catch (RuntimeException e) {
                        error(e);
                    }
                }
            }, "bench-caller-" + c);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    void startAsync(int callers, long seed, int keys, byte[] value, Predicate<SplittableRandom> write) {
        for (int c = 0; c < callers; c++) {
            loop(new SplittableRandom(seed + c), keys, value, write);
        }
    }

    private void loop(SplittableRandom random, int keys, byte[] value, Predicate<SplittableRandom> write) {
        if (!running.get()) {
            return;
        }
        String key = BenchCommand.key(random.nextInt(keys));
        long start = System.nanoTime();
        CompletableFuture<KvResponse> op = write.test(random) ? client.put(key, value) : client.get(key);
        op.whenComplete((r, e) -> {
            if (e != null) {
                error(e);
            } else {
                record(r, start);
            }
            loop(random, keys, value, write);
        });
    }

    private void record(KvResponse r, long start) {
        if (r.ok()) {
            recorder.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
        } else {
            error(new IllegalStateException("HTTP " + r.status() + " " + r.body().encode()));
        }
    }

    private void error(Throwable e) {
        if (errors.incrementAndGet() == 1) {
            System.out.println("first error: " + e);
        }
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
