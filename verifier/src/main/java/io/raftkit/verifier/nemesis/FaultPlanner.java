package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.PacketFaults;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Turns a fault kind into a concrete fault, every choice drawn from the seed: which partition
 * shape, how many nodes and which. Minorities and majorities both, because the interesting bugs sit
 * on either side of a quorum: a minority must stop serving, a majority must keep the data.
 */
final class FaultPlanner {

    private final SplittableRandom random;
    private final List<String> nodes;
    private final Supplier<Optional<String>> leader;

    FaultPlanner(SplittableRandom random, List<String> nodes, Supplier<Optional<String>> leader) {
        this.random = random;
        this.nodes = List.copyOf(nodes);
        this.leader = leader;
    }

    ActiveFault plan(int id, Fault kind, long endNanos) {
        Map<String, Set<String>> cut = new HashMap<>();
        Map<String, Set<String>> oneWay = new HashMap<>();
        PacketFaults packets = null;
        Set<String> killed = Set.of();
        Set<String> crashed = Set.of();
        Set<String> paused = Set.of();
        String what;
        switch (kind) {
            case PARTITION -> what = partition(cut, oneWay);
            case KILL -> {
                Victims v = victims(List.of("one", "leader", "minority", "majority", "all"));
                killed = v.nodes();
                what = "kill -9 " + v;
            }
            case PAUSE -> {
                Victims v = victims(List.of("one", "leader", "minority", "majority"));
                paused = v.nodes();
                what = "pause " + v;
            }
            case CRASH -> {
                Victims v = victims(List.of("leader", "minority", "majority", "all"));
                crashed = v.nodes();
                what = "crash (unsynced writes lost) " + v;
            }
            case NETWORK -> {
                packets = new PacketFaults(pick(5, 10, 20), pick(0, 5, 10), pick(0, 10, 30), pick(0, 20, 60));
                what = "packets: " + packets;
            }
            default -> throw new AssertionError("unhandled " + kind);
        }
        return new ActiveFault(id, kind, "#" + id + " " + what, cut, oneWay, packets, killed, crashed, paused, endNanos);
    }

    private int pick(int... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private record Victims(String shape, Set<String> nodes) {
        @Override
        public String toString() {
            return shape + " " + new TreeSet<>(nodes);
        }
    }

    private Victims victims(List<String> shapes) {
        String shape = shapes.get(random.nextInt(shapes.size()));
        int n = nodes.size();
        List<String> shuffled = shuffled();
        return switch (shape) {
            case "one" -> new Victims(shape, Set.of(shuffled.get(0)));
            case "leader" -> new Victims(shape, Set.of(leader.get().orElse(shuffled.get(0))));
            // 1 to (n-1)/2 nodes: never a quorum; for 1 or 2 nodes that is a single node.
            case "minority" -> new Victims(shape, Set.copyOf(shuffled.subList(0, 1 + random.nextInt(Math.max(1, (n - 1) / 2)))));
            // n/2+1 to n-1 nodes: a quorum lost, one node left standing.
            case "majority" -> new Victims(shape, Set.copyOf(shuffled.subList(0, Math.min(n, n / 2 + 1 + random.nextInt(Math.max(1, n - 1 - n / 2))))));
            default -> new Victims("all", Set.copyOf(nodes));
        };
    }

    private String partition(Map<String, Set<String>> cut, Map<String, Set<String>> oneWay) {
        int kind = random.nextInt(5);
        if (kind == 0) {
            List<String> shuffled = shuffled();
            int split = nodes.size() / 2;
            Set<String> left = new HashSet<>(shuffled.subList(0, split));
            Set<String> right = new HashSet<>(shuffled.subList(split, shuffled.size()));
            cutBetween(cut, left, right);
            return "partition halves " + sorted(left) + " | " + sorted(right);
        }
        if (kind == 1) {
            String isolated = leader.get().orElse(nodes.get(random.nextInt(nodes.size())));
            Set<String> rest = new HashSet<>(nodes);
            rest.remove(isolated);
            cutBetween(cut, Set.of(isolated), rest);
            return "partition isolate leader " + isolated;
        }
        if (kind == 2 && nodes.size() >= 5) {
            // Majorities ring: each node hears only its nearest neighbours, a majority view each.
            // Below five nodes every node is within a majority's reach of every other, so the
            // ring would cut nothing; those clusters get a one-way cut instead (below).
            int n = nodes.size();
            int reach = n / 2;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int d = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                    if (i != j && d > reach / 2 + (reach % 2)) {
                        cut.computeIfAbsent(nodes.get(i), k -> new HashSet<>()).add(nodes.get(j));
                    }
                }
            }
            return "partition majorities ring";
        }
        if (kind == 3 && nodes.size() >= 3) {
            // Bridge: two halves that cannot talk, and one node that talks to both.
            List<String> shuffled = shuffled();
            String bridge = shuffled.get(0);
            List<String> rest = shuffled.subList(1, shuffled.size());
            Set<String> left = new HashSet<>(rest.subList(0, rest.size() / 2));
            Set<String> right = new HashSet<>(rest.subList(rest.size() / 2, rest.size()));
            cutBetween(cut, left, right);
            return "partition bridge " + bridge + " between " + sorted(left) + " and " + sorted(right);
        }
        String a = nodes.get(random.nextInt(nodes.size()));
        String b = nodes.get(random.nextInt(nodes.size()));
        if (a.equals(b)) {
            b = nodes.get((nodes.indexOf(a) + 1) % nodes.size());
        }
        oneWay.computeIfAbsent(b, k -> new HashSet<>()).add(a);
        return "partition one-way " + a + " -/-> " + b;
    }

    private static void cutBetween(Map<String, Set<String>> cut, Set<String> left, Set<String> right) {
        for (String l : left) {
            cut.computeIfAbsent(l, k -> new HashSet<>()).addAll(right);
        }
        for (String r : right) {
            cut.computeIfAbsent(r, k -> new HashSet<>()).addAll(left);
        }
    }

    private List<String> shuffled() {
        List<String> copy = new ArrayList<>(nodes);
        for (int i = copy.size() - 1; i > 0; i--) {
            Collections.swap(copy, i, random.nextInt(i + 1));
        }
        return copy;
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        Collections.sort(l);
        return l;
    }
}
