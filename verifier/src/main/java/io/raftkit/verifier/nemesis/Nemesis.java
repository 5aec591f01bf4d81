package io.raftkit.verifier.nemesis;

import io.raftkit.verifier.backend.ClusterBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Injects one fault at a time and heals it, alternating, with every choice drawn from the run's
 * seed: partitions (random halves, the leader isolated, a majorities ring, a bridge, one-way), {@code kill -9}
 * (a random node, the leader, every node) with restart, and pauses. The ring gives every node a
 * majority view that no two nodes share, which is where split-brain bugs live.
 */
public final class Nemesis {

    private final ClusterBackend cluster;
    private final List<Fault> faults;
    private final SplittableRandom random;
    private final List<String> killed = new ArrayList<>();
    private String current = "none";
    private int injections;

    public Nemesis(ClusterBackend cluster, List<Fault> faults, long seed) {
        this.cluster = cluster;
        this.faults = List.copyOf(faults);
        this.random = new SplittableRandom(seed);
    }

    /** What is broken right now, for progress lines and the report. */
    public String current() {
        return current;
    }

    /** Injects a random fault; returns its description. */
    public String inject() throws IOException, InterruptedException {
        if (faults.isEmpty()) {
            current = "none";
            return current;
        }
        // Kinds take turns, so every kind asked for is exercised in any run with that many faults;
        // which node, which partition shape and so on come from the seed.
        Fault fault = faults.get(injections++ % faults.size());
        List<String> nodes = cluster.nodes();
        current = switch (fault) {
            case PARTITION -> partition(nodes);
            case KILL -> kill(nodes);
            case PAUSE -> pause(nodes);
        };
        return current;
    }

    private String partition(List<String> nodes) throws IOException, InterruptedException {
        int kind = random.nextInt(5);
        if (kind == 0) {
            List<String> shuffled = shuffled(nodes);
            int split = nodes.size() / 2;
            Set<String> left = new HashSet<>(shuffled.subList(0, split));
            Set<String> right = new HashSet<>(shuffled.subList(split, shuffled.size()));
            cutBetween(left, right);
            return "partition halves " + sorted(left) + " | " + sorted(right);
        }
        if (kind == 1) {
            String leader = cluster.leader().orElse(nodes.get(random.nextInt(nodes.size())));
            Set<String> rest = new HashSet<>(nodes);
            rest.remove(leader);
            cutBetween(Set.of(leader), rest);
            return "partition isolate leader " + leader;
        }
        if (kind == 2 && nodes.size() >= 5) {
            // Majorities ring: each node hears only its nearest neighbours, a majority view each.
            // Below five nodes every node is within a majority's reach of every other, so the
            // ring would cut nothing; those clusters get a one-way cut instead (below).
            int n = nodes.size();
            int reach = n / 2;
            for (int i = 0; i < n; i++) {
                Set<String> far = new HashSet<>();
                for (int j = 0; j < n; j++) {
                    int d = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                    if (d > reach / 2 + (reach % 2)) {
                        far.add(nodes.get(j));
                    }
                }
                far.remove(nodes.get(i));
                if (!far.isEmpty()) {
                    cluster.dropFrom(nodes.get(i), far);
                }
            }
            return "partition majorities ring";
        }
        if (kind == 3 && nodes.size() >= 3) {
            // Bridge: two halves that cannot talk, and one node that talks to both.
            List<String> shuffled = shuffled(nodes);
            String bridge = shuffled.get(0);
            List<String> rest = shuffled.subList(1, shuffled.size());
            Set<String> left = new HashSet<>(rest.subList(0, rest.size() / 2));
            Set<String> right = new HashSet<>(rest.subList(rest.size() / 2, rest.size()));
            cutBetween(left, right);
            return "partition bridge " + bridge + " between " + sorted(left) + " and " + sorted(right);
        }
        String a = nodes.get(random.nextInt(nodes.size()));
        String b = nodes.get(random.nextInt(nodes.size()));
        if (a.equals(b)) {
            b = nodes.get((nodes.indexOf(a) + 1) % nodes.size());
        }
        cluster.dropFrom(b, Set.of(a));
        return "partition one-way " + a + " -/-> " + b;
    }

    private void cutBetween(Set<String> left, Set<String> right) throws IOException, InterruptedException {
        for (String l : left) {
            cluster.dropFrom(l, right);
        }
        for (String r : right) {
            cluster.dropFrom(r, left);
        }
    }

    private String kill(List<String> nodes) throws IOException, InterruptedException {
        int kind = random.nextInt(3);
        List<String> victims = switch (kind) {
            case 0 -> List.of(nodes.get(random.nextInt(nodes.size())));
            case 1 -> List.of(cluster.leader().orElse(nodes.get(0)));
            default -> nodes;
        };
        for (String v : victims) {
            cluster.kill(v);
            killed.add(v);
        }
        return "kill -9 " + (kind == 2 ? "all nodes" : (kind == 1 ? "leader " : "") + victims);
    }

    private String pause(List<String> nodes) throws IOException, InterruptedException {
        String victim = random.nextBoolean() ? cluster.leader().orElse(nodes.get(0)) : nodes.get(random.nextInt(nodes.size()));
        cluster.pause(victim);
        return "pause " + victim;
    }

    /** Heals the network, resumes paused nodes and restarts killed ones. */
    public void heal() throws IOException, InterruptedException {
        cluster.healAll();
        for (String node : killed) {
            cluster.restart(node);
        }
        killed.clear();
        current = "none";
    }

    private List<String> shuffled(List<String> nodes) {
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
