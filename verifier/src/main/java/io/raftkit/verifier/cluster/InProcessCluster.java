package io.raftkit.verifier.cluster;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.core.Role;
import io.raftkit.core.fault.FaultInjectingTransport;
import io.raftkit.core.fault.FaultRules;
import io.raftkit.core.fault.LinkFaults;
import io.raftkit.core.fault.PacketFaultTransport;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemoryNetwork;
import io.raftkit.core.memory.MemoryTransport;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftServerBuilder;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.backend.PacketFaults;
import io.raftkit.verifier.spi.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * N {@link RaftServer}s of any {@link StateMachine} in this JVM, which the verifier's
 * {@link io.raftkit.verifier.nemesis.Nemesis} can hurt as it hurts the KV store's processes:
 * <ul>
 *   <li>partitions, one-way cuts and packet faults through raft-core's fault-injecting transports
 *       ({@link FaultInjectingTransport} around {@link PacketFaultTransport} around the
 *       {@link MemoryTransport});</li>
 *   <li>kill: the server is closed at once and its in-flight requests fail; restart builds a new
 *       server, with a new state machine from the factory, on the same {@link MemoryLogStore}, which
 *       keeps what was appended (a store's append is durable when it returns, so a kill and a power
 *       loss are the same here: crash is a kill);</li>
 *   <li>pause: the node's loop stops dead ({@link PausablePlatform}).</li>
 * </ul>
 * By default the log is in memory, which is what lets a run of a user's state machine need nothing
 * but its class. With a data directory ({@link #InProcessCluster(int, Supplier, long, Duration, Path)})
 * each node keeps its log, and its snapshots when the state machine takes them, in the {@code mapdb}
 * stores under {@code <dir>/<node>} (the plugins are found by name: raft-mapdb-storage must be on the
 * class path), and a restart reopens them: the node recovers from its disk as a real one does. The
 * KV store's process backends and {@link io.raftkit.verifier.process.ProcessCluster} verify the
 * networked stack.
 */
public final class InProcessCluster implements ClusterBackend {

    private static final System.Logger LOG = System.getLogger(InProcessCluster.class.getName());
    private static final AtomicLong CLUSTERS = new AtomicLong();

    /** One member: its disk and its fault rules outlive each server incarnation. */
    private static final class Member {
        final NodeId id;
        /** Its log when the cluster has no data directory. */
        final MemoryLogStore store = new MemoryLogStore();
        final FaultRules rules = new FaultRules();
        final PausablePlatform platform = new PausablePlatform();
        volatile RaftServer server;
        volatile PacketFaultTransport packets;
        int incarnation;

        Member(NodeId id) {
            this.id = id;
        }
    }

    private final ClusterConfig members;
    private final Map<String, Member> byId = new LinkedHashMap<>();
    private final Supplier<? extends StateMachine> stateMachines;
    private final MemoryNetwork network;
    private final Duration requestTimeout;
    private final SplittableRandom random;
    /** Where the members' mapdb stores live, or null for logs in memory. */
    private final Path dataDir;
    private volatile LinkFaults linkFaults = LinkFaults.NONE;

    /**
     * @param nodes          how many voters, named n1, n2, ...
     * @param stateMachines  makes one fresh state machine for every server start (each node, each restart)
     * @param seed           election timeouts and packet faults are drawn from it
     * @param requestTimeout how long a server keeps a proposal or read before failing it
     */
    public InProcessCluster(int nodes, Supplier<? extends StateMachine> stateMachines, long seed, Duration requestTimeout) {
        this(nodes, stateMachines, seed, requestTimeout, null);
    }

    /**
     * As the other constructor, with every member's log (and snapshots) in the {@code mapdb} stores
     * under {@code dataDir/<node>}, kept across kills and restarts; null keeps them in memory.
     */
    public InProcessCluster(int nodes, Supplier<? extends StateMachine> stateMachines, long seed, Duration requestTimeout, Path dataDir) {
        this.dataDir = dataDir;
        if (nodes < 1 || nodes > 15) {
            throw new IllegalArgumentException("nodes must be 1 to 15, was " + nodes);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            ids.add("n" + i);
        }
        this.members = ClusterConfig.ofVoters(ids.toArray(String[]::new));
        for (String id : ids) {
            byId.put(id, new Member(NodeId.of(id)));
        }
        this.stateMachines = stateMachines;
        this.network = new MemoryNetwork("verify-" + CLUSTERS.incrementAndGet());
        this.requestTimeout = requestTimeout;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public List<String> nodes() {
        return List.copyOf(byId.keySet());
    }

    @Override
    public String endpoint(String node) {
        return "in-process:" + member(node).id;
    }

    /**
     * The node as clients reach it. A client waits up to twice the request timeout plus
     * {@code pauseAllowance} for an answer: a paused node answers only after it resumes.
     */
    public Node client(String node, Duration pauseAllowance) {
        Member m = member(node);
        return new ServerNode(node, () -> m.server, requestTimeout.multipliedBy(2).plus(pauseAllowance).toMillis());
    }

    /** The node as clients reach it, allowing one request timeout for a pause; see {@link #client}. */
    @Override
    public Node node(String node) {
        return client(node, requestTimeout);
    }

    @Override
    public void start() throws IOException, InterruptedException {
        for (Member m : byId.values()) {
            startServer(m);
        }
        if (!awaitLeader(Duration.ofSeconds(20))) {
            throw new IOException("no leader was elected within 20 s of starting " + byId.size() + " nodes: nothing to verify");
        }
    }

    /** Waits until some running node reports itself leader; false if none did in time. */
    public boolean awaitLeader(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (leader().isPresent()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private synchronized void startServer(Member m) throws IOException {
        m.incarnation++;
        PacketFaultTransport packets = new PacketFaultTransport(new MemoryTransport(m.id, network), random.nextLong());
        packets.setFaults(linkFaults);
        StateMachine stateMachine = stateMachines.get();
        RaftServerBuilder builder = RaftServer.builder().self(m.id).cluster(members)
                .transport(new FaultInjectingTransport(packets, m.rules));
        if (dataDir == null) {
            builder.logStore(m.store);
        } else {
            Path dir = dataDir.resolve(m.id.value());
            Files.createDirectories(dir);
            builder.dataDir(dir).logStore("mapdb", Options.EMPTY);
            if (stateMachine.supportsSnapshots()) {
                builder.snapshotStore("mapdb", Options.EMPTY);
            }
        }
        RaftServer server = builder
                .stateMachine(stateMachine)
                .platform(m.platform)
                .random(new SplittableRandom(random.nextLong()))
                .requestTimeout(requestTimeout)
                // each server counts its log against the heap it is given: share the JVM's
                .maxHeapBytes(Runtime.getRuntime().maxMemory() / byId.size())
                .build();
        server.start();
        m.packets = packets;
        m.server = server;
    }

    @Override
    public Optional<String> leader() {
        RaftStatus best = null;
        for (Member m : byId.values()) {
            RaftServer s = m.server;
            if (s == null) {
                continue;
            }
            RaftStatus status = s.status();
            if (status.running() && status.role() == Role.LEADER && (best == null || status.term() > best.term())) {
                best = status;
            }
        }
        return best == null ? Optional.empty() : Optional.of(best.id().value());
    }

    /** The leader {@code node} believes in, if it runs and knows one. */
    @Override
    public Optional<String> leaderSeenBy(String node) {
        RaftServer s = member(node).server;
        return s == null ? Optional.empty() : s.status().leader().map(NodeId::value);
    }

    @Override
    public void kill(String node) {
        Member m = member(node);
        m.platform.resume(); // a stopped process can be killed; its loop must run to be closed
        RaftServer s = m.server;
        m.server = null;
        if (s != null) {
            s.close();
        }
    }

    /** As {@link #kill}: the memory store's appends are durable when they return, so nothing unsynced exists to lose. */
    @Override
    public void crash(String node) {
        kill(node);
    }

    @Override
    public void restart(String node) throws IOException {
        Member m = member(node);
        if (m.server == null) {
            startServer(m);
        }
    }

    @Override
    public void pause(String node) {
        member(node).platform.pause();
    }

    @Override
    public void resume(String node) {
        member(node).platform.resume();
    }

    @Override
    public void network(NetworkState state) {
        PacketFaults p = state.packets();
        linkFaults = new LinkFaults(p.lossPercent(), p.duplicatePercent(), p.delayMillis(), p.jitterMillis());
        for (Map.Entry<String, Member> e : byId.entrySet()) {
            Member m = e.getValue();
            // Dropping at the receiver cuts exactly the links the state names, both kinds alike.
            Set<NodeId> dropFrom = state.dropFrom(e.getKey()).stream().map(NodeId::of).collect(Collectors.toSet());
            m.rules.set(new FaultRules.Snapshot(Set.of(), dropFrom, 0));
            PacketFaultTransport t = m.packets;
            if (t != null) {
                t.setFaults(linkFaults);
            }
        }
    }

    @Override
    public void close() {
        for (Member m : byId.values()) {
            m.platform.resume();
            RaftServer s = m.server;
            m.server = null;
            if (s != null) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + m.id + " failed", e);
                }
            }
        }
    }

    private Member member(String node) {
        Member m = byId.get(node);
        if (m == null) {
            throw new IllegalArgumentException("no node '" + node + "' in this cluster; nodes are " + byId.keySet());
        }
        return m;
    }
}
