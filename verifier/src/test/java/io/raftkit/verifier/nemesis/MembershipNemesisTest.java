package io.raftkit.verifier.nemesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.nemesis.Members.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The membership nemesis in the schedule: its changes take turns with the other faults, each is a
 * fault span with its outcome recorded inside it, and the final heal ends with every node a voter.
 */
class MembershipNemesisTest {

    private record Event(String f, String description) {
    }

    private static void drive(Nemesis nemesis, long millis) throws Exception {
        long end = System.nanoTime() + Duration.ofMillis(millis).toNanos();
        while (System.nanoTime() < end) {
            nemesis.tick();
            Thread.sleep(2);
        }
        nemesis.healAll();
    }

    @Test
    void changesTakeTurnsWithKillsEachIsASpanWithItsOutcomeAndTheFinalHealRestoresEveryVoter() throws Exception {
        FakeMembers cluster = new FakeMembers();
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        Nemesis nemesis = new Nemesis(cluster, List.of(Fault.MEMBERSHIP, Fault.KILL), 11, Duration.ofMillis(40),
                (f, d) -> events.add(new Event(f, d)), MembershipPlan.DEFAULT, cluster, 1);
        drive(nemesis, 1500);

        List<String> outcomes = events.stream().filter(e -> e.f().equals("membership")).map(Event::description).toList();
        assertThat(outcomes).anyMatch(d -> d.contains("membership rejoin") && d.endsWith(": done"));
        assertThat(outcomes).anyMatch(d -> d.contains("membership replace") && d.endsWith(": done"));
        assertThat(outcomes).anyMatch(d -> d.contains("membership move-leader") && d.contains(": done"));
        assertThat(events).anyMatch(e -> e.f().equals("start") && e.description().contains("kill -9"));
        // Each change's outcome lies inside its span: start, outcome, stop.
        for (Event e : events) {
            if (e.f().equals("membership") && !e.description().contains("restore")) {
                String span = e.description().substring(0, e.description().indexOf(": "));
                int at = events.indexOf(e);
                assertThat(events.subList(0, at)).contains(new Event("start", span));
                assertThat(events.subList(at, events.size())).contains(new Event("stop", span));
            }
        }
        assertThat(nemesis.membershipChanges("done")).isEqualTo(nemesis.membershipOutcomes().stream().filter(o -> o.endsWith(": done")
                || o.contains(": done:")).count());
        assertThat(nemesis.restoreFailure()).isNull();
        assertThat(outcomes.get(outcomes.size() - 1)).contains("membership restore").endsWith(": done");
        List<String> slots = cluster.nodes().stream().map(cluster::memberId).sorted().toList();
        assertThat(cluster.voters).containsExactlyElementsOf(slots);
        assertThat(cluster.learners).isEmpty();
        assertThat(cluster.vacant).isEmpty();
        assertThat(cluster.down).as("every killed node restarted").isEmpty();
    }

    @Test
    void aChangeUnderWayWhenTheFinalHealComesIsAbortedAndTheMembershipStillRestored() throws Exception {
        FakeMembers cluster = new FakeMembers();
        List<Event> events = Collections.synchronizedList(new ArrayList<>());
        // Promotions are refused until the heal: every rejoin stalls with its node a learner.
        boolean[] healing = {false};
        cluster.before = request -> request.startsWith("promote") && !healing[0] ? new Reply(409, "learner behind") : null;
        Nemesis nemesis = new Nemesis(cluster, List.of(Fault.MEMBERSHIP), 5, Duration.ofMillis(20),
                (f, d) -> {
                    events.add(new Event(f, d));
                    if (d.contains("restore")) {
                        healing[0] = true;
                    }
                }, new MembershipPlan(List.of("rejoin"), Duration.ofSeconds(30)), cluster, 1);
        drive(nemesis, 300);

        assertThat(nemesis.membershipChanges("aborted")).isEqualTo(1);
        assertThat(nemesis.membershipChanges("done")).isZero();
        assertThat(nemesis.restoreFailure()).isNull();
        assertThat(cluster.voters).containsExactly("n1", "n2", "n3", "n4", "n5");
        assertThat(cluster.learners).isEmpty();
    }

    @Test
    void theMembershipNemesisRefusesABackendThatCannotReplaceNodes() {
        ClusterBackend fixed = new ClusterBackend() {
            @Override
            public List<String> nodes() {
                return List.of("n1");
            }

            @Override
            public String endpoint(String node) {
                return "http://n1";
            }

            @Override
            public void start() {
            }

            @Override
            public Optional<String> leader() {
                return Optional.empty();
            }

            @Override
            public void kill(String node) {
            }

            @Override
            public void crash(String node) {
            }

            @Override
            public void restart(String node) {
            }

            @Override
            public void pause(String node) {
            }

            @Override
            public void resume(String node) {
            }

            @Override
            public void network(NetworkState state) {
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> new Nemesis(fixed, List.of(Fault.MEMBERSHIP), 1, Duration.ofSeconds(1), (f, d) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local or docker");
    }
}
