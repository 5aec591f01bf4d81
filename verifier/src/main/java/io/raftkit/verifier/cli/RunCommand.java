package io.raftkit.verifier.cli;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.DockerBackend;
import io.raftkit.verifier.backend.LocalBackend;
import io.raftkit.verifier.backend.NodeStorage;
import io.raftkit.verifier.report.SnapshotActivity;
import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.nemesis.Fault;
import io.raftkit.verifier.nemesis.MembershipPlan;
import io.raftkit.verifier.report.Report;
import io.raftkit.verifier.runner.History;
import io.raftkit.verifier.runner.PlantedBug;
import io.raftkit.verifier.runner.RunOptions;
import io.raftkit.verifier.runner.Runner;
import io.raftkit.verifier.workload.ListAppendWorkload;
import io.raftkit.verifier.kv.KvClient;
import io.raftkit.verifier.spi.Workload;
import io.raftkit.verifier.spi.Workloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Starts a cluster, drives concurrent clients while injecting faults, records the history,"
                + " checks it and writes a report to --out.%nExit codes: 0 valid, 1 invalid, 2 unknown or error,"
                + " 3 linearizable but the cluster did not serve again after the final heal.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--backend", defaultValue = "local",
            description = "local (processes on loopback) or docker (containers through Testcontainers) (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--base-image", defaultValue = "${env:RAFTKIT_BASE_IMAGE:-eclipse-temurin:17-jre}",
            description = "docker backend: the image's BASE_IMAGE; use docker/make-base-image.sh's tag where no registry is reachable (default ${DEFAULT-VALUE})")
    String baseImage;

    @Option(names = "--nodes", defaultValue = "5", description = "cluster size (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--time-limit", defaultValue = "60", description = "seconds of client load and faults (default ${DEFAULT-VALUE})")
    long timeLimitSeconds;

    @Option(names = "--concurrency", defaultValue = "10", description = "client threads (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--keys", defaultValue = "8", description = "independent registers (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--ops-per-key", defaultValue = "1000",
            description = "register workload: operations on a key before its slot moves to a fresh key, which bounds each"
                    + " key's history and so the checker's work (default ${DEFAULT-VALUE})")
    int opsPerKey;

    @Option(names = "--workload", defaultValue = "register",
            description = "register, set, or list-append (transactions over POST /v1/txn, checked by the Elle-style"
                    + " list-append checker) (default ${DEFAULT-VALUE})")
    String workload;

    @Option(names = "--appends-per-key", defaultValue = "32",
            description = "list-append workload: appends to a key before its slot moves to a fresh key, which keeps lists"
                    + " short (default ${DEFAULT-VALUE})")
    int appendsPerKey;

    @Option(names = "--nemesis", defaultValue = "partition,kill,pause,crash,network", split = ",",
            description = "faults to inject, overlapping, with shapes and durations from the seed: partition (all traffic"
                    + " between the sides), kill (-9), pause, crash (power loss: unsynced writes dropped), network (packet"
                    + " loss, duplication, delay), membership (a node removed, wiped and joining again empty; a node replaced"
                    + " by a fresh one under a new id; the leadership moved: see --membership-changes; local and docker"
                    + " backends), or none. Kinds take turns in this order (default ${DEFAULT-VALUE})")
    List<String> nemesis;

    @Option(names = "--membership-changes", defaultValue = "rejoin,replace,move-leader", split = ",",
            description = "what the membership nemesis does, in turn: rejoin (remove a node, wipe its data, start it empty"
                    + " with --join, promote it), replace (wipe a node, a fresh node with a new id joins and is promoted, the"
                    + " old id is removed), move-leader (POST /v1/leader to another voter) (default ${DEFAULT-VALUE})")
    List<String> membershipChanges;

    @Option(names = "--membership-seconds", defaultValue = "40",
            description = "how long one membership change may retry (changes are refused or stall under faults) before it"
                    + " gives up; the final heal restores the full membership within three times this (default ${DEFAULT-VALUE})")
    long membershipSeconds;

    @Option(names = "--seed", description = "seed of every random choice (default: random, printed)")
    Long seed;

    @Option(names = "--out", defaultValue = "verify-out", description = "report directory (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--kv-jar", defaultValue = "raft-statemachine-kv/target/raft-kv.jar", description = "the KV server jar (default ${DEFAULT-VALUE})")
    Path kvJar;

    @Option(names = "--fault-seconds", defaultValue = "8",
            description = "mean length of a fault and mean gap between fault starts; each is drawn from half to one and a half"
                    + " times this (default ${DEFAULT-VALUE})")
    long faultSeconds;

    @Option(names = "--quiet-seconds", defaultValue = "5", description = "quiet period after the final heal (default ${DEFAULT-VALUE})")
    long quietSeconds;

    @Option(names = "--recovery-seconds", defaultValue = "60",
            description = "after the final heal and quiet period, how long the final reads may keep failing before the run fails with exit 3 (default ${DEFAULT-VALUE})")
    long recoverySeconds;

    @Option(names = "--stale-reads", description = "read with ?consistency=stale: deliberately unsafe, to show the checker"
            + " catches it (the same as --plant stale-read)")
    boolean staleReads;

    @Option(names = "--snapshot-every", defaultValue = "0", paramLabel = "ENTRIES",
            description = "the nodes take a snapshot every ENTRIES entries and keep a quarter of that behind it, so"
                    + " kills and partitions exercise compaction and InstallSnapshot; 0: the server's default policy"
                    + " (default ${DEFAULT-VALUE})")
    long snapshotEvery;

    @Option(names = "--plant", defaultValue = "none",
            description = "a deliberate bug, to show that the run catches it: stale-read, lost-write (logs in memory),"
                    + " minority-serves (a client that reads a cut-off node's local state), ack-before-fsync (the log store"
                    + " acknowledges before it syncs), or none (default ${DEFAULT-VALUE})")
    String plant;

    @Override
    public Integer call() throws Exception {
        if (!backend.equals("local") && !backend.equals("docker")) {
            throw new IllegalArgumentException("--backend must be local or docker, was '" + backend + "'");
        }
        List<Fault> faults = new ArrayList<>();
        for (String n : nemesis) {
            if (!n.isBlank() && !n.equals("none")) {
                faults.add(Fault.parse(n));
            }
        }
        long runSeed = seed != null ? seed : new java.security.SecureRandom().nextLong();
        PlantedBug bug = staleReads ? PlantedBug.STALE_READ : PlantedBug.parse(plant);
        RunOptions options = new RunOptions(nodes, Duration.ofSeconds(timeLimitSeconds), concurrency, keys, opsPerKey, workload,
                faults, runSeed, out, Duration.ofSeconds(faultSeconds), Duration.ofSeconds(quietSeconds), Duration.ofSeconds(2), bug,
                Duration.ofSeconds(recoverySeconds), new MembershipPlan(membershipChanges, Duration.ofSeconds(membershipSeconds)));
        boolean listAppend = workload.equals("list-append");
        Workload work = listAppend ? null : kvWorkload(workload, keys, opsPerKey);
        ListAppendWorkload txns = listAppend ? new ListAppendWorkload(keys, appendsPerKey) : null;
        Files.createDirectories(out);
        System.out.printf("raft-verifier run: %d nodes, %d s, %d clients, %d keys, workload %s, nemesis %s, seed %d%s, out %s%n",
                nodes, timeLimitSeconds, concurrency, keys, workload, faults, runSeed,
                bug == PlantedBug.NONE ? "" : ", PLANTED BUG " + bug.word(), out.toAbsolutePath());
        // Faults start after one healthy interval, then about one per interval (kinds in turn).
        long turns = timeLimitSeconds <= faultSeconds ? 0 : (timeLimitSeconds - faultSeconds) / faultSeconds;
        if (turns < faults.size()) {
            System.out.printf("note: %d s with %d s faults leaves room for about %d fault(s), so %s may not all be injected;"
                    + " raise --time-limit to at least %d s to exercise all of them%n", timeLimitSeconds, faultSeconds, turns,
                    faults, faultSeconds * (faults.size() + 1L));
        }
        NodeStorage storage = bug.storage().withSnapshotEvery(snapshotEvery);
        try (ClusterBackend cluster = backend.equals("docker")
                ? new DockerBackend(repository(kvJar), baseImage, out.toAbsolutePath(), nodes, storage)
                : new LocalBackend(kvJar.toAbsolutePath(), out.toAbsolutePath(), nodes, storage)) {
            // Ctrl-C or SIGTERM mid-run: without this the nodes (child processes or containers)
            // would outlive the verifier.
            Thread stopCluster = new Thread(() -> {
                System.err.println("raft-verifier: interrupted before the end of the run; stopping the cluster (no verdict)");
                try {
                    cluster.close();
                } catch (Exception e) {
                    System.err.println("raft-verifier: could not stop every node: " + e);
                }
            }, "stop-cluster");
            Runtime.getRuntime().addShutdownHook(stopCluster);
            try {
                return listAppend ? ListAppendRun.runAndCheck(cluster, options, txns, out) : runAndCheck(cluster, options, work);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopCluster);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is already running
                }
            }
        }
    }

    private int runAndCheck(ClusterBackend cluster, RunOptions options, Workload work) throws Exception {
        cluster.start();
        System.out.println("cluster up; leader " + cluster.leader().orElse("unknown"));
        KvClient client = KvClient.forWorkload(work, options.requestTimeout(), options.staleReads(),
                options.plantedBug() == PlantedBug.MINORITY_SERVES);
        Runner runner = new Runner(cluster, options, work, client, System.out);
        History history = runner.run();
        SnapshotActivity.report(SnapshotActivity.collect(cluster), out, System.out);
        Path jsonl = out.resolve("history.jsonl");
        HistoryWriter.writeJsonl(history.events(), jsonl);
        CheckResult result = Checker.forModel(work.model(), Duration.ofSeconds(120)).check(HistoryFiles.read(jsonl));
        Map<String, Object> clusterInfo = new LinkedHashMap<>();
        for (String node : cluster.nodes()) {
            clusterInfo.put(node, cluster.endpoint(node));
        }
        Report.write(out, options, work.model(), history.events(), result, runner.recoveryFailure(), runner.resent(), clusterInfo, System.out);
        return switch (result.verdict()) {
            case VALID -> runner.recoveryFailure() == null ? 0 : 3;
            case INVALID -> 1;
            case UNKNOWN -> 2;
        };
    }

    /**
     * The KV store's workload for {@code --workload register} or {@code set}: the SPI workloads
     * {@code kv-register} and {@code kv-set}, found through ServiceLoader as a user's are, sized by
     * {@code --keys} and {@code --ops-per-key}.
     */
    static Workload kvWorkload(String name, int keys, int opsPerKey) {
        if (!name.equals("register") && !name.equals("set")) {
            throw new IllegalArgumentException("unknown workload '" + name + "': choose register, set or list-append");
        }
        return Workloads.named("kv-" + name).configure(Map.of("keys", Integer.toString(keys), "ops-per-key", Integer.toString(opsPerKey)));
    }

    /** The checkout the Docker backend builds its image from: the jar must be its raft-kv.jar. */
    private static Path repository(Path kvJar) {
        Path jar = kvJar.toAbsolutePath().normalize();
        Path repo = jar.getNameCount() >= 3 ? jar.getParent().getParent().getParent() : null;
        if (repo == null || !Files.isRegularFile(repo.resolve("docker/Dockerfile"))) {
            throw new IllegalArgumentException("--kv-jar: the docker backend builds its image from a RaftKit checkout, so the jar"
                    + " must be <checkout>/raft-statemachine-kv/target/raft-kv.jar; " + jar + " is not");
        }
        return repo;
    }
}
