package io.raftkit.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole clusters of 3 and 5 nodes under seeded faults, every safety property checked after every
 * step. Properties:
 * <ul>
 *   <li>{@code raft.sim.seeds=N}: how many seeds (default 200, half with 3 nodes, half with 5);</li>
 *   <li>{@code raft.sim.seed=S}: replay one seed (both cluster sizes, or {@code raft.sim.nodes=3|5});</li>
 *   <li>{@code raft.sim.ticks=T}: ticks per run (default 20,000);</li>
 *   <li>{@code raft.sim.trace=FILE}: write the replayed run's trace (with {@code raft.sim.seed}).</li>
 * </ul>
 */
class SimulationTest {

    private static final long FIRST_SEED = 1;
    private static final int DEFAULT_TICKS = 20_000;

    static Stream<Arguments> runs() {
        String one = property("raft.sim.seed");
        List<Arguments> runs = new ArrayList<>();
        if (one != null) {
            long seed = Long.parseLong(one);
            String nodes = property("raft.sim.nodes");
            if (nodes == null || nodes.equals("3")) {
                runs.add(Arguments.of(seed, 3));
            }
            if (nodes == null || nodes.equals("5")) {
                runs.add(Arguments.of(seed, 5));
            }
            return runs.stream();
        }
        int seeds = Integer.parseInt(orDefault(property("raft.sim.seeds"), "200"));
        for (int i = 0; i < seeds; i++) {
            runs.add(Arguments.of(FIRST_SEED + i, i % 2 == 0 ? 3 : 5));
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "seed {0}, {1} nodes")
    @MethodSource("runs")
    void clusterStaysSafeUnderFaultsAndRecoversAfterHealing(long seed, int nodes) throws IOException {
        int ticks = Integer.parseInt(orDefault(property("raft.sim.ticks"), String.valueOf(DEFAULT_TICKS)));
        String traceFile = property("raft.sim.trace");
        SimCluster cluster = new SimCluster(seed, new SimCluster.Options(nodes, ticks, true), traceFile != null);
        SimCluster.Result result;
        try {
            result = cluster.run();
        } catch (RuntimeException | AssertionError e) {
            // Anything the node or the driver throws is a finding too, and must be replayable.
            writeTrace(traceFile, nodes, cluster.traceSoFar() + "FAILED " + e.getMessage() + "\n");
            throw new AssertionError(e.getMessage() + "\nreplay: ./mvnw -pl raft-core test -Dtest=SimulationTest"
                    + " -Draft.sim.seed=" + seed + " -Draft.sim.nodes=" + nodes + ticksFlag(ticks)
                    + " -Draft.sim.trace=/tmp/sim-" + seed + ".txt", e);
        }
        writeTrace(traceFile, nodes, result.trace());
        // A run that commits nothing proves nothing: the clients must have made progress.
        assertThat(result.writesAcked()).as("acknowledged writes").isPositive();
        assertThat(result.readsServed()).as("served reads").isPositive();
    }

    @Test
    void theSameSeedGivesAByteIdenticalTrace() {
        SimCluster.Options options = new SimCluster.Options(5, 3000, true);
        String first = new SimCluster(7, options, true).run().trace();
        String second = new SimCluster(7, options, true).run().trace();
        assertThat(first).hasSizeGreaterThan(10_000);
        assertThat(second).isEqualTo(first);
        String other = new SimCluster(8, options, true).run().trace();
        assertThat(other).isNotEqualTo(first);
    }

    private static void writeTrace(String traceFile, int nodes, String trace) throws IOException {
        if (traceFile != null) {
            Path path = Path.of(traceFile.replace(".txt", "") + "-" + nodes + "nodes.txt");
            Files.writeString(path, trace, StandardCharsets.UTF_8);
        }
    }

    private static String ticksFlag(int ticks) {
        return ticks == DEFAULT_TICKS ? "" : " -Draft.sim.ticks=" + ticks;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
