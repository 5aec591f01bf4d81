package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.core.Role;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.server.NotLeaderException;
import io.raftkit.core.server.RaftServer;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.raftkit.transport.vertx.codec.HandshakeFrame;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Challenge;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Proof;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Refused;
import io.raftkit.transport.vertx.codec.Refusal;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A healthy three-node cluster of real {@link RaftServer}s on vertx-tcp with the options a user gets
 * by default (on loopback: the per-user peer secret), attacked over its Raft ports by someone who can
 * reach them but holds no credential. The cluster must keep its term and keep committing throughout.
 */
class HostilePeerTest {

    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final NodeId N1 = IDS.get(0);
    private static final NodeId N2 = IDS.get(1);
    private static final NodeId N3 = IDS.get(2);

    private final List<RaftServer> servers = new ArrayList<>();
    private final Map<NodeId, MemoryLogStore> disks = new java.util.HashMap<>();
    private final List<RawPeer> attackers = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    @TempDir
    Path tmp;
    private Map<NodeId, String> addresses;

    /** Commits anything; the tests watch terms and commits, not state. */
    private static final class Nothing implements StateMachine {
        @Override
        public byte[] apply(long index, byte[] command) {
            return command;
        }

        @Override
        public byte[] query(byte[] query) {
            return query;
        }
    }

    @BeforeEach
    void startCluster() throws Exception {
        addresses = Ports.loopbackAddresses(IDS);
        for (NodeId id : IDS) {
            disks.put(id, new MemoryLogStore());
            servers.add(startServer(id));
        }
        assertThat(Await.until(Duration.ofSeconds(20), () -> leader().isPresent())).as("a leader").isTrue();
        commit("warm-up");
    }

    @AfterEach
    void stopCluster() throws Exception {
        for (RawPeer a : attackers) {
            a.close();
        }
        servers.forEach(RaftServer::close);
    }

    /** One way a stranger may try to pass for n3; it answers what the node said. */
    @FunctionalInterface
    private interface Forgery {
        HandshakeFrame attempt(RawPeer peer, NodeId target) throws IOException;
    }

    @Test
    void aStrangerNamingItselfAMemberCannotMoveTheTermOfAHealthyCluster() throws Exception {
        long termBefore = maxTerm();
        Path wrongSecretFile = Files.createTempFile(tmp, "wrong", ".secret");
        Files.writeString(wrongSecretFile, "not the secret the members hold, but long enough\n");
        PeerSecret wrongSecret = PeerSecret.read(wrongSecretFile);
        Map<String, Forgery> forgeries = new LinkedHashMap<>();
        forgeries.put("no credential", (peer, target) -> peer.hello(N3, target).read());
        forgeries.put("a wrong secret", (peer, target) -> {
            Hello hello = new Hello(RawPeer.CLUSTER, N3, target, PeerSecret.nonce());
            peer.write(RawPeer.frame(hello));
            HandshakeFrame challenge = peer.read();
            byte[] nonce = ((Challenge) challenge).nonce();
            return peer.write(RawPeer.frame(new Proof(wrongSecret.prove(PeerSecret.Role.DIALER, hello, nonce)))).read();
        });
        forgeries.put("another cluster's id", (peer, target) -> peer.hello("elsewhere", N3, target).read());
        forgeries.put("an id outside the cluster", (peer, target) -> peer.hello(NodeId.of("n9"), target).read());
        Map<String, Refusal> expected = Map.of("no credential", Refusal.SECRET_REQUIRED, "a wrong secret", Refusal.BAD_PROOF,
                "another cluster's id", Refusal.WRONG_CLUSTER, "an id outside the cluster", Refusal.NOT_A_MEMBER);
        for (Map.Entry<String, Forgery> forgery : forgeries.entrySet()) {
            for (NodeId target : List.of(N1, N2)) {
                // The reproduction: name yourself n3 and ask for votes in term 1000, as a
                // leadership transfer (thesis §3.10), which the election lease (§4.2.3) lets through.
                RawPeer attacker = RawPeer.connect(port(target));
                attackers.add(attacker);
                HandshakeFrame answer = forgery.getValue().attempt(attacker, target);
                assertThat(answer).as(forgery.getKey()).isEqualTo(new Refused(expected.get(forgery.getKey())));
                try {
                    attacker.send(new RequestVote(N3, target, 1000, 1_000_000, 999, false, true));
                    attacker.send(new AppendEntries(N3, target, 1000, 0, 0, List.of(), 0, 0));
                } catch (IOException closedByTheNode) {
                    // what it should do
                }
                assertThat(attacker.closedWithin(Duration.ofSeconds(5))).as(forgery.getKey()).isTrue();
            }
        }
        Thread.sleep(500);
        assertThat(maxTerm()).as("term after the forged messages (was " + termBefore + ")").isLessThan(1000);
        assertThat(refused()).isGreaterThanOrEqualTo(2.0 * forgeries.size());
        commit("after the forged vote requests");
    }

    @Test
    void aNodeWithDefaultOptionsRefusesToListenBeyondLoopback() {
        Map<NodeId, String> exposed = Map.of(N1, "0.0.0.0:" + Ports.freePort(), N2, "127.0.0.1:1", N3, "127.0.0.1:2");
        assertThatThrownBy(() -> Plugins.transport("vertx-tcp").create(new TransportConfig(N1, exposed, Options.EMPTY,
                Resources.EMPTY))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("insecure-peers").hasMessageContaining("secret-file").hasMessageContaining("tls.");
    }

    @Test
    void oversizedFirstFramesCostTheNodeNoHeapAndTheClusterKeepsCommitting() throws Exception {
        long heapBefore = heapAfterGc();
        byte[] junk = new byte[4 << 20];
        for (int i = 0; i < 20; i++) {
            // Claims a frame just under max-frame-bytes (16 MiB), then sends a quarter of it.
            RawPeer attacker = RawPeer.connectFrom(InetAddress.getByName("127.0.0.3"), port(N1));
            attackers.add(attacker);
            try {
                attacker.write(Buffer.buffer().appendInt((16 << 20) - 1).appendBytes(junk));
            } catch (java.io.IOException closedByTheNode) {
                // the node hung up mid-write: what it should do
            }
        }
        commit("during the oversized frames");
        long grown = heapAfterGc() - heapBefore;
        assertThat(grown).as("heap growth after GC, in bytes").isLessThan(24L << 20);
    }

    @Test
    void aRestartedMemberGetsBackInDuringAnIdleSocketFloodAndTheClusterKeepsCommitting() throws Exception {
        for (NodeId target : IDS) {
            for (int i = 0; i < 100; i++) {
                attackers.add(RawPeer.connectFrom(InetAddress.getByName("127.0.0.4"), port(target)));
            }
            for (int i = 0; i < 30; i++) {
                attackers.add(RawPeer.connect(port(target))); // from the members' own address too
            }
        }
        commit("during the flood");
        // Restart one follower on its surviving log and stop the other: every commit from now on
        // needs the restarted member's replies, which it can only send over a new connection.
        RaftServer leader = leader().orElseThrow();
        List<RaftServer> followers = servers.stream().filter(s -> s != leader).toList();
        restart(followers.get(0));
        followers.get(1).close();
        for (int i = 0; i < 5; i++) {
            commit("with the restarted member " + i);
        }
    }

    private RaftServer startServer(NodeId id) throws Exception {
        RaftServer server = RaftServer.builder().self(id).cluster(ClusterConfig.ofVoters(IDS)).addresses(addresses)
                .transport("vertx-tcp", Options.EMPTY).logStore(disks.get(id))
                .resources(Resources.EMPTY.with(MeterRegistry.class, registry))
                .stateMachine(new Nothing()).build();
        server.start();
        return server;
    }

    private void restart(RaftServer server) throws Exception {
        server.close();
        servers.set(servers.indexOf(server), startServer(server.id()));
    }

    /**
     * Commits one proposal on whoever leads. A proposal that reached a node just deposed is retried
     * (an election on a loaded machine is not what these tests are about); one that times out, the
     * request timeout of 5 s passing without a quorum, fails the test.
     */
    private void commit(String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            RaftServer leader = Await.until(Duration.ofSeconds(10), () -> leader().isPresent()) ? leader().get() : servers.get(0);
            try {
                assertThat(leader.propose(what.getBytes()).get(10, TimeUnit.SECONDS)).as(what).isNotNull();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NotLeaderException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private Optional<RaftServer> leader() {
        return servers.stream().filter(s -> s.status().role() == Role.LEADER).findFirst();
    }

    /** Connections refused by the three nodes together. */
    private double refused() {
        return registry.find("raftkit.transport.connections.refused").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private long maxTerm() {
        return servers.stream().mapToLong(s -> s.status().term()).max().orElseThrow();
    }

    private int port(NodeId id) {
        return Integer.parseInt(addresses.get(id).split(":")[1]);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
