package io.raftkit.verifier.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.NetworkState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The schedule's promises, against a backend that only records what it is told: faults overlap,
 * healing one leaves the others, every kind is exercised, the record brackets each fault whole,
 * and the final heal leaves nothing behind.
 */
class NemesisTest {

    /** Five nodes that record every call in one log, beside the nemesis' own records. */
    private static final class Recording implements ClusterBackend {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final Set<String> down = Collections.synchronizedSet(new HashSet<>());
        final Set<String> paused = Collections.synchronizedSet(new HashSet<>());
        NetworkState network = NetworkState.HEALED;

        @Override
        public List<String> nodes() {
            return List.of("n1", "n2", "n3", "n4", "n5");
        }

        @Override
        public String endpoint(String node) {
            return "http://" + node;
        }

        @Override
        public void start() {
        }

        @Override
        public Optional<String> leader() {
            return Optional.of("n1");
        }

        @Override
        public void kill(String node) {
            log.add("kill " + node);
            down.add(node);
            paused.remove(node);
        }

        @Override
        public void crash(String node) {
            log.add("crash " + node);
            down.add(node);
            paused.remove(node);
        }

        @Override
        public void restart(String node) {
            log.add("restart " + node);
            down.remove(node);
        }

        @Override
        public void pause(String node) {
            log.add("pause " + node);
            paused.add(node);
        }

        @Override
        public void resume(String node) {
            log.add("resume " + node);
            paused.remove(node);
        }

        @Override
        public void network(NetworkState state) {
            log.add("network " + state);
            network = state;
        }

        @Override
        public void close() {
        }
    }

    /** The nodes a kill, pause or crash fault names: "#3 kill -9 majority [n1, n4, n5]". */
    private static Set<String> victims(String description) {
        int open = description.lastIndexOf('[');
        if (open < 0 || description.contains("partition") || description.contains("packets")) {
            return new HashSet<>();
        }
        return new HashSet<>(List.of(description.substring(open + 1, description.length() - 1).split(", ")));
    }

    @Test
    void faultsOverlapEachKindIsInjectedTheRecordBracketsEachFaultAndTheFinalHealLeavesNothing() throws Exception {
        Recording cluster = new Recording();
        List<String> starts = new ArrayList<>();
        List<String> stops = new ArrayList<>();
        List<String> active = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        // Every kind but membership, which this backend cannot do (MembershipNemesisTest has it).
        List<Fault> kinds = java.util.Arrays.stream(Fault.values()).filter(f -> f != Fault.MEMBERSHIP).toList();
        Nemesis nemesis = new Nemesis(cluster, kinds, 42, Duration.ofMillis(40), (f, description) -> {
            // A fault's victims that no other active fault holds must be untouched when its start is
            // recorded (it is recorded before the injection) and whole again when its stop is
            // recorded (after the heal).
            Set<String> mine = victims(description);
            active.remove(description);
            for (String other : active) {
                mine.removeAll(victims(other));
            }
            for (String node : mine) {
                if (cluster.down.contains(node) || cluster.paused.contains(node)) {
                    violations.add(node + " still hurt when '" + f + " " + description + "' was recorded");
                }
            }
            if (f.equals("start")) {
                active.add(description);
                starts.add(description);
            } else {
                stops.add(description);
            }
        });
        int maxActive = 0;
        long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < end) {
            nemesis.tick();
            maxActive = Math.max(maxActive, starts.size() - stops.size());
            Thread.sleep(2);
        }
        nemesis.healAll();

        assertThat(maxActive).as("faults overlap").isEqualTo(Nemesis.MAX_ACTIVE);
        for (String word : List.of("partition", "kill -9", "pause", "crash", "packets")) {
            assertThat(starts).as(word + " injected").anyMatch(d -> d.contains(word));
        }
        assertThat(starts.stream().filter(d -> !victims(d).isEmpty()).count()).as("faults with victims to check").isGreaterThan(5);
        assertThat(violations).isEmpty();
        assertThat(stops).containsExactlyInAnyOrderElementsOf(starts);
        assertThat(cluster.down).as("every node restarted").isEmpty();
        assertThat(cluster.paused).as("every node resumed").isEmpty();
        assertThat(cluster.network).isEqualTo(NetworkState.HEALED);
    }

    @Test
    void healingOneOfTwoOverlappingFaultsLeavesTheOtherInPlace() throws Exception {
        Recording cluster = new Recording();
        List<String> active = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        Nemesis nemesis = new Nemesis(cluster, List.of(Fault.PAUSE, Fault.PARTITION), 7, Duration.ofMillis(100), (f, description) -> {
            if (f.equals("start")) {
                active.add(description);
                return;
            }
            active.remove(description);
            if (active.size() == 1) {
                // One of two overlapping faults has just been healed: the other must still be in place.
                String other = active.get(0);
                if (other.contains("pause")) {
                    assertThat(cluster.paused).as("the pause stays after '" + description + "' is healed").isNotEmpty();
                    assertThat(cluster.network).isEqualTo(NetworkState.HEALED);
                } else {
                    assertThat(cluster.network).as("the partition stays after '" + description + "' is healed")
                            .isNotEqualTo(NetworkState.HEALED);
                    assertThat(cluster.paused).isEmpty();
                }
                checked.add(description);
            }
        });
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (checked.size() < 3 && System.nanoTime() < end) {
            nemesis.tick();
            Thread.sleep(1);
        }
        nemesis.healAll();
        assertThat(checked).as("overlapping faults healed one at a time").hasSizeGreaterThanOrEqualTo(3);
        assertThat(cluster.paused).isEmpty();
        assertThat(cluster.network).isEqualTo(NetworkState.HEALED);
    }

    @Test
    void minoritiesNeverReachAQuorumAndMajoritiesAlwaysDo() {
        List<String> nodes = List.of("n1", "n2", "n3", "n4", "n5");
        for (long seed = 0; seed < 200; seed++) {
            FaultPlanner planner = new FaultPlanner(new java.util.SplittableRandom(seed), nodes, () -> Optional.of("n2"));
            ActiveFault f = planner.plan(1, Fault.KILL, 0);
            int n = f.killed().size();
            if (f.description().contains("minority")) {
                assertThat(n).isBetween(1, 2);
            } else if (f.description().contains("majority")) {
                assertThat(n).isBetween(3, 4);
            } else if (f.description().contains("leader")) {
                assertThat(f.killed()).containsExactly("n2");
            }
        }
    }
}
