package io.raftkit.verifier.verification;

import io.raftkit.api.spi.StateMachine;
import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.cluster.InProcessCluster;
import io.raftkit.verifier.process.ProcessCluster;
import io.raftkit.verifier.nemesis.Nemesis;
import io.raftkit.verifier.runner.History;
import io.raftkit.verifier.runner.Recorded;
import io.raftkit.verifier.spi.Client;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One verification, start to report: the cluster, {@code concurrency} client processes and the
 * nemesis for the configured time; then every fault healed, a quiet second, the workload's final
 * operations (each retried until it succeeds or the recovery time is up); then the check and the
 * report. A process whose operation ends unknown retires and a new process number takes its place,
 * as Jepsen's do: the unknown operation may still take effect at any later moment, so the same
 * process must not look sequential past it.
 */
final class VerificationRun {

    private static final Duration QUIET = Duration.ofSeconds(1);
    /** A pause after a refused operation, so a client with no leader to go to does not spin. */
    private static final long BACKOFF_MILLIS = 20;

    private final VerificationOptions options;
    private final Supplier<? extends StateMachine> stateMachines;
    private final String mainClass;
    private final boolean durableStores;
    private final Client client;
    private final Workload workload;
    private final History history = new History();
    private final AtomicInteger nextProcess;

    /** Exactly one of {@code stateMachines} (nodes in this JVM) and {@code mainClass} (node processes) is given. */
    VerificationRun(VerificationOptions options, Supplier<? extends StateMachine> stateMachines, String mainClass, boolean durableStores,
                    Client client, Workload workload) {
        this.options = options;
        this.stateMachines = stateMachines;
        this.mainClass = mainClass;
        this.durableStores = durableStores;
        this.client = client;
        this.workload = workload;
        this.nextProcess = new AtomicInteger(options.concurrency());
    }

    VerificationResult run() throws IOException, InterruptedException {
        Files.createDirectories(options.report());
        // A fault lasts up to 1.5 intervals; a client on a paused node hears back only after it.
        Duration pauseAllowance = options.faultInterval().multipliedBy(3).dividedBy(2);
        Path stores = durableStores && mainClass == null ? Files.createTempDirectory("raftkit-verify-") : null;
        try (ClusterBackend cluster = cluster(pauseAllowance, stores)) {
            cluster.start();
            Map<String, Node> nodes = new LinkedHashMap<>();
            for (String id : cluster.nodes()) {
                nodes.put(id, cluster instanceof InProcessCluster in ? in.client(id, pauseAllowance) : cluster.node(id));
            }
            Nemesis nemesis = new Nemesis(cluster, options.faults(), options.seed() ^ 0x5DEECE66DL, options.faultInterval(),
                    (f, description) -> history.add("nemesis", "info", f, null, description, null));
            long end = System.nanoTime() + options.time().toNanos();
            SplittableRandom seeds = new SplittableRandom(options.seed());
            List<Thread> clients = new ArrayList<>();
            for (int p = 0; p < options.concurrency(); p++) {
                int first = p;
                SplittableRandom random = seeds.split();
                Thread t = new Thread(() -> clientLoop(first, random, cluster, nodes, end), "verify-client-" + p);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }
            while (System.nanoTime() < end) {
                nemesis.tick();
                Thread.sleep(50);
            }
            for (Thread t : clients) {
                t.join();
            }
            nemesis.healAll();
            Thread.sleep(QUIET.toMillis());
            String recoveryFailure = finalOps(cluster, nodes);
            List<Recorded> events = history.events();
            return VerificationReport.write(options, workload, events, check(events), recoveryFailure);
        } finally {
            if (stores != null) {
                deleteTree(stores);
            }
        }
    }

    /** Removes the temporary stores; one file that will not go is left behind, not a failed verification. */
    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            System.getLogger(VerificationRun.class.getName()).log(System.Logger.Level.WARNING, "could not delete " + root + ": " + e);
        }
    }

    /**
     * The nodes in this JVM, or processes of the main class: a client waits up to twice the request
     * timeout plus {@code pauseAllowance} for an answer, since a paused node answers only after it resumes.
     */
    private ClusterBackend cluster(Duration pauseAllowance, Path stores) throws IOException {
        if (mainClass == null) {
            return new InProcessCluster(options.nodes(), stateMachines, options.seed(), options.requestTimeout(), stores);
        }
        // The last run's data would start this run's nodes from its state, not the model's initial one.
        Path dir = options.report().resolve("cluster");
        if (Files.exists(dir)) {
            deleteTree(dir);
        }
        return new ProcessCluster(mainClass, options.nodes(), dir, options.requestTimeout(),
                options.requestTimeout().multipliedBy(2).plus(pauseAllowance));
    }

    private void clientLoop(int firstProcess, SplittableRandom random, ClusterBackend cluster, Map<String, Node> nodes, long end) {
        List<String> ids = List.copyOf(nodes.keySet());
        int process = firstProcess;
        String target = ids.get(firstProcess % ids.size());
        // Each process starts an operation every concurrency/opsPerSecond on average, staggered
        // uniformly between none and twice that, so processes do not march in step.
        long meanGapNanos = 1_000_000_000L * options.concurrency() / options.opsPerSecond();
        long nextStart = System.nanoTime();
        while (System.nanoTime() < end) {
            nextStart += random.nextLong(2 * meanGapNanos + 1);
            long wait = nextStart - System.nanoTime();
            if (wait > 0) {
                sleep(wait / 1_000_000);
            } else {
                nextStart = System.nanoTime(); // a slow operation does not buy a burst afterwards
            }
            if (System.nanoTime() >= end) {
                break;
            }
            Op op = workload.next(random);
            history.add(process, "invoke", op.f(), op.key(), op.value(), null);
            Completion done = invoke(nodes.get(target), op);
            if (done instanceof Completion.Ok ok) {
                history.add(process, "ok", op.f(), op.key(), ok.value(), null);
                continue;
            }
            if (done instanceof Completion.Fail fail) {
                history.add(process, "fail", op.f(), op.key(), op.value(), fail.reason());
            } else if (done instanceof Completion.Unknown unknown) {
                history.add(process, "info", op.f(), op.key(), op.value(), unknown.reason());
                process = nextProcess.getAndIncrement();
            } else {
                throw new AssertionError("unhandled " + done);
            }
            // Go where the node last asked thinks the leader is, else anywhere.
            target = cluster.leaderSeenBy(target).orElse(ids.get(random.nextInt(ids.size())));
            sleep(BACKOFF_MILLIS);
        }
    }

    private Completion invoke(Node node, Op op) {
        try {
            Completion c = client.invoke(node, op);
            return c != null ? c : Completion.unknown("the client returned no completion");
        } catch (RuntimeException e) {
            return Completion.unknown("the client threw " + e);
        }
    }

    /**
     * The workload's final operations, each until it succeeds: a cluster that cannot serve them
     * within the recovery time did not recover, which is a failure of its own.
     */
    private String finalOps(ClusterBackend cluster, Map<String, Node> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + options.recovery().toNanos();
        List<String> ids = List.copyOf(nodes.keySet());
        SplittableRandom random = new SplittableRandom(options.seed() + 1);
        for (Op op : workload.finalOps()) {
            String last = null;
            String target = cluster.leader().orElse(ids.get(0));
            while (true) {
                if (System.nanoTime() > deadline) {
                    return "final " + op.f() + " did not succeed within " + options.recovery().toSeconds() + " s (last: " + last + ")";
                }
                int process = nextProcess.getAndIncrement();
                history.add(process, "invoke", op.f(), op.key(), op.value(), null);
                Completion done = invoke(nodes.get(target), op);
                if (done instanceof Completion.Ok ok) {
                    history.add(process, "ok", op.f(), op.key(), ok.value(), null);
                    break;
                }
                last = done instanceof Completion.Fail f ? f.reason() : ((Completion.Unknown) done).reason();
                history.add(process, done instanceof Completion.Fail ? "fail" : "info", op.f(), op.key(), op.value(), last);
                target = cluster.leader().orElse(ids.get(random.nextInt(ids.size())));
                Thread.sleep(100);
            }
        }
        return null;
    }

    /** Checks the history as written to history.jsonl, read back: the report's file is what was checked. */
    private CheckResult check(List<Recorded> events) throws IOException {
        VerificationReport.writeHistory(events, options.report());
        Object read = HistoryFiles.read(options.report().resolve("history.jsonl"));
        return new Checker(workload.model(), Duration.ofSeconds(120)).check(read);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
