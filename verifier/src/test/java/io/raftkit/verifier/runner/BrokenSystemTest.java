package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.backend.LocalBackend;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.backend.PacketFaults;
import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.checker.Verdict;
import io.raftkit.verifier.client.KvHttpClient;
import io.raftkit.verifier.client.KvResult;
import io.raftkit.verifier.client.Outcome;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.kv.KvRegisterWorkload;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier must catch a broken system, and must not call a sound one broken. */
class BrokenSystemTest {

    @TempDir
    Path dir;

    private static CheckResult check(History history, String model, Path dir) throws Exception {
        return check(history, model, null, dir);
    }

    private static CheckResult check(History history, String model, Object initial, Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Path jsonl = dir.resolve("history.jsonl");
        HistoryWriter.writeJsonl(history.events(), jsonl);
        return new Checker(model, initial, Duration.ofSeconds(60)).check(HistoryFiles.read(jsonl));
    }

    private static KvResult record(History h, int process, String f, String key, Object value,
                                   java.util.function.Supplier<KvResult> call) {
        h.add(process, "invoke", f, key, f.equals("read") ? null : value, null);
        KvResult r = call.get();
        h.add(process, r.outcome().name().toLowerCase(java.util.Locale.ROOT), f, key,
                f.equals("read") ? r.value() : value, r.error());
        return r;
    }

    /** A fresh cluster may still refuse (certainly not applied) while it settles: retry those. */
    private static void writeUntilOk(History h, int process, KvHttpClient client, String endpoint, String value)
            throws InterruptedException {
        KvResult r = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            r = record(h, process, "write", "k", value, () -> client.write(endpoint, "k", value));
            if (r.outcome() == Outcome.OK) {
                return;
            }
            assertThat(r.outcome()).as("a write with unknown outcome spoils the scenario: " + r.error()).isEqualTo(Outcome.FAIL);
            Thread.sleep(250);
        }
        throw new AssertionError("write " + value + " never succeeded: " + r.error());
    }

    @Test
    void staleReadsFromAnIsolatedNodeWrittenAroundAreReportedAsNotLinearizable() throws Exception {
        try (LocalBackend cluster = new LocalBackend(KvJar.path(), dir, 3)) {
            cluster.start();
            String leader = cluster.awaitLeader(Duration.ofSeconds(30));
            String isolated = cluster.nodes().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
            KvHttpClient client = new KvHttpClient(Duration.ofSeconds(3));
            History history = new History();
            writeUntilOk(history, 0, client, cluster.endpoint(leader), "0");
            // let the soon-isolated node apply the first write, so its stale state is "0"
            for (int i = 0; i < 50 && !"0".equals(client.read(cluster.endpoint(isolated), "k", true).value()); i++) {
                Thread.sleep(100);
            }
            Set<String> others = new java.util.HashSet<>(cluster.nodes());
            others.remove(isolated);
            java.util.Map<String, Set<String>> cut = new java.util.HashMap<>();
            cut.put(isolated, others);
            for (String o : others) {
                cut.put(o, Set.of(isolated));
            }
            cluster.network(new NetworkState(cut, java.util.Map.of(), PacketFaults.NONE));
            writeUntilOk(history, 1, client, cluster.endpoint(leader), "1");
            KvResult stale = record(history, 2, "read", "k", null, () -> client.read(cluster.endpoint(isolated), "k", true));
            assertThat(stale.value()).as("the isolated node serves its stale local state").isEqualTo("0");
            CheckResult result = check(history, "cas-register", dir);
            assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
            assertThat(result.explain()).contains("cannot linearize process 2 read \"0\"");
        }
    }

    @Test
    void aWriteLostWithEveryNodesDataIsReportedAsNotLinearizable() throws Exception {
        try (LocalBackend cluster = new LocalBackend(KvJar.path(), dir, 3)) {
            cluster.start();
            String leader = cluster.awaitLeader(Duration.ofSeconds(30));
            KvHttpClient client = new KvHttpClient(Duration.ofSeconds(3));
            History history = new History();
            writeUntilOk(history, 0, client, cluster.endpoint(leader), "1");
            // Disk loss on every node: the cluster comes back empty and the key is simply absent.
            for (String node : cluster.nodes()) {
                cluster.kill(node);
            }
            for (String node : cluster.nodes()) {
                deleteTree(dir.resolve("data").resolve(node));
            }
            for (String node : cluster.nodes()) {
                cluster.restart(node);
            }
            String next = cluster.awaitLeader(Duration.ofSeconds(30));
            history.add(1, "invoke", "read", "k", null, null);
            KvResult r = client.read(cluster.endpoint(next), "k", false);
            assertThat(r.outcome()).as(String.valueOf(r.error())).isEqualTo(Outcome.OK);
            history.add(1, "ok", "read", "k", r.value() != null ? r.value() : KvRegisterWorkload.ABSENT, null);

            CheckResult result = check(history, "cas-register", KvRegisterWorkload.ABSENT, dir);
            assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
            assertThat(result.explain()).contains("read \"absent\"");
            // Recorded as nil, the Knossos reading would take the same read as legal: why absence is named.
            History asNil = new History();
            asNil.add(0, "invoke", "write", "k", "1", null);
            asNil.add(0, "ok", "write", "k", "1", null);
            asNil.add(1, "invoke", "read", "k", null, null);
            asNil.add(1, "ok", "read", "k", null, null);
            assertThat(check(asNil, "cas-register", dir.resolve("nil")).verdict()).isEqualTo(Verdict.VALID);
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = java.nio.file.Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    @Test
    void killingEveryNodeMidRunLosesNoAcknowledgedAdd() throws Exception {
        try (LocalBackend cluster = new LocalBackend(KvJar.path(), dir, 3)) {
            cluster.start();
            RunOptions options = new RunOptions(3, Duration.ofSeconds(16), 6, 1, 1000, "set", List.of(), 42, dir,
                    Duration.ofSeconds(1000), Duration.ofSeconds(2), Duration.ofSeconds(2), PlantedBug.NONE, Duration.ofSeconds(30));
            Runner runner = KvRunners.set(cluster, options, new PrintStream(OutputStream.nullOutputStream()));
            AtomicReference<History> result = new AtomicReference<>();
            AtomicReference<Exception> failure = new AtomicReference<>();
            Thread run = new Thread(() -> {
                try {
                    result.set(runner.run());
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            run.start();
            Thread.sleep(6_000);
            for (String node : cluster.nodes()) {
                cluster.kill(node);
            }
            for (String node : cluster.nodes()) {
                cluster.restart(node);
            }
            run.join(120_000);
            assertThat(failure.get()).isNull();
            assertThat(runner.recoveryFailure()).isNull();
            History history = result.get();
            long acked = history.events().stream().filter(e -> e.f().equals("add") && e.type().equals("ok")).count();
            assertThat(acked).as("adds acknowledged before and after the kill").isGreaterThan(20);
            CheckResult check = check(history, "set", dir);
            assertThat(check.verdict()).as(check.explain()).isEqualTo(Verdict.VALID);
        }
    }
}
