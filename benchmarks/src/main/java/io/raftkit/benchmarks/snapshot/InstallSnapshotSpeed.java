package io.raftkit.benchmarks.snapshot;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.spi.Options;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.SnapshotPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 16's InstallSnapshot figure: a snapshot of {@code --megabytes} MiB moved by InstallSnapshot
 * from a leader to an empty follower, against copying the same snapshot file on the same disk, in the
 * same run, alternated.
 *
 * <p>The leader runs here: a one-voter cluster on {@code vertx-tcp} with the {@code mapdb} log and
 * snapshot stores and a {@link GeneratedBytes} state machine set to the size; it takes a snapshot
 * (an opaque stream file of that size) and compacts its log. Each round then (1) copies that
 * snapshot file to a new file and forces it ({@code Files.copy} + {@code FileChannel.force}: the
 * baseline), and (2) starts {@link InstallSnapshotReceiver} in its own JVM with {@code -Xmx} of
 * {@code --receiver-heap} and an empty data directory, adds it as a learner, and reads the
 * receiver's own timing of the transfer (first chunk written to the snapshot durable in its store).
 * The learner is removed before the next round, which uses a new id and directory.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.raftkit.benchmarks.snapshot.InstallSnapshotSpeed \
 *     --megabytes 512 --rounds 3 --receiver-heap 256m [--chunk-kib 256] [--max-inflight 8] [--dir /var/tmp]
 * </pre>
 */
public final class InstallSnapshotSpeed {

    private static final String CLUSTER_ID = "install-snapshot-bench";
    private static final Pattern INSTALLED = Pattern.compile("installed bytes=(\\d+) transfer_ms=([0-9.]+) cpu_ms=([0-9.]+) .*");

    private InstallSnapshotSpeed() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        long bytes = Long.parseLong(opts.getOrDefault("megabytes", "512")) << 20;
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        String receiverHeap = opts.getOrDefault("receiver-heap", "256m");
        int chunkBytes = Integer.parseInt(opts.getOrDefault("chunk-kib", String.valueOf(SnapshotPolicy.DEFAULT.chunkBytes() >> 10))) << 10;
        // The leader's window: chunks sent and not yet answered (RaftConfig.maxInflightAppends), to see
        // whether the round trip, not the CPU, bounds the transfer.
        RaftConfig config = RaftConfig.defaults().toBuilder()
                .maxInflightAppends(Integer.parseInt(opts.getOrDefault("max-inflight", String.valueOf(RaftConfig.defaults().maxInflightAppends()))))
                .build();
        Path root = Files.createTempDirectory(Path.of(opts.getOrDefault("dir", System.getProperty("java.io.tmpdir"))), "raftkit-install-");
        NodeId leaderId = NodeId.of("n1");
        String leaderAddress = "127.0.0.1:" + freePort();
        RaftServer leader = RaftServer.builder().self(leaderId).clusterId(CLUSTER_ID).cluster(ClusterConfig.ofVoters(List.of(leaderId)))
                .addresses(Map.of(leaderId, leaderAddress)).config(config).dataDir(root.resolve("n1"))
                .transport("vertx-tcp", Options.EMPTY).logStore("mapdb", Options.EMPTY).snapshotStore("mapdb", Options.EMPTY)
                .snapshotPolicy(SnapshotPolicy.manualOnly().withKeptEntries(0).withChunkBytes(chunkBytes))
                .stateMachine(new GeneratedBytes()).build();
        List<double[]> results = new ArrayList<>();
        try {
            leader.start();
            awaitLeader(leader);
            // Two snapshots: compaction never passes the snapshot before the newest, so only the
            // second one compacts the log far enough that a new member must get a snapshot.
            leader.propose(GeneratedBytes.command(bytes, 15)).get(30, TimeUnit.SECONDS);
            leader.takeSnapshot().get(10, TimeUnit.MINUTES);
            leader.propose(GeneratedBytes.command(bytes, 16)).get(30, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            SnapshotMeta snapshot = leader.takeSnapshot().get(10, TimeUnit.MINUTES);
            System.out.printf(Locale.ROOT, "leader snapshot %s: %,d bytes written and durable in %.0f ms; chunks of %d KiB, %d in flight%n",
                    snapshot.id(), snapshot.sizeBytes(), (System.nanoTime() - t0) / 1e6, chunkBytes >> 10,
                    config.maxInflightAppends());
            Path file = root.resolve("n1").resolve("snapshots").resolve("snapshot-" + snapshot.id() + ".stream");
            if (Files.size(file) != snapshot.sizeBytes()) {
                throw new IllegalStateException(file + " has " + Files.size(file) + " bytes, the snapshot " + snapshot.sizeBytes());
            }
            for (int round = 1; round <= rounds; round++) {
                double copyMs = copy(file, root.resolve("copy-" + round));
                double transferMs = install(leader, leaderId, leaderAddress, root, round, receiverHeap, snapshot.sizeBytes());
                double ratio = copyMs / transferMs;
                results.add(new double[] {copyMs, transferMs, ratio});
                System.out.printf(Locale.ROOT, "round %d: copy %.0f ms (%.0f MB/s), InstallSnapshot %.0f ms (%.0f MB/s), speed ratio %.2f, load %s%n",
                        round, copyMs, mbPerSecond(snapshot.sizeBytes(), copyMs), transferMs, mbPerSecond(snapshot.sizeBytes(), transferMs),
                        ratio, loadAverage());
            }
        } finally {
            leader.close();
            deleteRecursively(root);
        }
        results.sort(Comparator.comparingDouble(r -> r[2]));
        System.out.printf(Locale.ROOT, "speed ratio InstallSnapshot / copy over %d rounds: min %.2f, median %.2f, max %.2f (target >= 0.5)%n",
                results.size(), results.get(0)[2], results.get(results.size() / 2)[2], results.get(results.size() - 1)[2]);
        System.exit(0);
    }

    /** The baseline: the snapshot file copied on the same disk and forced, in ms. */
    private static double copy(Path from, Path to) throws IOException {
        long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long start = System.nanoTime();
        Files.copy(from, to);
        try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        System.out.printf(Locale.ROOT, "  copy: cpu_ms=%.1f%n",
                (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1e6);
        Files.delete(to);
        return ms;
    }

    /** One transfer to a fresh learner in its own JVM; the receiver's own timing, in ms. */
    private static double install(RaftServer leader, NodeId leaderId, String leaderAddress, Path root, int round, String heap,
                                  long expectedBytes) throws Exception {
        NodeId id = NodeId.of("r" + round);
        String address = "127.0.0.1:" + freePort();
        Path dir = root.resolve(id.value());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap));
        String extra = System.getenv("RECEIVER_JAVA_OPTS"); // e.g. a flight recording of the receiver
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), InstallSnapshotReceiver.class.getName(),
                id.value(), address, leaderId.value(), leaderAddress, CLUSTER_ID, dir.toString()));
        Process receiver = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
            String line = awaitLine(out, "ready", null);
            long cpu0 = InstallSnapshotReceiver.processCpuNanos();
            leader.addLearner(id, address).get(60, TimeUnit.SECONDS);
            line = awaitLine(out, "installed ", receiver);
            System.out.printf(Locale.ROOT, "  receiver %s: %s%n  leader: cpu_ms=%.1f from adding the learner to its install%n", id, line,
                    (InstallSnapshotReceiver.processCpuNanos() - cpu0) / 1e6);
            Matcher m = INSTALLED.matcher(line);
            if (!m.matches() || Long.parseLong(m.group(1)) != expectedBytes) {
                throw new IllegalStateException("receiver " + id + " reported '" + line + "', expected " + expectedBytes + " bytes");
            }
            if (!receiver.waitFor(60, TimeUnit.SECONDS)) {
                receiver.destroyForcibly();
            }
            leader.remove(id).get(60, TimeUnit.SECONDS);
            deleteRecursively(dir);
            return Double.parseDouble(m.group(2));
        } finally {
            receiver.destroyForcibly();
        }
    }

    /** Reads the receiver's output until a line starting with {@code prefix}; other lines (its log) are dropped. */
    private static String awaitLine(BufferedReader out, String prefix, Process process) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix)) {
                return line;
            }
            if (System.getenv("RECEIVER_LOG") != null || line.contains("Exception") || line.contains("ERROR") || line.contains("SEVERE")) {
                System.out.println("  receiver: " + line);
            }
        }
        throw new IllegalStateException("the receiver ended before printing '" + prefix + "'");
    }

    private static double mbPerSecond(long bytes, double ms) {
        return bytes / 1e6 / (ms / 1e3);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void awaitLeader(RaftServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.status().role() != Role.LEADER) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the one-voter cluster elected no leader in 30 s");
            }
            Thread.sleep(10);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
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
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
