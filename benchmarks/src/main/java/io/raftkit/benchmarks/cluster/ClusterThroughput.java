package io.raftkit.benchmarks.cluster;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.Role;
import io.raftkit.core.memory.MemoryNetwork;
import io.raftkit.core.server.RaftServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * Committed proposals per second of three RaftServers in one JVM, for every combination of the
 * transports and log stores named, one after another in the same process, so the figures compare
 * as ratios to the first combination (the baseline) on a noisy machine.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.cluster.ClusterThroughput \
 *     --transports memory,vertx-tcp --log-stores memory,mapdb --proposers 64 --value-bytes 100 \
 *     --warmup-seconds 5 --seconds 10
 * </pre>
 */
public final class ClusterThroughput {

    /** Closed-loop proposers need a state machine that costs nothing, so Raft is what is measured. */
    static final class Discard implements StateMachine {
        private static final byte[] OK = {1};

        @Override
        public byte[] apply(long index, byte[] command) {
            return OK;
        }

        @Override
        public byte[] query(byte[] query) {
            return OK;
        }
    }

    record Result(String name, double perSecond, Histogram latency, long errors) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        List<String> transports = List.of(opts.getOrDefault("transports", "memory").split(","));
        List<String> stores = List.of(opts.getOrDefault("log-stores", "memory").split(","));
        int proposers = Integer.parseInt(opts.getOrDefault("proposers", "64"));
        int valueBytes = Integer.parseInt(opts.getOrDefault("value-bytes", "100"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup-seconds", "5"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        System.out.printf(Locale.ROOT, "3 servers in one JVM, %d proposers, %d-byte commands, %ds warm-up, %ds measured, %d cores%n",
                proposers, valueBytes, warmup, seconds, Runtime.getRuntime().availableProcessors());
        List<Result> results = new ArrayList<>();
        // Baseline: the same closed loop against one thread that completes each request at once,
        // the ceiling of handing requests to a single loop thread on this machine.
        results.add(measure("baseline: single-thread handoff", new HandoffTarget(), proposers, valueBytes, warmup, seconds));
        for (String store : stores) {
            for (String transport : transports) {
                results.add(run(transport, store, proposers, valueBytes, warmup, seconds));
            }
        }
        double base = results.get(0).perSecond();
        System.out.printf(Locale.ROOT, "%n%-28s %14s %9s %9s %9s %9s %7s%n", "transport/log-store", "commits/s", "p50 ms", "p99 ms", "p999 ms", "ratio", "errors");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-34s %14.0f %9.2f %9.2f %9.2f %9.2f %7d%n", r.name(), r.perSecond(),
                    ms(r.latency().getValueAtPercentile(50)), ms(r.latency().getValueAtPercentile(99)),
                    ms(r.latency().getValueAtPercentile(99.9)), r.perSecond() / base, r.errors());
        }
        System.exit(0);
    }

    private static Result run(String transport, String store, int proposers, int valueBytes, int warmup, int seconds)
            throws Exception {
        String name = transport + "/" + store;
        List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        ClusterConfig members = ClusterConfig.ofVoters(ids);
        Map<NodeId, String> addresses = new LinkedHashMap<>();
        for (NodeId id : ids) {
            addresses.put(id, transport.equals("memory") ? id.value() : "127.0.0.1:" + freePort());
        }
        Resources resources = Resources.EMPTY.with(MemoryNetwork.class, new MemoryNetwork("bench-" + name));
        resources = SharedResources.addFor(transport, resources);
        Path dataRoot = Files.createTempDirectory("raftkit-bench-");
        List<RaftServer> servers = new ArrayList<>();
        for (NodeId id : ids) {
            RaftServer s = RaftServer.builder().self(id).cluster(members).addresses(addresses)
                    .config(RaftConfig.defaults()).dataDir(dataRoot.resolve(id.value()))
                    .transport(transport, Options.EMPTY).logStore(store, Options.EMPTY)
                    .stateMachine(new Discard()).resources(resources).build();
            s.start();
            servers.add(s);
        }
        try {
            awaitLeader(servers);
            // Proposals go to whoever leads now: an election during the run (likely on a loaded
            // machine) must not turn the rest of the run into a spin of NotLeader errors.
            return measure(name, command -> currentLeader(servers).propose(command), proposers, valueBytes, warmup, seconds);
        } finally {
            servers.forEach(RaftServer::close);
            SharedResources.release(resources);
            deleteRecursively(dataRoot);
        }
    }

    /** Something proposers can submit to. */
    interface Target {
        java.util.concurrent.CompletableFuture<byte[]> propose(byte[] command);
    }

    /** One daemon thread completing futures in order: what a Raft loop costs with no Raft in it. */
    static final class HandoffTarget implements Target {
        private final java.util.concurrent.ExecutorService loop = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "handoff");
            t.setDaemon(true);
            return t;
        });

        @Override
        public java.util.concurrent.CompletableFuture<byte[]> propose(byte[] command) {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> command, loop);
        }
    }

    private static Result measure(String name, Target target, int proposers, int valueBytes, int warmup, int seconds)
            throws InterruptedException {
        {
            byte[] command = new byte[valueBytes];
            Recorder recorder = new Recorder(3);
            AtomicLong committed = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(proposers);
            for (int p = 0; p < proposers; p++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            target.propose(command).get(10, TimeUnit.SECONDS);
                            recorder.recordValue(System.nanoTime() - start);
                            committed.incrementAndGet();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            LockSupport.parkNanos(1_000_000); // back off while an election settles
                        }
                    }
                    done.countDown();
                }, "proposer-" + p);
                t.setDaemon(true);
                t.start();
            }
            Thread.sleep(warmup * 1000L);
            recorder.reset();
            long before = committed.get();
            long errorsBefore = errors.get();
            long start = System.nanoTime();
            for (int s = 1; s <= seconds; s++) {
                long mark = committed.get();
                Thread.sleep(1000);
                System.out.printf(Locale.ROOT, "  %s  second %2d: %,d commits%n", name, s, committed.get() - mark);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long count = committed.get() - before;
            Histogram latency = recorder.getIntervalHistogram();
            stop.set(true);
            done.await(15, TimeUnit.SECONDS);
            return new Result(name, count / elapsed, latency, errors.get() - errorsBefore);
        }
    }

    private static RaftServer currentLeader(List<RaftServer> servers) {
        for (RaftServer s : servers) {
            if (s.status().role() == Role.LEADER) {
                return s;
            }
        }
        return servers.get(0); // none right now: the proposal fails with NotLeader and counts as an error
    }

    private static RaftServer awaitLeader(List<RaftServer> servers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                if (s.status().role() == Role.LEADER) {
                    return s;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader elected within 20 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
