package io.raftkit.kv.bench;

import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvResponse;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raft-kv bench}: a closed-loop load. Each of {@code --clients} virtual clients sends its
 * next request when the previous one answers, so the figures are throughput at that concurrency
 * and the latency each request saw (no coordinated omission within a client's loop). Mode
 * {@code health} (GET /health) measures the HTTP stack alone: the baseline the KV figures are
 * compared against.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Closed-loop load against a running cluster.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--endpoints", required = true, split = ",", paramLabel = "URL", description = "node base URLs")
    List<String> endpoints;

    @Option(names = "--clients", defaultValue = "64", description = "concurrent closed-loop clients (default 64)")
    int clients;

    @Option(names = "--seconds", defaultValue = "20", description = "measured duration (default 20)")
    int seconds;

    @Option(names = "--warmup", defaultValue = "10", description = "unmeasured warm-up seconds (default 10)")
    int warmup;

    @Option(names = "--value-bytes", defaultValue = "100", description = "value size (default 100)")
    int valueBytes;

    @Option(names = "--keys", defaultValue = "1000", description = "distinct keys (default 1000)")
    int keys;

    @Option(names = "--mode", defaultValue = "put", description = "put, get (linearizable), mixed (90% get, 10% put) or health")
    String mode;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the key and operation choice")
    long seed;

    private final Recorder recorder = new Recorder(3);
    private final AtomicLong errors = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Override
    public Integer call() throws Exception {
        if (!List.of("put", "get", "mixed", "health").contains(mode)) {
            System.err.println("raft-kv bench: --mode must be put, get, mixed or health, was '" + mode + "'");
            return 2;
        }
        if (clients < 1 || seconds < 1 || warmup < 0 || valueBytes < 0 || keys < 1) {
            System.err.println("raft-kv bench: --clients, --seconds and --keys must be positive; --warmup and --value-bytes not negative");
            return 2;
        }
        String value = "v".repeat(valueBytes);
        try (KvClient client = new KvClient(endpoints, Duration.ofSeconds(10), Duration.ofSeconds(15))) {
            HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            if (!mode.equals("put") && !mode.equals("health")) {
                System.out.println("prefilling " + keys + " keys...");
                List<CompletableFuture<KvResponse>> fills = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    fills.add(client.put(key(k), value));
                    if (fills.size() == clients) {
                        CompletableFuture.allOf(fills.toArray(CompletableFuture[]::new)).join();
                        fills.clear();
                    }
                }
                CompletableFuture.allOf(fills.toArray(CompletableFuture[]::new)).join();
            }
            for (int c = 0; c < clients; c++) {
                loop(client, raw, new SplittableRandom(seed + c), value);
            }
            Histogram total = null;
            int totalSeconds = warmup + seconds;
            long measuredErrorsStart = 0;
            Histogram interval = null;
            for (int s = 1; s <= totalSeconds; s++) {
                Thread.sleep(1000);
                interval = recorder.getIntervalHistogram(interval);
                boolean measuring = s > warmup;
                if (s == warmup + 1) {
                    measuredErrorsStart = errors.get();
                    total = new Histogram(3);
                }
                if (measuring) {
                    total.add(interval);
                }
                System.out.printf("%s %3ds  %8d ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n", measuring ? "run " : "warm", s,
                        interval.getTotalCount(), ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)), errors.get());
            }
            running.set(false);
            Thread.sleep(200);
            long measuredErrors = errors.get() - measuredErrorsStart;
            report(total, measuredErrors);
        }
        return 0;
    }

    private void loop(KvClient client, HttpClient raw, SplittableRandom random, String value) {
        if (!running.get()) {
            return;
        }
        String key = key(random.nextInt(keys));
        boolean write = mode.equals("put") || (mode.equals("mixed") && random.nextInt(10) == 0);
        long start = System.nanoTime();
        CompletableFuture<Integer> op;
        if (mode.equals("health")) {
            op = raw.sendAsync(HttpRequest.newBuilder(URI.create(endpoints.get(0) + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::statusCode);
        } else {
            op = (write ? client.put(key, value) : client.get(key)).thenApply(KvResponse::status);
        }
        op.whenComplete((status, failure) -> {
            if (failure != null || status != 200) {
                errors.incrementAndGet();
            } else {
                recorder.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
            }
            loop(client, raw, random, value);
        });
    }

    private void report(Histogram h, long measuredErrors) {
        double opsPerSec = h.getTotalCount() / (double) seconds;
        System.out.println();
        System.out.printf("mode %s, %d clients, %d-byte values, %d keys, %d s measured after %d s warm-up%n",
                mode, clients, valueBytes, keys, seconds, warmup);
        System.out.printf("%-12s %12s%n", "metric", "value");
        System.out.printf("%-12s %12.0f%n", "ops/s", opsPerSec);
        for (double p : new double[]{50, 90, 99, 99.9}) {
            System.out.printf("%-12s %12.2f%n", "p" + p + " ms", ms(h.getValueAtPercentile(p)));
        }
        System.out.printf("%-12s %12.2f%n", "max ms", ms(h.getMaxValue()));
        System.out.printf("%-12s %12d%n", "errors", measuredErrors);
        System.out.println(new JsonObject().put("mode", mode).put("clients", clients)
                .put("ops_per_sec", Math.round(opsPerSec)).put("p50_ms", round(ms(h.getValueAtPercentile(50))))
                .put("p90_ms", round(ms(h.getValueAtPercentile(90)))).put("p99_ms", round(ms(h.getValueAtPercentile(99))))
                .put("p999_ms", round(ms(h.getValueAtPercentile(99.9)))).put("max_ms", round(ms(h.getMaxValue())))
                .put("errors", measuredErrors).encode());
    }

    private static String key(int k) {
        return "key-" + k;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
