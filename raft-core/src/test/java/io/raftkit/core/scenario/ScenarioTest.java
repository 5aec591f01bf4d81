package io.raftkit.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
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
 * <p>Commands: {@code nodes N}, {@code elect ID}, {@code tick ID N}, {@code tickall N} (all nodes, delivering between rounds), {@code deliver},
 * {@code propose ID TEXT}, {@code read ID REQUEST}, {@code transfer FROM TO},
 * {@code partition ID...} (cuts those nodes from the rest), {@code heal}, {@code status}, {@code events}.
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
                h = new Harness(Integer.parseInt(args.get(0)));
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
}
