package io.raftkit.kv.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.api.spi.LogStore;
import io.raftkit.api.spi.LogStoreConfig;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.SnapshotStore;
import io.raftkit.api.spi.SnapshotStoreConfig;
import io.raftkit.core.fault.FaultRules;
import io.raftkit.core.fault.NetworkFaultsTransportProvider;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.SnapshotPolicy;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.http.KvHttpServer;
import io.raftkit.kv.http.Reachability;
import io.raftkit.kv.members.Member;
import io.raftkit.kv.members.MemberDirectory;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KV node: a Vert.x instance, a Prometheus registry, a {@link RaftServer} with the configured
 * plugins and the {@code kv} state machine, and the HTTP API. The Vert.x instance and the registry
 * are lent to the plugins, so the transport shares the event loops and its counters reach /metrics.
 */
public final class KvNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);

    private final ServerConfig config;
    private final Vertx vertx;
    private final RaftServer raft;
    private final KvHttpServer http;
    private final JvmGcMetrics gc;
    private int httpPort;

    private KvNode(ServerConfig config, Vertx vertx, RaftServer raft, KvHttpServer http, JvmGcMetrics gc) {
        this.config = config;
        this.vertx = vertx;
        this.raft = raft;
        this.http = http;
        this.gc = gc;
    }

    /** Builds and starts the node; on failure everything already started is closed again. */
    public static KvNode start(ServerConfig config) throws IOException {
        Vertx vertx = Vertx.vertx();
        RaftServer raft = null;
        LogStore store = null;
        SnapshotStore snapshots = null;
        JvmGcMetrics gc = null;
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // The JVM's own: the log above the snapshot before the newest lives in the heap, so heap and GC matter.
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            gc = new JvmGcMetrics();
            gc.bindTo(registry);
            Resources resources = Resources.EMPTY.with(Vertx.class, vertx).with(MeterRegistry.class, registry);
            // Under fault injection the transport's partition rules also decide whom HTTP forwarding
            // reaches, so a cut cuts all traffic between the sides, not only Raft's.
            Reachability reachability = Reachability.ALWAYS;
            if (config.transport().equals(NetworkFaultsTransportProvider.NAME)) {
                FaultRules rules = new FaultRules();
                resources = resources.with(FaultRules.class, rules);
                reachability = peer -> !rules.current().dropTo().contains(peer) && !rules.current().dropFrom().contains(peer);
            }
            Map<NodeId, String> raftAddresses = new TreeMap<>();
            Map<NodeId, Member> started = new TreeMap<>();
            for (Peer p : config.peers()) {
                raftAddresses.put(p.id(), p.raft().toString());
                started.put(p.id(), new Member(p.id(), p.raft().toString(), p.httpUrl()));
            }
            MemberDirectory directory = new MemberDirectory(started);
            // The configured TTL also rules log entries from before session policies were replicated,
            // as those logs were first applied; the leader then puts the configured policy in the log.
            KvStateMachine kv = new KvStateMachine(config.sessionPolicy().ttlMillis());
            // Snapshots beside the log (§7): the store is opened here, not by the builder, because the
            // HTTP snapshot endpoints read it too; the Raft server owns it from build() on and closes it.
            snapshots = Plugins.snapshotStore(config.snapshots().store()).open(new SnapshotStoreConfig(config.id(),
                    config.clusterId(), config.dataDir(), config.snapshots().storeOptions(), resources));
            SnapshotPolicy policy = config.snapshots().policy(SnapshotPolicy.DEFAULT);
            store = new MeteredLogStore(Plugins.logStore(config.logStore()).open(new LogStoreConfig(
                    config.id(), config.clusterId(), config.dataDir(), config.logStoreOptions(), resources)),
                    registry, config.logStore(), config.id().value());
            raft = RaftServer.builder()
                    .self(config.id())
                    .cluster(ClusterConfig.ofVoters(raftAddresses.keySet()))
                    .addresses(raftAddresses)
                    .clusterId(config.clusterId())
                    .config(config.raftConfig())
                    .dataDir(config.dataDir())
                    .transport(config.transport(), config.transportOptions())
                    .logStore(store)
                    .stateMachine(kv)
                    .snapshotStore(snapshots)
                    .snapshotPolicy(policy)
                    .resources(resources)
                    .requestTimeout(config.requestTimeout())
                    .build();
            SnapshotStore served = snapshots;
            snapshots = null; // the Raft server closes it from here on
            raft.start();
            KvHttpServer http = new KvHttpServer(vertx, raft, kv, config.sessionPolicy(), directory, config.limits(), registry,
                    reachability);
            http.snapshotSource(new RaftSnapshotSource(raft, served));
            KvNode node = new KvNode(config, vertx, raft, http, gc);
            HostPort listen = config.self().http();
            String httpHost = config.bindHost().orElse(listen.host());
            node.httpPort = http.listen(httpHost, listen.port()).await();
            LOG.info("node {} serving HTTP on {}:{}, raft on {}, data in {}", config.id(), httpHost, node.httpPort,
                    config.self().raft(), config.dataDir() == null ? "memory only (a memory log store)" : config.dataDir());
            return node;
        } catch (IOException | RuntimeException e) {
            if (raft != null) {
                raft.close();
            } else {
                if (store != null) {
                    store.close(); // release the data directory's lock
                }
                if (snapshots != null) {
                    snapshots.close();
                }
            }
            if (gc != null) {
                gc.close();
            }
            vertx.close().await();
            throw e;
        }
    }

    public RaftServer raft() {
        return raft;
    }

    public int httpPort() {
        return httpPort;
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        http.close();
        raft.close();
        gc.close();
        vertx.close().await();
        LOG.info("node {} stopped", config.id());
    }
}
