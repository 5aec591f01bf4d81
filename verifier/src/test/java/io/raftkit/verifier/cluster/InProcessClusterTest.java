package io.raftkit.verifier.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.spi.StateMachine;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.backend.PacketFaults;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Node;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-process cluster's faults do to a user's state machine what the nemesis means by them. */
class InProcessClusterTest {

    /** Sums the longs it is given. */
    static final class Sum implements StateMachine {
        private long value;

        @Override
        public byte[] apply(long index, byte[] command) {
            value += ByteBuffer.wrap(command).getLong();
            return null;
        }

        @Override
        public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(value).array();
        }
    }

    private static byte[] add(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    private static long sum(Completion c) {
        assertThat(c).as("read").isInstanceOf(Completion.Ok.class);
        return ByteBuffer.wrap((byte[]) ((Completion.Ok) c).value()).getLong();
    }

    private static InProcessCluster started(int nodes) throws Exception {
        InProcessCluster cluster = new InProcessCluster(nodes, Sum::new, 7, Duration.ofMillis(500));
        cluster.start();
        return cluster;
    }

    private static Node client(InProcessCluster cluster, String node) {
        return cluster.client(node, Duration.ZERO);
    }

    /** Retries until the cluster serves again: elections take a few hundred milliseconds. */
    private static Completion untilOk(java.util.function.Supplier<Completion> op) throws InterruptedException {
        Completion last = null;
        for (int i = 0; i < 100; i++) {
            last = op.get();
            if (last instanceof Completion.Ok) {
                return last;
            }
            Thread.sleep(50);
        }
        return last;
    }

    @Test
    void withADataDirectoryEveryNodeRestartsFromItsMapdbStoresAfterAllWereKilled(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (InProcessCluster cluster = new InProcessCluster(3, Sum::new, 7, Duration.ofMillis(500), dir)) {
            cluster.start();
            String leader = cluster.leader().orElseThrow();
            assertThat(client(cluster, leader).propose(add(5))).isInstanceOf(Completion.Ok.class);
            assertThat(client(cluster, leader).propose(add(6))).isInstanceOf(Completion.Ok.class);
            for (String n : cluster.nodes()) {
                cluster.kill(n);
            }
            assertThat(java.nio.file.Files.list(dir.resolve("n1")).toList()).as("n1's store files").isNotEmpty();
            for (String n : cluster.nodes()) {
                cluster.restart(n);
            }
            assertThat(cluster.awaitLeader(Duration.ofSeconds(10))).isTrue();
            String next = cluster.leader().orElseThrow();
            assertThat(sum(untilOk(() -> client(cluster, next).read(new byte[0])))).isEqualTo(11);
        }
        // A new cluster object has new memory stores: only the disk can give it the adds.
        try (InProcessCluster again = new InProcessCluster(3, Sum::new, 8, Duration.ofMillis(500), dir)) {
            again.start();
            String leader = again.leader().orElseThrow();
            assertThat(sum(untilOk(() -> client(again, leader).read(new byte[0])))).isEqualTo(11);
        }
    }

    @Test
    void acknowledgedCommandsSurviveKillingEveryNodeAndRestartedStateMachinesReplayThem() throws Exception {
        try (InProcessCluster cluster = started(3)) {
            String leader = cluster.leader().orElseThrow();
            assertThat(client(cluster, leader).propose(add(5))).isInstanceOf(Completion.Ok.class);
            assertThat(client(cluster, leader).propose(add(6))).isInstanceOf(Completion.Ok.class);
            for (String n : cluster.nodes()) {
                cluster.kill(n);
            }
            assertThat(client(cluster, "n1").read(new byte[0])).as("a killed node refuses").isInstanceOf(Completion.Fail.class);
            for (String n : cluster.nodes()) {
                cluster.restart(n);
            }
            assertThat(cluster.awaitLeader(Duration.ofSeconds(10))).isTrue();
            assertThat(sum(untilOk(() -> client(cluster, "n2").read(new byte[0])))).isEqualTo(11);
        }
    }

    @Test
    void aProposalToAFollowerFailsAsCertainlyNotApplied() throws Exception {
        try (InProcessCluster cluster = started(3)) {
            String leader = cluster.leader().orElseThrow();
            String follower = cluster.nodes().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
            assertThat(client(cluster, follower).propose(add(1))).isInstanceOf(Completion.Fail.class);
        }
    }

    @Test
    void aPausedLeaderAnswersNothingWhileTheOthersElectANewOneAndStepsDownWhenResumed() throws Exception {
        try (InProcessCluster cluster = started(3)) {
            String old = cluster.leader().orElseThrow();
            cluster.pause(old);
            // Its loop is stopped: the write waits past the client's wait and nobody knows its fate.
            assertThat(client(cluster, old).propose(add(1))).isInstanceOf(Completion.Unknown.class);
            String next = null;
            for (int i = 0; i < 200 && (next == null || next.equals(old)); i++) {
                next = cluster.leader().orElse(null);
                Thread.sleep(20);
            }
            assertThat(next).as("a new leader while " + old + " is paused").isNotNull().isNotEqualTo(old);
            assertThat(client(cluster, next).propose(add(2))).isInstanceOf(Completion.Ok.class);
            cluster.resume(old);
            // The paused write may or may not have been applied; the new one must be.
            String reader = next.equals("n1") ? "n2" : "n1";
            long total = sum(untilOk(() -> client(cluster, reader).read(new byte[0])));
            assertThat(total).isIn(2L, 3L);
        }
    }

    @Test
    void everyMessageLostStopsCommitsUntilTheNetworkHeals() throws Exception {
        try (InProcessCluster cluster = started(3)) {
            String leader = cluster.leader().orElseThrow();
            cluster.network(new NetworkState(Map.of(), Map.of(), new PacketFaults(100, 0, 0, 0)));
            // No follower hears the entry, so it cannot commit: the leader keeps it until its timeout.
            assertThat(client(cluster, leader).propose(add(4))).isNotInstanceOf(Completion.Ok.class);
            cluster.network(NetworkState.HEALED);
            assertThat(cluster.awaitLeader(Duration.ofSeconds(10))).isTrue();
            Completion after = untilOk(() -> client(cluster, cluster.leader().orElse("n1")).propose(add(1)));
            assertThat(after).isInstanceOf(Completion.Ok.class);
        }
    }

    @Test
    void aNodeCutOffFromEveryPeerCannotServeALinearizableReadUntilTheCutHeals() throws Exception {
        try (InProcessCluster cluster = started(3)) {
            String leader = cluster.leader().orElseThrow();
            String lonely = cluster.nodes().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
            Set<String> others = Set.copyOf(cluster.nodes().stream().filter(n -> !n.equals(lonely)).toList());
            Map<String, Set<String>> cut = new java.util.HashMap<>();
            cut.put(lonely, others);
            others.forEach(o -> cut.put(o, Set.of(lonely)));
            cluster.network(new NetworkState(cut, Map.of(), PacketFaults.NONE));
            assertThat(client(cluster, lonely).read(new byte[0])).isInstanceOf(Completion.Fail.class);
            cluster.network(NetworkState.HEALED);
            assertThat(sum(untilOk(() -> client(cluster, lonely).read(new byte[0])))).isZero();
        }
    }
}
