package io.raftkit.verifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each planted bug is caught by CI's verification configuration (.ci/run's local run: 5 nodes,
 * 10 clients, 8 keys, every nemesis, 8 s faults), shortened to 36 s with seed 99, whose schedule
 * partitions the cluster into halves at 8 s, kills the leader at about 14 s, pauses a node at
 * about 20 s and crashes every node at about 27 s (while the cluster serves: nothing before it
 * stops a majority). .ci/run runs the same four; this test is for a developer's machine, about a
 * minute per bug, so it only runs when asked:
 * {@code ./mvnw -pl verifier test -Dtest=PlantedBugTest -Dverifier.planted=true}.
 */
@EnabledIfSystemProperty(named = "verifier.planted", matches = "true")
class PlantedBugTest {

    /** .ci/run's local verification flags, less the time limit, seed and output directory. */
    static final List<String> CI_FLAGS = List.of("--backend", "local", "--nodes", "5", "--concurrency", "10", "--keys", "8",
            "--workload", "register", "--nemesis", "partition,kill,pause,crash,network", "--fault-seconds", "8");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stale-read", "lost-write", "minority-serves", "ack-before-fsync"})
    void theCiVerificationConfigurationCatchesThePlantedBug(String bug) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(CI_FLAGS);
        args.addAll(List.of("--time-limit", "36", "--seed", "99", "--plant", bug, "--out", dir.toString(),
                "--kv-jar", Path.of("..", "raft-statemachine-kv", "target", "raft-kv.jar").toString()));
        int exit = Main.execute(args.toArray(String[]::new));
        String results = Files.exists(dir.resolve("results.json")) ? Files.readString(dir.resolve("results.json")) : "(no results)";
        assertThat(exit).as("exit status 1 (an anomaly) for " + bug + "; results: " + results).isEqualTo(1);
    }
}
