package io.raftkit.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RaftServer's membership API on real threads and the memory plugins. */
class MembershipServerTest {

    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final NodeId N4 = NodeId.of("n4");

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeadVoterIsReplacedByANewNodeAddedAsALearnerThenPromotedWhileWritesGoOn() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("a")));
            NodeId dead = c.servers.keySet().stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
            c.servers.get(dead).close();

            c.start(N4, new ClusterConfig(Set.of(N1, N2, N3), Set.of(N4)));
            ClusterConfig withLearner = await(leader.addLearner(N4, null));
            assertThat(withLearner.learners()).containsExactly(N4);
            await(leader.propose(utf8("b")));
            // The leader refuses to promote a learner that has not acknowledged it yet (it may not be
            // running): wait for n4's first acknowledgement, as an operator waits for it to catch up.
            long acked = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (await(leader.matchIndexes()).getOrDefault(N4, 0L) == 0 && System.nanoTime() < acked) {
                Thread.sleep(5);
            }
            ClusterConfig promoted = await(leader.promote(N4));
            assertThat(promoted.voters()).contains(N4).hasSize(4);
            ClusterConfig replaced = await(leader.remove(dead));
            assertThat(replaced.voters()).doesNotContain(dead).contains(N4).hasSize(3);
            assertThat(replaced.isJoint()).isFalse();
            await(leader.propose(utf8("c")));
            RaftServer n4 = c.servers.get(N4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!new String(await(n4.readStale(utf8("q"))), StandardCharsets.UTF_8).equals("a,b,c,")
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(new String(await(n4.readStale(utf8("q"))), StandardCharsets.UTF_8)).isEqualTo("a,b,c,");
            assertThat(leader.status().members()).isEqualTo(replaced);
        }
    }

    @Test
    void removingTheLeaderCompletesAndAnotherNodeLeadsAfterwards() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("a")));
            ClusterConfig without = await(leader.remove(leader.id()));
            assertThat(without.voters()).doesNotContain(leader.id()).hasSize(2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            RaftServer next = null;
            while (next == null && System.nanoTime() < deadline) {
                for (RaftServer s : c.servers.values()) {
                    if (s != leader && s.status().role() == Role.LEADER) {
                        next = s;
                    }
                }
                Thread.sleep(5);
            }
            assertThat(next).as("a remaining node leads").isNotNull();
            assertThat(leader.status().role()).isNotEqualTo(Role.LEADER);
            await(next.propose(utf8("b")));
        }
    }

    @Test
    void aNewMembersAddressTravelsWithTheChangeToEveryNodesTransportAndARemovedOneIsForgotten() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("a")));
            ClusterConfig added = await(leader.addLearner(N4, "10.0.0.4:7000"));
            assertThat(added.addresses()).containsEntry(N4, "10.0.0.4:7000");
            awaitEvents(c, "add n4 10.0.0.4:7000");
            await(leader.remove(N4));
            awaitEvents(c, "remove n4");
            for (NodeId id : List.of(N1, N2, N3)) {
                assertThat(c.transportEvents.get(id)).as("%s's transport", id)
                        .containsExactly("add n4 10.0.0.4:7000", "remove n4");
            }
        }
    }

    /** Every node's transport, followers' too, was told {@code event}. */
    private static void awaitEvents(TestCluster c, String event) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline
                && !List.of(N1, N2, N3).stream().allMatch(id -> c.transportEvents.get(id).contains(event))) {
            Thread.sleep(5);
        }
        for (NodeId id : List.of(N1, N2, N3)) {
            assertThat(c.transportEvents.get(id)).as("%s's transport", id).contains(event);
        }
    }

    @Test
    void refusedChangesSayWhy() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            RaftServer leader = c.awaitLeader();
            await(leader.propose(utf8("a")));
            RaftServer follower = c.follower();
            assertThatThrownBy(() -> await(follower.promote(N4))).hasCauseInstanceOf(NotLeaderException.class);
            assertThatThrownBy(() -> await(leader.remove(N4))).cause().isInstanceOf(MembershipRefusedException.class)
                    .hasMessageContaining("n4 is not a member (unknown node)");
            assertThatThrownBy(() -> await(leader.promote(N2))).cause().isInstanceOf(MembershipRefusedException.class)
                    .hasMessageContaining("n2 is not a learner (a voter)");
            assertThatThrownBy(() -> await(leader.addLearner(N2, null))).cause()
                    .hasMessageContaining("n2 is already a member");
            // A second change while the first is in flight is refused (MembershipChangeTest pins that
            // down deterministically; here the first may also commit before the second arrives).
            CompletableFuture<ClusterConfig> first = leader.changeMembership(
                    new ClusterConfig(Set.of(N1, N2, N3), Set.of(N4)));
            CompletableFuture<ClusterConfig> second = leader.addLearner(NodeId.of("n5"), null);
            try {
                await(second);
                // The first may have committed before the second arrived: then both are fine.
                assertThat(await(first).learners()).contains(N4);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(MembershipRefusedException.class)
                        .hasMessageContaining("membership change is in progress");
            }
        }
    }
}
