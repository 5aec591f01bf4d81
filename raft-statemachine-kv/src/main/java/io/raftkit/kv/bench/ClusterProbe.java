package io.raftkit.kv.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import io.vertx.core.json.JsonObject;

/**
 * What a run cost and what happened to the cluster meanwhile: the CPU time of every node (its
 * {@code process_cpu_time_ns_total} from /metrics) and of this process, each node's term, and the
 * host's load average. Taken at the start and the end of the measured window, so CPU per operation
 * is measured in the same run as the throughput (the machine this runs on is shared: CPU per
 * operation stays comparable when other work takes the cores and the throughput does not).
 */
final class ClusterProbe {

    /** One reading. A node that did not answer has an empty CPU and term. */
    record Reading(long nanos, long ownCpuNanos, List<OptionalLong> nodeCpuNanos, List<OptionalLong> terms, double loadAverage) {
    }

    private final List<String> endpoints;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    ClusterProbe(List<String> endpoints) {
        this.endpoints = endpoints;
    }

    Reading read() {
        List<OptionalLong> cpu = new ArrayList<>();
        List<OptionalLong> terms = new ArrayList<>();
        for (String endpoint : endpoints) {
            cpu.add(nodeCpuNanos(endpoint));
            terms.add(term(endpoint));
        }
        return new Reading(System.nanoTime(), ownCpuNanos(), cpu, terms,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** This JVM's CPU time: every thread, the JIT and the collector included. */
    static long ownCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    private OptionalLong nodeCpuNanos(String endpoint) {
        String metrics = get(endpoint + "/metrics");
        if (metrics == null) {
            return OptionalLong.empty();
        }
        for (String line : metrics.split("\n")) {
            if (line.startsWith("process_cpu_time_ns_total ")) {
                try {
                    return OptionalLong.of((long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private OptionalLong term(String endpoint) {
        String status = get(endpoint + "/v1/status");
        try {
            return status == null ? OptionalLong.empty() : OptionalLong.of(new JsonObject(status).getLong("term"));
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private String get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** CPU and elections between two readings, for {@code operations} operations. */
    record Cost(double serverMicrosPerOp, List<Double> nodeCores, double clientMicrosPerOp, double clientCores,
                long elections, double loadStart, double loadEnd, boolean complete) {

        static Cost between(Reading start, Reading end, long operations) {
            double seconds = (end.nanos() - start.nanos()) / 1e9;
            long serverNanos = 0;
            boolean complete = true;
            List<Double> cores = new ArrayList<>();
            long elections = 0;
            for (int i = 0; i < start.nodeCpuNanos().size(); i++) {
                OptionalLong a = start.nodeCpuNanos().get(i);
                OptionalLong b = end.nodeCpuNanos().get(i);
                if (a.isPresent() && b.isPresent()) {
                    serverNanos += b.getAsLong() - a.getAsLong();
                    cores.add((b.getAsLong() - a.getAsLong()) / 1e9 / seconds);
                } else {
                    complete = false;
                    cores.add(Double.NaN);
                }
                OptionalLong t0 = start.terms().get(i);
                OptionalLong t1 = end.terms().get(i);
                if (t0.isPresent() && t1.isPresent()) {
                    elections = Math.max(elections, t1.getAsLong() - t0.getAsLong());
                }
            }
            long clientNanos = end.ownCpuNanos() - start.ownCpuNanos();
            long ops = Math.max(1, operations);
            return new Cost(serverNanos / 1e3 / ops, cores, clientNanos / 1e3 / ops, clientNanos / 1e9 / seconds,
                    elections, start.loadAverage(), end.loadAverage(), complete);
        }
    }
}
