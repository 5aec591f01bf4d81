package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.SnapshotWriter;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.Role;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemoryNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Real RaftServers on real threads with memory logs and snapshot stores of the test's kind, for the
 * snapshot tests: each node's log, store and state machine outlive a restart of its server.
 */
abstract class SnapshotHarness<S extends SnapshotStore> {

    /** Appends each command to a string, like {@link TestCluster.Appender}, and snapshots it as bytes. */
    /**
     * Its state is every command it applied, so a snapshot holds the whole history: the tests that
     * count snapshots every N entries turn the policy's wait for a share of the last snapshot's
     * size off ({@code withMinLogFraction(0)}), or the intervals would grow with the history.
     */
    static final class SnapshottingAppender implements StateMachine {
        private String state = "";
        int applied;
        int restores;
        /** When set, writing a snapshot waits for it (on the snapshot writer thread): a slow disk. */
        volatile CountDownLatch writeGate;
        /** Counted down when a write starts waiting at {@link #writeGate}. */
        final CountDownLatch writeWaiting = new CountDownLatch(1);

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            state = state + new String(command, StandardCharsets.UTF_8) + ",";
            applied++;
            return ("ok@" + index).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized byte[] query(byte[] query) {
            return state.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean supportsSnapshots() {
            return true;
        }

        @Override
        public synchronized StateMachineSnapshot captureSnapshot() {
            String view = state; // immutable: capturing costs a reference
            return new StateMachineSnapshot() {
                @Override
                public SnapshotKind kind() {
                    return SnapshotKind.BYTES;
                }

                @Override
                public void writeTo(SnapshotWriter out) throws IOException {
                    CountDownLatch gate = writeGate;
                    if (gate != null) {
                        writeWaiting.countDown();
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while held at the test's gate", e);
                        }
                    }
                    byte[] b = view.getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length);
                }
            };
        }

        @Override
        public synchronized void restoreSnapshot(SnapshotReader snapshot) throws IOException {
            state = new String(snapshot.bytes().readAllBytes(), StandardCharsets.UTF_8);
            restores++;
        }

        synchronized String state() {
            return state;
        }
    }

    final MemoryNetwork network = new MemoryNetwork(getClass().getSimpleName() + "-" + System.nanoTime());
    final RaftConfig config = RaftConfig.builder().tickMillis(5).electionTimeoutTicks(20, 40).heartbeatIntervalTicks(4).build();
    final Map<NodeId, MemoryLogStore> logs = new TreeMap<>();
    final Map<NodeId, S> stores = new TreeMap<>();
    final Map<NodeId, SnapshottingAppender> machines = new TreeMap<>();
    final Map<NodeId, RaftServer> servers = new TreeMap<>();

    /** The snapshot store a node gets the first time it starts. */
    abstract S newStore(NodeId id);

    RaftServer start(NodeId id, ClusterConfig cluster, SnapshotPolicy policy) throws IOException {
        SnapshottingAppender machine = new SnapshottingAppender();
        machines.put(id, machine);
        RaftServer server = RaftServer.builder().self(id).cluster(cluster).config(config)
                .transport("memory", null).resources(Resources.EMPTY.with(MemoryNetwork.class, network))
                .logStore(logs.computeIfAbsent(id, k -> new MemoryLogStore()))
                .snapshotStore(stores.computeIfAbsent(id, this::newStore))
                .snapshotPolicy(policy).stateMachine(machine)
                .random(new SplittableRandom(id.hashCode())).requestTimeout(Duration.ofSeconds(5)).build();
        server.start();
        servers.put(id, server);
        return server;
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    RaftServer awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers.values()) {
                if (s.status().running() && s.status().role() == Role.LEADER) {
                    return s;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no leader within 10 s");
    }

    static void proposeAll(RaftServer leader, int from, int to) throws Exception {
        List<CompletableFuture<byte[]>> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            results.add(leader.propose(("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (CompletableFuture<byte[]> r : results) {
            await(r);
        }
    }

    static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        awaitTrue(() -> what, condition);
    }

    /** {@code what} is asked only on a timeout, so it can describe what the servers showed then. */
    static void awaitTrue(java.util.function.Supplier<String> what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(5);
        }
    }

    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }
}
