package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.Role;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemoryNetwork;
import io.raftkit.core.memory.MemoryTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/** Real RaftServers with real threads on the memory plugins, for driver tests. */
final class TestCluster implements AutoCloseable {

    /** A state machine that appends each command to a string; queries return the whole string. */
    static class Appender implements StateMachine {
        final StringBuilder state = new StringBuilder();

        @Override
        public synchronized byte[] apply(long index, byte[] command) {
            state.append(new String(command, StandardCharsets.UTF_8)).append(',');
            return ("ok@" + index).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized byte[] query(byte[] query) {
            return state.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    final List<NodeId> ids = new ArrayList<>();
    final Map<NodeId, RaftServer> servers = new TreeMap<>();
    final Map<NodeId, LogStore> stores = new TreeMap<>();
    final Map<NodeId, Appender> machines = new TreeMap<>();
    /** Per node, what its transport was told about peers: "add n4 host:port", "remove n4". */
    final Map<NodeId, List<String>> transportEvents = new java.util.concurrent.ConcurrentHashMap<>();
    private final MemoryNetwork network = new MemoryNetwork("test-" + System.nanoTime());
    private final ClusterConfig cluster;
    static final RaftConfig CONFIG = RaftConfig.builder().tickMillis(5).electionTimeoutTicks(20, 40).heartbeatIntervalTicks(4).build();
    private final RaftConfig config;

    TestCluster(int size) throws IOException {
        this(size, id -> new MemoryLogStore());
    }

    TestCluster(int size, Function<NodeId, LogStore> storeFactory) throws IOException {
        this(size, CONFIG, storeFactory);
    }

    TestCluster(int size, RaftConfig config, Function<NodeId, LogStore> storeFactory) throws IOException {
        this.config = config;
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        cluster = ClusterConfig.ofVoters(ids);
        for (NodeId id : ids) {
            stores.put(id, storeFactory.apply(id));
            start(id);
        }
    }

    RaftServer start(NodeId id) throws IOException {
        return start(id, cluster);
    }

    /** Starts {@code id} with {@code members}: a new node to be added knows the members and itself as a learner. */
    RaftServer start(NodeId id, ClusterConfig members) throws IOException {
        stores.putIfAbsent(id, new MemoryLogStore());
        Appender machine = new Appender();
        machines.put(id, machine);
        List<String> events = transportEvents.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        RaftServer server = RaftServer.builder().self(id).cluster(members).config(config)
                .transport(new RecordingTransport(new MemoryTransport(id, network), events))
                .logStore(stores.get(id)).stateMachine(machine)
                .random(new SplittableRandom(id.hashCode())).requestTimeout(Duration.ofSeconds(3)).build();
        server.start();
        servers.put(id, server);
        return server;
    }

    /** The memory transport, recording what it is told about peers at run time. */
    private record RecordingTransport(MemoryTransport delegate, List<String> events) implements io.raftkit.api.spi.Transport {
        @Override
        public void start(java.util.function.Consumer<io.raftkit.api.message.RaftMessage> inbound) {
            delegate.start(inbound);
        }

        @Override
        public void send(io.raftkit.api.message.RaftMessage message) {
            delegate.send(message);
        }

        @Override
        public void addPeer(NodeId id, String address) {
            events.add("add " + id + " " + address);
        }

        @Override
        public void removePeer(NodeId id) {
            events.add("remove " + id);
        }

        @Override
        public void close() {
            delegate.close();
        }
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

    RaftServer follower() throws InterruptedException {
        RaftServer leader = awaitLeader();
        return servers.values().stream().filter(s -> s != leader && s.status().running()).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        servers.values().forEach(RaftServer::close);
    }
}
