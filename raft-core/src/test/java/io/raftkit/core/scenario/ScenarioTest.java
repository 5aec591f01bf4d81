package io.raftkit.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.core.RaftNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scripted scenarios: each file in {@code src/test/resources/scenarios} holds commands (lines
 * starting with {@code > }) each followed by the output it must produce. Run with
 * {@code -Draft.scenarios.rewrite=true} to rewrite the expected output from the current code, then
 * review the change as a diff.
 *
 * <p>Commands: {@code nodes N [learners M]}, {@code elect ID}, {@code tick ID N}, {@code tickall N} (all
 * nodes, delivering between rounds), {@code deliver}, {@code propose ID TEXT}, {@code read ID REQUEST},
 * {@code transfer FROM TO}, {@code partition ID...} (cuts those nodes from the rest), {@code heal},
 * {@code hold FROM TO} and {@code release FROM TO} (a link's messages wait in the queue; {@code *}
 * for any node), {@code drop FROM TO} (loses the link's queued messages), {@code stall ID} and
 * {@code unstall ID} (the node's writes stop completing, and complete), {@code crash ID},
 * {@code restart ID} (from what its disk holds), {@code status}, {@code events}.
 */
class ScenarioTest {

    private static final Path DIR = Path.of("src/test/resources/scenarios");

    static Stream<Path> scenarios() throws IOException {
        return Files.list(DIR).filter(p -> p.toString().endsWith(".txt")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenarioProducesItsRecordedTrace(Path file) throws IOException {
        String expected = Files.readString(file, StandardCharsets.UTF_8);
        String actual = run(expected);
        if (Boolean.getBoolean("raft.scenarios.rewrite")) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(actual).as("trace of " + file + " (rerun with -Draft.scenarios.rewrite=true to regenerate)")
                .isEqualTo(expected);
    }

    static String run(String script) {
        StringBuilder out = new StringBuilder();
        Harness h = null;
        for (String line : script.split("\n", -1)) {
            if (line.startsWith("#") || (line.isBlank() && !line.isEmpty())) {
                out.append(line).append('\n');
                continue;
            }
            if (!line.startsWith("> ")) {
                if (line.startsWith("#")) {
                    out.append(line).append('\n');
                }
                continue; // an expected output line: regenerated below
            }
            out.append(line).append('\n');
            String[] w = line.substring(2).trim().split("\\s+");
            List<String> args = Arrays.asList(w).subList(1, w.length);
            if (w[0].equals("nodes")) {
                int learners = args.size() == 3 && args.get(1).equals("learners") ? Integer.parseInt(args.get(2)) : 0;
                h = learners == 0 ? new Harness(Integer.parseInt(args.get(0)))
                        : new Harness(Integer.parseInt(args.get(0)), learners,
                                RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2).build());
                continue;
            }
            for (String result : execute(h, w[0], args)) {
                out.append(result).append('\n');
            }
        }
        String text = out.toString();
        return text.endsWith("\n\n") ? text.substring(0, text.length() - 1) : text;
    }

    private static List<String> execute(Harness h, String command, List<String> args) {
        switch (command) {
            case "elect" -> {
                RaftNode n = h.elect(args.get(0));
                return List.of(h.describe(n));
            }
            case "tick" -> {
                h.tick(h.node(args.get(0)), Integer.parseInt(args.get(1)));
                return List.of(h.describe(h.node(args.get(0))));
            }
            case "tickall" -> {
                // Every node ticks once per round, and messages in flight arrive between rounds.
                for (int i = 0; i < Integer.parseInt(args.get(0)); i++) {
                    h.nodes.values().forEach(n -> h.tick(n, 1));
                    h.deliverAll();
                }
                return h.nodes.values().stream().map(h::describe).toList();
            }
            case "deliver" -> {
                return List.of("delivered " + h.deliverAll());
            }
            case "propose" -> {
                return List.of(String.valueOf(h.propose(args.get(0), args.get(1))));
            }
            case "read" -> {
                RaftNode n = h.node(args.get(0));
                n.readIndex(Long.parseLong(args.get(1)));
                h.process(n);
                return List.of("read " + args.get(1) + " registered at " + n.id());
            }
            case "transfer" -> {
                RaftNode n = h.node(args.get(0));
                n.transferLeadership(NodeId.of(args.get(1)));
                h.process(n);
                return List.of("transfer " + args.get(0) + " -> " + args.get(1) + " started");
            }
            case "partition" -> {
                h.partition(args);
                return List.of("cut " + args + " from the rest");
            }
            case "heal" -> {
                h.heal();
                return List.of("healed");
            }
            case "hold" -> {
                h.hold(args.get(0), args.get(1));
                return List.of("holding " + args.get(0) + " -> " + args.get(1));
            }
            case "release" -> {
                h.release(args.get(0), args.get(1));
                return List.of("released " + args.get(0) + " -> " + args.get(1));
            }
            case "drop" -> {
                return List.of("dropped " + h.drop(args.get(0), args.get(1)) + " queued " + args.get(0) + " -> " + args.get(1));
            }
            case "stall" -> {
                h.stall(args.get(0));
                return List.of(args.get(0) + "'s writes stall");
            }
            case "unstall" -> {
                h.unstall(args.get(0));
                return List.of(args.get(0) + "'s writes complete");
            }
            case "crash" -> {
                h.crash(args.get(0));
                return List.of(args.get(0) + " crashed");
            }
            case "restart" -> {
                return List.of(h.describe(h.restart(args.get(0))));
            }
            case "status" -> {
                return h.nodes.values().stream().map(h::describe).toList();
            }
            case "events" -> {
                List<String> events = List.copyOf(h.events);
                h.events.clear();
                return events.isEmpty() ? List.of("(no events)") : events;
            }
            default -> throw new IllegalArgumentException("unknown scenario command '" + command + "'");
        }
    }

    /** Each regression scenario bites: with its bug put back, the trace is not the recorded one. */
    @ParameterizedTest(name = "{0} under {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            "06-stale-read-round.txt, READ_JOINS_CARRIED_ROUND, n1 read 3 ready at index 1",
            "07-lone-voter-new-term.txt, APPEND_BEFORE_TERM_DURABLE, 'applied=[a, b]'"})
    void aRegressionScenarioFailsWithItsBugPutBack(String file, io.raftkit.core.Mutant mutant, String sign) throws Exception {
        String expected = Files.readString(DIR.resolve(file), StandardCharsets.UTF_8);
        String[] actual = new String[1];
        io.raftkit.core.MutantScope.with(mutant, () -> actual[0] = run(expected));
        assertThat(actual[0]).isNotEqualTo(expected).contains(sign);
        assertThat(expected).doesNotContain(sign);
    }
}
