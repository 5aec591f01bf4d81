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
import io.raftkit.kv.members.JoinRecord;
import io.raftkit.kv.members.Joiner;
import io.raftkit.kv.members.Member;
import io.raftkit.kv.members.MemberDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /** How long a joining node tries to reach the member it was pointed at before it gives up starting. */
    private static final java.time.Duration JOIN_PATIENCE = java.time.Duration.ofSeconds(30);

    private final ServerConfig config;
    private final Vertx vertx;
    private final RaftServer raft;
    private final KvHttpServer http;
    private final JvmGcMetrics gc;
    private final Joiner joiner = new Joiner();
    private int httpPort;

    private KvNode(ServerConfig config, Vertx vertx, RaftServer raft, KvHttpServer http, JvmGcMetrics gc) {
        this.config = config;
        this.vertx = vertx;
        this.raft = raft;
        this.http = http;
        this.gc = gc;
    }

    /**
     * {@code --join}: the record of an earlier start, or a new one from the member at the join URL.
     * A data directory that holds state but no record belongs to a node started with {@code --peer}:
     * refused, since joining would start it from another configuration than its own.
     */
    private static JoinRecord joinRecord(ServerConfig config, LogStore store, SnapshotStore snapshots)
            throws IOException {
        Optional<JoinRecord> earlier = JoinRecord.read(config.dataDir());
        if (earlier.isPresent()) {
            LOG.info("node {} joined through {} before ({}); its stored configuration wins", config.id(), earlier.get().joinUrl(),
                    earlier.get().added() ? "added" : "not added yet: asking again");
            return earlier.get();
        }
        if (store.lastIndex() > 0 || store.firstIndex() > 1 || snapshots.latest().isPresent()) {
            throw new IllegalArgumentException("data-dir " + config.dataDir() + " holds a log or snapshots but no "
                    + JoinRecord.FILE + ": this node was started with --peer, not --join. Restart it as it was started,"
                    + " or give a new node an empty data directory");
        }
        Peer self = config.self();
        Joiner.Answer answer;
        try {
            answer = new Joiner().fetchMembers(config.join(), JOIN_PATIENCE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + config.join() + " for the members");
        }
        String url = answer.url();
        JsonObject members = answer.members();
        JoinRecord record;
        try {
            record = JoinRecord.fromMembersDocument(url, config.id(), new Member(config.id(), self.raft().toString(),
                    self.httpUrl()), members);
        } catch (RuntimeException e) {
            throw new IOException(url + "/v1/members did not answer with a members document: " + e.getMessage(), e);
        }
        record.write(config.dataDir());
        LOG.info("node {} joins through {}: starting from {} as a learner", config.id(), url, record.config());
        return record;
    }

    /** Asks to be added, in the background, until the leader has; then remembers it. */
    private void requestAdd(JoinRecord record) {
        List<String> urls = new ArrayList<>();
        urls.add(record.joinUrl());
        record.members().values().stream().filter(m -> !m.id().equals(config.id()) && m.http() != null)
                .forEach(m -> urls.add(m.http()));
        joiner.requestAdd(urls, record.members().get(config.id()), () -> {
            try {
                record.withAdded().write(config.dataDir());
            } catch (IOException e) {
                LOG.warn("node {} was added but could not record it in {}: {}; a restart asks again (idempotent)",
                        config.id(), JoinRecord.FILE, e.toString());
            }
        });
    }

    /** Builds and starts the node; on failure everything already started is closed again. */
    public static KvNode start(ServerConfig config) throws IOException {
        Vertx vertx = Vertx.vertx();
        RaftServer raft = null;
        LogStore store = null;
        SnapshotStore snapshots = null;
        JvmGcMetrics gc = null;
        StartStep<JvmGcMetrics> jvmMeters = null;
        StartStep<LogStore> logOpening = null;
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // The JVM's own: the KV state and the log's cache live in the heap, so heap and GC matter.
            // Bound beside the store opens: loading JMX for them is about 0.3 s of a start.
            jvmMeters = StartStep.begin("raft-kv-start-jvm-meters", () -> bindJvmMeters(registry));
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
            // The two stores share nothing but the data directory (the snapshots have their own, and
            // lock it), so they open side by side: a restart scans the log's tail while the snapshot
            // store opens and the newest snapshot is restored (the server asks the log nothing before).
            Resources lent = resources;
            logOpening = StartStep.begin("raft-kv-start-log-store", () -> Plugins.logStore(config.logStore())
                    .open(new LogStoreConfig(config.id(), config.clusterId(), config.dataDir(), config.logStoreOptions(), lent)));
            snapshots = Plugins.snapshotStore(config.snapshots().store()).open(new SnapshotStoreConfig(config.id(),
                    config.clusterId(), config.dataDir(), config.snapshots().storeOptions(), resources));
            SnapshotPolicy policy = config.snapshots().policy(SnapshotPolicy.DEFAULT);
            store = new MeteredLogStore(logOpening, registry, config.logStore(), config.id().value());
            logOpening = null; // from here on `store` is what to close (it waits for the open first)
            StartStep<JvmGcMetrics> bound = jvmMeters;
            jvmMeters = null;
            gc = bound.join();
            ClusterConfig cluster = ClusterConfig.ofVoters(raftAddresses.keySet());
            JoinRecord joined = null;
            if (!config.join().isEmpty()) {
                // A new node starts from the cluster's configuration with itself a learner, so it
                // never campaigns (thesis §4.2.1), until its log or a snapshot brings the real one.
                joined = joinRecord(config, store, snapshots);
                cluster = joined.config();
                directory.told(joined.members());
                for (Member m : joined.members().values()) {
                    if (m.raft() != null) {
                        raftAddresses.putIfAbsent(m.id(), m.raft());
                    }
                }
            }
            raft = RaftServer.builder()
                    .self(config.id())
                    .cluster(cluster)
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
            if (joined != null && !joined.added()) {
                node.requestAdd(joined);
            }
            return node;
        } catch (IOException | RuntimeException e) {
            StartStep.closeAfter(logOpening, e);
            StartStep.closeAfter(jvmMeters, e);
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

    private static JvmGcMetrics bindJvmMeters(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
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
        joiner.close();
        http.close();
        raft.close();
        gc.close();
        vertx.close().await();
        LOG.info("node {} stopped", config.id());
    }
}
