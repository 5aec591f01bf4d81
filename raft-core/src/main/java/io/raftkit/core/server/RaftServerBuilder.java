package io.raftkit.core.server;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.InboundBacklog;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.core.memory.MemoryLogStore;
import io.raftkit.core.memory.MemorySnapshotStore;
import io.raftkit.api.spi.StateMachine;
import io.raftkit.api.spi.StateMachineConfig;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Assembles a {@link RaftServer}: members, config, and the three parts, each given directly or
 * chosen by plugin name (found with {@link Plugins}). {@link #build()} checks everything and names
 * the first field that is wrong.
 */
public final class RaftServerBuilder {

    private static final System.Logger LOG = System.getLogger(RaftServerBuilder.class.getName());

    private NodeId self;
    private ClusterConfig cluster;
    private Map<NodeId, String> addresses = Map.of();
    private String clusterId = TransportConfig.DEFAULT_CLUSTER_ID;
    private RaftConfig config = RaftConfig.defaults();
    private Path dataDir;
    private Transport transport;
    private String transportName;
    private Options transportOptions = Options.EMPTY;
    private LogStore logStore;
    private String logStoreName;
    private Options logStoreOptions = Options.EMPTY;
    private SnapshotStore snapshotStore;
    private String snapshotStoreName;
    private Options snapshotStoreOptions = Options.EMPTY;
    private SnapshotPolicy snapshotPolicy = SnapshotPolicy.DEFAULT;
    private StateMachine stateMachine;
    private String stateMachineName;
    private Options stateMachineOptions = Options.EMPTY;
    private Resources resources = Resources.EMPTY;
    private RandomGenerator random;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private long maxHeapBytes = Runtime.getRuntime().maxMemory();
    private int maxInboxMessages = Inbox.DEFAULT_LIMIT;
    private Platform platform = Platform.threads();
    private DriverProbe probe = DriverProbe.NONE;

    RaftServerBuilder() {
    }

    public RaftServerBuilder self(NodeId id) {
        self = id;
        return this;
    }

    public RaftServerBuilder cluster(ClusterConfig members) {
        cluster = members;
        return this;
    }

    /** Every member's transport address: {@code host:port} for TCP, anything for the memory transport. */
    public RaftServerBuilder addresses(Map<NodeId, String> transportAddresses) {
        addresses = Map.copyOf(transportAddresses);
        return this;
    }

    public RaftServerBuilder clusterId(String id) {
        clusterId = id;
        return this;
    }

    public RaftServerBuilder config(RaftConfig value) {
        config = value;
        return this;
    }

    public RaftServerBuilder dataDir(Path dir) {
        dataDir = dir;
        return this;
    }

    public RaftServerBuilder transport(Transport value) {
        transport = value;
        return this;
    }

    public RaftServerBuilder transport(String pluginName, Options options) {
        transportName = pluginName;
        transportOptions = options;
        return this;
    }

    public RaftServerBuilder logStore(LogStore value) {
        logStore = value;
        return this;
    }

    public RaftServerBuilder logStore(String pluginName, Options options) {
        logStoreName = pluginName;
        logStoreOptions = options;
        return this;
    }

    /**
     * Where snapshots go (§7). Without one, a server on the {@code memory} log store gets a
     * {@link MemorySnapshotStore}; on any other log store it takes no snapshots and its log grows.
     * The server owns the store and closes it.
     */
    public RaftServerBuilder snapshotStore(SnapshotStore value) {
        snapshotStore = value;
        return this;
    }

    public RaftServerBuilder snapshotStore(String pluginName, Options options) {
        snapshotStoreName = pluginName;
        snapshotStoreOptions = options == null ? Options.EMPTY : options;
        return this;
    }

    /** When to take snapshots and how much log to keep behind them; {@link SnapshotPolicy#DEFAULT} by default. */
    public RaftServerBuilder snapshotPolicy(SnapshotPolicy value) {
        snapshotPolicy = value;
        return this;
    }

    public RaftServerBuilder stateMachine(StateMachine value) {
        stateMachine = value;
        return this;
    }

    public RaftServerBuilder stateMachine(String pluginName, Options options) {
        stateMachineName = pluginName;
        stateMachineOptions = options;
        return this;
    }

    /** Objects lent to plugins by type (a Vert.x instance, a meter registry). */
    public RaftServerBuilder resources(Resources value) {
        resources = value;
        return this;
    }

    /** The source of election-timeout randomness; by default seeded from SecureRandom, the seed logged. */
    public RaftServerBuilder random(RandomGenerator value) {
        random = value;
        return this;
    }

    public RaftServerBuilder requestTimeout(Duration value) {
        requestTimeout = value;
        return this;
    }

    /**
     * The heap this server's log may count on; by default the JVM's maximum ({@code -Xmx}). The log
     * above the last compaction is held in memory (all of it without a snapshot store): proposals are
     * refused with {@link LogFullException} once it would take 80 % of this, and a log over 90 % refuses to start. Several servers in one
     * JVM each count their log against the whole heap unless each is given its share here.
     */
    public RaftServerBuilder maxHeapBytes(long value) {
        maxHeapBytes = value;
        return this;
    }

    /**
     * How many peer messages may wait for the loop before the transport stops reading from its peers
     * (default 10,000); the transport learns it through an {@code InboundBacklog} in its resources,
     * unless {@link #resources} already holds one.
     */
    public RaftServerBuilder maxInboxMessages(int value) {
        maxInboxMessages = value;
        return this;
    }

    /**
     * Where the server gets its clock, loop and worker threads; {@link Platform#threads()} by
     * default. A simulator passes a virtual one.
     */
    public RaftServerBuilder platform(Platform value) {
        platform = value;
        return this;
    }

    /** Instrumentation that sees the node at each step of the driver (simulators, tests). */
    public RaftServerBuilder probe(DriverProbe value) {
        probe = value;
        return this;
    }

    /**
     * Validates and creates the server, opening its log store. Bad fields throw
     * {@link IllegalArgumentException} naming the field; a log store that cannot open throws
     * {@link UncheckedIOException} with the store's message.
     */
    public RaftServer build() {
        require(self != null, "self: the node id is missing");
        require(cluster != null, "cluster: the members are missing");
        require(cluster.members().contains(self), "self: " + self + " is not among the members " + cluster.members());
        require(requestTimeout != null && !requestTimeout.isNegative() && !requestTimeout.isZero(),
                "requestTimeout: must be positive, was " + requestTimeout);
        require(clusterId != null && !clusterId.isBlank(), "clusterId: must not be blank");
        require(maxHeapBytes > 0, "maxHeapBytes: must be positive, was " + maxHeapBytes);
        require(maxInboxMessages > 0, "maxInboxMessages: must be positive, was " + maxInboxMessages);
        require(platform != null, "platform: must not be null");
        require(probe != null, "probe: must not be null");
        require(snapshotPolicy != null, "snapshotPolicy: must not be null");
        require(snapshotStore == null || snapshotStoreName == null,
                "snapshotStore: give a SnapshotStore or a plugin name, not both");
        require(transport != null || transportName != null, "transport: give a Transport or a plugin name");
        require(logStore != null || logStoreName != null, "logStore: give a LogStore or a plugin name");
        require(stateMachine != null || stateMachineName != null, "stateMachine: give a StateMachine or a plugin name");
        if (!addresses.isEmpty()) {
            for (NodeId member : cluster.members()) {
                require(addresses.containsKey(member), "addresses: no address for " + member + "; give every member's");
            }
        }
        Map<NodeId, String> allAddresses = new TreeMap<>(addresses);
        for (NodeId member : cluster.members()) {
            allAddresses.putIfAbsent(member, member.value()); // none given: the memory transport addresses nodes by id
        }
        RandomGenerator rng = random;
        if (rng == null) {
            long seed = new SecureRandom().nextLong();
            LOG.log(System.Logger.Level.INFO, "{0}: election timeout seed {1} (pass it to reproduce timings)", self, Long.toString(seed));
            rng = new SplittableRandom(seed);
        }
        StateMachine sm = stateMachine != null ? stateMachine
                : Plugins.stateMachine(stateMachineName).create(new StateMachineConfig(self, stateMachineOptions, resources));
        LogStore store;
        try {
            store = logStore != null ? logStore
                    : Plugins.logStore(logStoreName).open(new LogStoreConfig(self, clusterId, dataDir, logStoreOptions, resources));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        SnapshotStore snapshots;
        try {
            snapshots = snapshotStore != null ? snapshotStore
                    : snapshotStoreName != null ? Plugins.snapshotStore(snapshotStoreName).open(
                            new SnapshotStoreConfig(self, clusterId, dataDir, snapshotStoreOptions, resources))
                    : store instanceof MemoryLogStore && sm.supportsSnapshots() ? new MemorySnapshotStore() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        Inbox inbox = new Inbox(maxInboxMessages);
        // Lend the transport the inbox's depth, unless the host lent its own.
        Resources transportResources = resources.get(InboundBacklog.class).isPresent() ? resources
                : resources.with(InboundBacklog.class, inbox);
        Transport net = transport != null ? transport
                : Plugins.transport(transportName).create(new TransportConfig(self, clusterId, allAddresses, transportOptions, transportResources));
        return new RaftServer(self, cluster, config, net, store, sm, rng, requestTimeout.toMillis(), maxHeapBytes,
                platform, probe, inbox, snapshots, snapshotPolicy);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
