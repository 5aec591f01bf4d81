package io.raftkit.kv.bench;

import io.raftkit.kv.client.KvClient;
import io.raftkit.kv.client.KvResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raft-kv bench}: a closed-loop load. Each of {@code --clients} virtual clients sends its
 * next request when the previous one answers, so the figures are throughput at that concurrency
 * and the latency each request saw (no coordinated omission within a client's loop). Mode
 * {@code health} (GET /health) measures the HTTP stack alone: the baseline the KV figures are
 * compared against. The load itself goes through {@link LoadClient} (Vert.x), straight to the
 * leader, re-finding it after an election; KvClient only prefills and discovers.
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

    @Option(names = "--mode", defaultValue = "put", description = "put, get (linearizable), mixed (90%% get, 10%% put) or health (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the key and operation choice")
    long seed;

    @Option(names = "--client", defaultValue = "raw", description = {
            "raw (default): the tool's own HTTP loops, one connection each, straight to the leader (JSON API);",
            "kvclient: --clients threads each calling KvClient and waiting (KvClient.blocking());",
            "kvclient-async: --clients asynchronous loops on one KvClient"})
    String clientKind;

    @Option(names = "--protocol", defaultValue = "binary", description = "KvClient's protocol: binary or http (default ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--histogram-log", paramLabel = "FILE", description = "also write each measured second's latency"
            + " histogram (microseconds) to FILE in HdrHistogram's log format, stamped with the wall clock, so a run can be"
            + " cut by what the cluster was doing at the time (benchmarks/snapshot-p99.sh: the puts during snapshot writes)")
    Path histogramLog;

    private final Recorder recorder = new Recorder(3);
    private final AtomicLong errors = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean rediscovering = new AtomicBoolean();
    private KvClient kvClient;

    @Override
    public Integer call() throws Exception {
        if (!List.of("put", "get", "mixed", "health").contains(mode)) {
            System.err.println("raft-kv bench: --mode must be put, get, mixed or health, was '" + mode + "'");
            return 2;
        }
        if (!List.of("raw", "kvclient", "kvclient-async").contains(clientKind) || !List.of("binary", "http").contains(protocol)) {
            System.err.println("raft-kv bench: --client must be raw, kvclient or kvclient-async and --protocol binary or http, were '"
                    + clientKind + "' and '" + protocol + "'");
            return 2;
        }
        if (!clientKind.equals("raw") && mode.equals("health")) {
            System.err.println("raft-kv bench: --mode health measures the HTTP stack with the raw client only");
            return 2;
        }
        if (clients < 1 || seconds < 1 || warmup < 0 || valueBytes < 0 || keys < 1) {
            System.err.println("raft-kv bench: --clients, --seconds and --keys must be positive; --warmup and --value-bytes not negative");
            return 2;
        }
        PrintStream logOut = null;
        if (histogramLog != null) {
            try {
                logOut = new PrintStream(histogramLog.toFile(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("raft-kv bench: --histogram-log " + histogramLog + " cannot be written: " + e.getMessage());
                return 2;
            }
        }
        String value = "v".repeat(valueBytes);
        KvClient setup;
        try {
            setup = new KvClient(endpoints, Duration.ofSeconds(10), Duration.ofSeconds(15));
        } catch (IllegalArgumentException e) {
            System.err.println("raft-kv bench: --endpoints: " + e.getMessage());
            return 2;
        }
        LoadClient load = null;
        KvClient loadClient = null;
        KvClientLoad clientLoad = null;
        try (KvClient client = setup) {
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
            kvClient = client;
            String leader = client.status().get().body().getString("leaderHttp");
            if (leader == null) {
                System.err.println("raft-kv bench: the cluster has no leader");
                return 1;
            }
            if (clientKind.equals("raw")) {
                URI target = URI.create(mode.equals("health") ? endpoints.get(0) : leader);
                System.out.println("load against " + target + " (" + (mode.equals("health") ? "HTTP baseline" : "the leader") + ")");
                load = new LoadClient(target, clients);
                Buffer putBody = Buffer.buffer(new JsonObject().put("value", value).encode());
                for (int c = 0; c < clients; c++) {
                    loop(load, c, new SplittableRandom(seed + c), putBody, load.newClientId(), 1);
                }
            } else {
                loadClient = KvClient.builder(endpoints).protocol(protocol.equals("http") ? KvClient.Protocol.HTTP : KvClient.Protocol.BINARY)
                        .build();
                System.out.println("load through KvClient (" + protocol + ", " + clients + (clientKind.equals("kvclient")
                        ? " caller threads" : " asynchronous loops") + "); the leader is " + leader);
                clientLoad = new KvClientLoad(loadClient, recorder, errors, running);
                byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
                Predicate<SplittableRandom> write = r -> mode.equals("put") || (mode.equals("mixed") && r.nextInt(10) == 0);
                if (clientKind.equals("kvclient")) {
                    clientLoad.startThreads(clients, seed, keys, valueBytes, write);
                } else {
                    clientLoad.startAsync(clients, seed, keys, valueBytes, write);
                }
            }
            ClusterProbe probe = new ClusterProbe(endpoints);
            ClusterProbe.Reading startReading = warmup == 0 ? probe.read() : null;
            Histogram total = null;
            int totalSeconds = warmup + seconds;
            long measuredErrorsStart = 0;
            Histogram interval = null;
            HistogramLogWriter logWriter = logOut == null ? null : new HistogramLogWriter(logOut);
            if (logWriter != null) {
                logWriter.outputLogFormatVersion();
                logWriter.outputLegend();
            }
            for (int s = 1; s <= totalSeconds; s++) {
                Thread.sleep(1000);
                interval = recorder.getIntervalHistogram(interval);
                boolean measuring = s > warmup;
                if (s == warmup + 1) {
                    measuredErrorsStart = errors.get();
                    total = new Histogram(3);
                }
                if (s == warmup && warmup > 0) {
                    startReading = probe.read(); // the measured window starts with the next interval
                }
                if (measuring) {
                    total.add(interval);
                    if (logWriter != null) {
                        logWriter.outputIntervalHistogram(interval); // stamped by the recorder, in epoch milliseconds
                    }
                }
                System.out.printf("%s %3ds  %8d ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n", measuring ? "run " : "warm", s,
                        interval.getTotalCount(), ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)), errors.get());
            }
            if (logOut != null) {
                logOut.close();
            }
            ClusterProbe.Reading endReading = probe.read();
            running.set(false);
            if (clientLoad != null) {
                clientLoad.stop();
            }
            Thread.sleep(200);
            long measuredErrors = errors.get() - measuredErrorsStart;
            report(total, measuredErrors, ClusterProbe.Cost.between(startReading, endReading, total.getTotalCount()));
        } catch (ExecutionException | CompletionException e) {
            // Prefill and leader discovery go through KvClient, which has already retried.
            System.err.println("raft-kv bench: the cluster did not answer: " + (e.getCause() != null ? e.getCause().getMessage() : e));
            return 1;
        } finally {
            if (load != null) {
                load.close();
            }
            if (loadClient != null) {
                loadClient.close();
            }
        }
        return 0;
    }

    /** One virtual client: sends the next request when the previous one answered. */
    private void loop(LoadClient load, int client, SplittableRandom random, Buffer putBody, long clientId, long sequence) {
        if (!running.get()) {
            return;
        }
        String key = key(random.nextInt(keys));
        boolean write = mode.equals("put") || (mode.equals("mixed") && random.nextInt(10) == 0);
        long start = System.nanoTime();
        Future<Integer> op;
        if (mode.equals("health")) {
            op = load.send(client, HttpMethod.GET, "/health", null, 0, 0);
        } else if (write) {
            op = load.send(client, HttpMethod.PUT, "/v1/kv/" + key, putBody, clientId, sequence);
        } else {
            op = load.send(client, HttpMethod.GET, "/v1/kv/" + key, null, 0, 0);
        }
        op.onComplete(result -> {
            if (result.failed() || result.result() != 200) {
                if (errors.incrementAndGet() == 1) {
                    System.out.println("first error: " + (result.failed() ? result.cause() : "HTTP " + result.result()));
                }
                if (write && result.succeeded() && result.result() == 409) {
                    // session-expired: the cluster keeps no session for this id (its first write never
                    // applied, or it was evicted) and refuses later sequences; start a new one at 1.
                    loop(load, client, random, putBody, load.newClientId(), 1);
                    return;
                }
                if (!mode.equals("health")) {
                    rediscoverLeader(load);
                }
            } else {
                recorder.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
            }
            loop(load, client, random, putBody, clientId, write ? sequence + 1 : sequence);
        });
    }

    /** After an election the old leader answers 503: find the new one (one lookup at a time). */
    private void rediscoverLeader(LoadClient load) {
        if (!rediscovering.compareAndSet(false, true)) {
            return;
        }
        kvClient.status().whenComplete((status, failure) -> {
            String leader = failure == null ? status.body().getString("leaderHttp") : null;
            if (leader != null) {
                load.retarget(URI.create(leader));
            }
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> rediscovering.set(false));
        });
    }

    private void report(Histogram h, long measuredErrors, ClusterProbe.Cost cost) {
        double opsPerSec = h.getTotalCount() / (double) seconds;
        System.out.println();
        System.out.printf("mode %s, client %s%s, %d clients, %d-byte values, %d keys, %d s measured after %d s warm-up%n",
                mode, clientKind, clientKind.equals("raw") ? "" : " (" + protocol + ")", clients, valueBytes, keys, seconds, warmup);
        System.out.printf("%-12s %12s%n", "metric", "value");
        System.out.printf("%-12s %12.0f%n", "ops/s", opsPerSec);
        for (double p : new double[]{50, 90, 99, 99.9}) {
            System.out.printf("%-12s %12.2f%n", "p" + p + " ms", ms(h.getValueAtPercentile(p)));
        }
        System.out.printf("%-12s %12.2f%n", "max ms", ms(h.getMaxValue()));
        System.out.printf("%-12s %12d%n", "errors", measuredErrors);
        System.out.printf("%-12s %12.1f   (all nodes together%s; cores per node %s)%n", "server us/op", cost.serverMicrosPerOp(),
                cost.complete() ? "" : ", INCOMPLETE: a node's /metrics did not answer",
                cost.nodeCores().stream().map(c -> String.format("%.2f", c)).toList());
        System.out.printf("%-12s %12.1f   (this process, %.2f cores)%n", "client us/op", cost.clientMicrosPerOp(), cost.clientCores());
        System.out.printf("%-12s %12d%n", "term changes", cost.elections());
        System.out.printf("%-12s %5.1f -> %.1f%n", "load average", cost.loadStart(), cost.loadEnd());
        System.out.println(new JsonObject().put("mode", mode).put("client", clientKind.equals("raw") ? "raw" : clientKind + "/" + protocol)
                .put("clients", clients)
                .put("ops_per_sec", Math.round(opsPerSec)).put("p50_ms", round(ms(h.getValueAtPercentile(50))))
                .put("p90_ms", round(ms(h.getValueAtPercentile(90)))).put("p99_ms", round(ms(h.getValueAtPercentile(99))))
                .put("p999_ms", round(ms(h.getValueAtPercentile(99.9)))).put("max_ms", round(ms(h.getMaxValue())))
                .put("errors", measuredErrors).put("server_us_per_op", round(cost.serverMicrosPerOp()))
                .put("client_us_per_op", round(cost.clientMicrosPerOp())).put("term_changes", cost.elections())
                .put("load_average", round(cost.loadEnd())).encode());
    }

    static String key(int k) {
        return "key-" + k;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
