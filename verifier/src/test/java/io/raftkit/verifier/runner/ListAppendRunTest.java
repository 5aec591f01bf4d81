package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.backend.LocalBackend;
import io.raftkit.verifier.checker.ListAppendChecker;
import io.raftkit.verifier.checker.ListAppendResult;
import io.raftkit.verifier.checker.Verdict;
import io.raftkit.verifier.history.HistoryWriter;
import io.raftkit.verifier.nemesis.Fault;
import io.raftkit.verifier.workload.ListAppendWorkload;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list-append workload against three local KV processes, checked by the Elle-style checker. One
 * cluster serves both runs (starting three JVMs is most of a short run's cost); each run names its
 * keys with a prefix of its own, or the second run would append the values 1, 2, ... again to lists
 * the first one wrote, and the checker would rightly call that history invalid.
 */
class ListAppendRunTest {

    @TempDir
    static Path dir;
    private static LocalBackend cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalBackend(KvJar.path(), dir, 3);
        cluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static RunOptions options(Path dir, List<Fault> faults, PlantedBug bug, long seconds) {
        return new RunOptions(3, Duration.ofSeconds(seconds), 6, 4, 1000, "list-append", faults, 42, dir, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(2), bug, Duration.ofSeconds(30));
    }

    private static ListAppendResult check(History history, Path dir) throws Exception {
        Path jsonl = dir.resolve("history.jsonl");
        HistoryWriter.writeJsonl(history.events(), jsonl);
        return new ListAppendChecker().check(jsonl);
    }

    private static long count(History history, String type) {
        return history.events().stream().filter(e -> e.f().equals("txn") && e.type().equals(type)).count();
    }

    @Test
    void transactionsUnderPartitionsCommitAndTheHistoryIsValid() throws Exception {
        Path out = Files.createDirectories(dir.resolve("valid"));
        ListAppendRunner runner = new ListAppendRunner(cluster, options(out, List.of(Fault.PARTITION), PlantedBug.NONE, 8),
                new ListAppendWorkload("valid", 4, 8), new PrintStream(OutputStream.nullOutputStream()));
        History history = runner.run();
        assertThat(runner.recoveryFailure()).isNull();
        assertThat(count(history, "ok")).as("committed transactions").isGreaterThan(100);
        assertThat(history.events()).as("the nemesis cut the network").anyMatch(e -> e.process().equals("nemesis"));
        ListAppendResult result = check(history, out);
        assertThat(result.verdict()).as(String.join("\n", result.explain())).isEqualTo(Verdict.VALID);
        assertThat(((Number) result.detail().get("edges")).longValue()).as("a graph with edges was checked").isGreaterThan(100);
    }

    @Test
    void plantedStaleReadsFromACutOffNodeAreCaughtAsAnAnomaly() throws Exception {
        Path out = Files.createDirectories(dir.resolve("stale"));
        ListAppendRunner runner = new ListAppendRunner(cluster, options(out, List.of(Fault.PARTITION), PlantedBug.STALE_READ, 8),
                new ListAppendWorkload("stale", 4, 8), new PrintStream(OutputStream.nullOutputStream()));
        ListAppendResult result = check(runner.run(), out);
        assertThat(result.verdict()).as(String.join("\n", result.explain())).isEqualTo(Verdict.INVALID);
        assertThat(result.anomalyClasses()).as(String.join("\n", result.explain())).anyMatch(c -> c.endsWith("-realtime"));
    }
}
