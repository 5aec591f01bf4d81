package io.raftkit.kv.server;

import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.snapshot.SnapshotStreamFormat;
import io.raftkit.api.spi.Options;
import io.raftkit.kv.KvSnapshotRecords;
import io.raftkit.kv.SessionPolicy;
import io.raftkit.kv.http.HttpLimits;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything one KV node needs, from a Java properties file and/or flags (flags win). The keys are
 * the flag names without dashes:
 *
 * <pre>
 * id=n1
 * peers=n1=127.0.0.1:7001,127.0.0.1:8001;n2=127.0.0.1:7002,127.0.0.1:8002;n3=127.0.0.1:7003,127.0.0.1:8003
 * data-dir=/var/lib/raft-kv/n1
 * # any TransportProvider name on the classpath
 * transport=vertx-tcp
 * # any LogStoreProvider name
 * log-store=mapdb
 * # named in vertx-tcp's hello too: a node of another cluster is refused
 * cluster-id=raftkit
 * # optional: listen here (HTTP, and vertx-tcp unless transport.bind-host)
 * bind-host=0.0.0.0
 * # vertx-tcp peer authentication (docs/security.md): a secret file every member holds, or TLS
 * # (transport.tls.*); listening beyond loopback with neither needs insecure-peers=true
 * peer-secret-file=/etc/raft-kv/peer-secret
 * insecure-peers=false
 * tick-ms=10
 * election-timeout-ticks=50..100
 * heartbeat-ticks=10
 * # AppendEntries in flight to one follower
 * max-inflight-appends=8
 * request-timeout-ms=5000
 * max-key-bytes=1024
 * max-value-bytes=1048576
 * max-body-bytes=4194304
 * session-ttl-ms=3600000
 * session-capacity=50000
 * http-max-connections=1000
 * http-max-connections-per-address=100
 * http-header-timeout-ms=10000
 * http-body-timeout-ms=30000
 * # passed to the transport plugin
 * transport.&lt;option&gt;=...
 * # passed to the log store plugin
 * log-store.&lt;option&gt;=...
 * # snapshot policy (unset: the Raft core's defaults) and store (mapdb beside the log store; memory with a memory log store)
 * snapshot-every-entries=100000
 * snapshot-every-bytes=67108864
 * snapshot-min-log-percent=10
 * snapshot-keep-tail=10000
 * snapshot-store=mapdb
 * snapshot-store.&lt;option&gt;=...
 * # a new node: learn the members from these members' HTTP APIs (the first that answers) and ask
 * # to be added as a learner (peers then names this node only: its own addresses)
 * join=http://10.0.0.1:8001,http://10.0.0.2:8001
 * </pre>
 *
 * The node listens on its own peer entry's addresses. Every error names the key and the value.
 */
public record ServerConfig(NodeId id, List<Peer> peers, Path dataDir, String transport, Options transportOptions,
                           String logStore, Options logStoreOptions, String clusterId, RaftConfig raftConfig,
                           Duration requestTimeout, HttpLimits limits, SessionPolicy sessionPolicy, Optional<String> bindHost,
                           SnapshotSettings snapshots, List<String> join) {

    /** Transports that wrap another (option {@code inner}) and pass it the options they do not use. */
    private static final Set<String> WRAPPERS = Set.of("network-faults", "fault-injecting");
    private static final Set<String> KEYS = Set.of("id", "peers", "data-dir", "transport", "log-store", "cluster-id",
            "tick-ms", "election-timeout-ticks", "heartbeat-ticks", "max-inflight-appends", "request-timeout-ms", "max-key-bytes",
            "max-value-bytes", "max-body-bytes", "session-ttl-ms", "bind-host", "peer-secret-file", "insecure-peers",
            "session-capacity", "http-max-connections", "http-max-connections-per-address", "http-header-timeout-ms",
            "http-body-timeout-ms", SnapshotSettings.EVERY_ENTRIES, SnapshotSettings.EVERY_BYTES,
            SnapshotSettings.MIN_LOG_PERCENT, SnapshotSettings.KEEP_TAIL,
            SnapshotSettings.STORE, "join");

    /**
     * The largest value a node may accept: a snapshot keeps each key as one record of the value
     * plus its version and indexes, and a record over the stream's limit would stop every snapshot.
     */
    static final int MAX_VALUE_BYTES = SnapshotStreamFormat.MAX_VALUE_BYTES - KvSnapshotRecords.DATA_HEADER_BYTES;

    public Peer self() {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    /** Reads a properties file into settings; an unreadable file is an error naming it. */
    public static Map<String, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("config file " + file + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config file " + file + " is not a valid properties file: " + e.getMessage());
        }
        Map<String, String> settings = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> settings.put(k.trim(), properties.getProperty(k).trim()));
        return settings;
    }

    public static ServerConfig from(Map<String, String> settings) {
        Map<String, String> transportOptions = new TreeMap<>();
        Map<String, String> logStoreOptions = new TreeMap<>();
        Map<String, String> snapshotStoreOptions = new TreeMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("transport.")) {
                transportOptions.put(key.substring("transport.".length()), e.getValue());
            } else if (key.startsWith("log-store.")) {
                logStoreOptions.put(key.substring("log-store.".length()), e.getValue());
            } else if (key.startsWith("snapshot-store.")) {
                snapshotStoreOptions.put(key.substring("snapshot-store.".length()), e.getValue());
            } else if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; known: " + new java.util.TreeSet<>(KEYS)
                        + " and transport.*, log-store.*, snapshot-store.*");
            }
        }
        String rawId = required(settings, "id");
        NodeId id;
        try {
            id = NodeId.of(rawId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("id '" + rawId + "': " + e.getMessage());
        }
        List<Peer> peers = new ArrayList<>();
        for (String entry : required(settings, "peers").split(";")) {
            if (!entry.isBlank()) {
                Peer peer = Peer.parse(entry.trim());
                if (peers.stream().anyMatch(p -> p.id().equals(peer.id()))) {
                    throw new IllegalArgumentException("peers: " + peer.id() + " is listed twice");
                }
                peers.add(peer);
            }
        }
        // Two listeners on one address would split its connections between them (Vert.x shares
        // the port), and two members on one address would each take the other's traffic.
        Map<HostPort, String> listeners = new HashMap<>();
        for (Peer p : peers) {
            for (Map.Entry<HostPort, String> l : List.of(Map.entry(p.raft(), p.id() + "'s raft address"),
                    Map.entry(p.http(), p.id() + "'s http address"))) {
                String earlier = listeners.putIfAbsent(l.getKey(), l.getValue());
                if (earlier != null) {
                    throw new IllegalArgumentException("peers: " + l.getKey() + " is both " + earlier + " and " + l.getValue()
                            + "; every member needs its own raft and http address");
                }
            }
        }
        // Several members, comma-separated: a joining node asks each in turn, so one member down at
        // 3 a.m. does not stop the new one from starting.
        List<String> join = settings.get("join") == null ? List.of()
                : Arrays.stream(settings.get("join").split(",")).map(String::trim).filter(u -> !u.isEmpty())
                        .map(ServerConfig::joinUrl).distinct().toList();
        if (settings.get("join") != null && join.isEmpty()) {
            throw new IllegalArgumentException("join is empty: give a member's HTTP URL like http://10.0.0.1:8001");
        }
        if (!join.isEmpty()) {
            List<String> others = peers.stream().filter(p -> !p.id().equals(id)).map(p -> p.id().value()).toList();
            if (!others.isEmpty()) {
                throw new IllegalArgumentException("join: a joining node learns the members from " + String.join(", ", join)
                        + "; give only this node's own peer entry (" + id + "=raftHost:port,httpHost:port), not " + others);
            }
            String own = peers.stream().filter(p -> p.id().equals(id)).map(Peer::httpUrl).findFirst().orElse(null);
            if (join.contains(own)) {
                throw new IllegalArgumentException("join " + own + " is this node's own HTTP address: give members"
                        + " of the cluster to join");
            }
            if (settings.get("data-dir") == null) {
                throw new IllegalArgumentException("join needs data-dir: a joining node keeps there what it learned and"
                        + " whether it was added, so a restart does not ask again");
            }
        }
        if (peers.stream().noneMatch(p -> p.id().equals(id))) {
            throw new IllegalArgumentException("peers: this node's id " + id + " is not among the peers "
                    + peers.stream().map(p -> p.id().value()).toList());
        }
        String transport = settings.getOrDefault("transport", "vertx-tcp");
        Optional<String> bindHost = Optional.ofNullable(settings.get("bind-host")).map(String::trim);
        if (bindHost.isPresent() && bindHost.get().isEmpty()) {
            throw new IllegalArgumentException("bind-host is empty: give a host or address to listen on, e.g. 0.0.0.0");
        }
        if (bindHost.isPresent() && reachesVertxTcp(transport, transportOptions)) {
            transportOptions.putIfAbsent("bind-host", bindHost.get()); // one setting for both listeners
        }
        String clusterId = settings.getOrDefault("cluster-id", "raftkit");
        peerAuthentication(settings, transport, clusterId, transportOptions);
        String logStore = settings.getOrDefault("log-store", "mapdb");
        String dataDirText = settings.get("data-dir");
        if (dataDirText == null && !logStore.equals("memory")) {
            throw new IllegalArgumentException("data-dir is required for the '" + logStore + "' log store");
        }
        Path dataDir = dataDirText == null ? null : Path.of(dataDirText);
        Options numbers = Options.of(settings.entrySet().stream().filter(e -> KEYS.contains(e.getKey()))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        // Longer than the library's defaults (the paper's 150-300 ms for a quiet LAN): a node is a
        // JVM on a shared host, and at 150-300 ms every fresh 3-node cluster here re-elected its
        // leader 3 times within its first 12 s (class loading, JIT, GC); at 500-1000 ms, never.
        RaftConfig.Builder raft = RaftConfig.builder().tickMillis(numbers.intValue("tick-ms", 10, 1, 60_000));
        int electionMin = 50;
        int electionMax = 100;
        String timeouts = settings.get("election-timeout-ticks");
        if (timeouts != null) {
            String[] range = timeouts.split("\\.\\.");
            try {
                electionMin = Integer.parseInt(range[0].trim());
                electionMax = Integer.parseInt(range[1].trim());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("election-timeout-ticks '" + timeouts + "' must look like 50..100");
            }
        }
        raft.electionTimeoutTicks(electionMin, electionMax);
        // Unless given, a fifth of the shortest election timeout (10 for 50..100, 3 for 15..30),
        // so a shorter election timeout alone never collides with the default heartbeat.
        raft.heartbeatIntervalTicks(numbers.intValue("heartbeat-ticks", Math.max(1, electionMin / 5), 1, 1_000_000));
        if (settings.containsKey("max-inflight-appends")) {
            raft.maxInflightAppends(numbers.intValue("max-inflight-appends", 8, 1, 10_000));
        }
        RaftConfig raftConfig = raft.build();
        Duration requestTimeout = Duration.ofMillis(numbers.longValue("request-timeout-ms", 5000, 1, 600_000));
        HttpLimits d = HttpLimits.DEFAULTS;
        long maxBodyBytes = numbers.longValue("max-body-bytes", d.maxBodyBytes(), 1, 256L * 1024 * 1024);
        HttpLimits limits = new HttpLimits(numbers.intValue("max-key-bytes", d.maxKeyBytes(), 1, HttpLimits.MAX_KEY_BYTES),
                numbers.intValue("max-value-bytes", d.maxValueBytes(), 0, MAX_VALUE_BYTES),
                maxBodyBytes,
                numbers.intValue("http-max-connections", d.maxConnections(), 1, 1_000_000),
                numbers.intValue("http-max-connections-per-address", d.maxConnectionsPerAddress(), 1, 1_000_000),
                numbers.longValue("http-header-timeout-ms", d.headerTimeoutMillis(), 1, 3_600_000),
                numbers.longValue("http-body-timeout-ms", d.bodyTimeoutMillis(), 1, 3_600_000),
                requestTimeout.toMillis(), // a follower waits for the leader no longer than the leader would
                HttpLimits.defaultBodyBuffer(maxBodyBytes));
        SessionPolicy sessionPolicy = new SessionPolicy(
                numbers.longValue("session-ttl-ms", SessionPolicy.DEFAULT_TTL_MILLIS, 1, SessionPolicy.MAX_TTL_MILLIS),
                numbers.intValue("session-capacity", SessionPolicy.DEFAULT_CAPACITY, 1, SessionPolicy.MAX_CAPACITY));
        SnapshotSettings snapshots = SnapshotSettings.from(settings, snapshotStoreOptions, logStore, dataDir != null);
        return new ServerConfig(id, List.copyOf(peers), dataDir, transport, Options.of(transportOptions), logStore,
                Options.of(logStoreOptions), clusterId, raftConfig, requestTimeout, limits, sessionPolicy, bindHost, snapshots, join);
    }

    /**
     * The vertx-tcp settings the server names itself: the cluster id (so the transport's hello names
     * the cluster the data directory belongs to), the peer secret file and insecure-peers. They go
     * to vertx-tcp itself or through a fault-injection wrapper around it (option {@code inner},
     * vertx-tcp by default), which hands the options it does not use to the transport it wraps: the
     * verifier's Docker nodes listen beyond loopback through {@code network-faults}.
     */
    private static void peerAuthentication(Map<String, String> settings, String transport, String clusterId,
                                           Map<String, String> transportOptions) {
        String secretFile = settings.get("peer-secret-file");
        String insecure = settings.get("insecure-peers");
        if (!reachesVertxTcp(transport, transportOptions)) {
            if (secretFile != null || insecure != null) {
                throw new IllegalArgumentException("peer-secret-file and insecure-peers are settings of the vertx-tcp"
                        + " transport, not of '" + transport + "'; give its own options as transport.<option>");
            }
            return;
        }
        transportOptions.putIfAbsent("cluster-id", clusterId);
        if (secretFile != null) {
            transportOptions.putIfAbsent("secret-file", secretFile);
        }
        if (insecure != null) {
            transportOptions.putIfAbsent("insecure-peers", insecure);
        }
    }

    /** Whether the transport is vertx-tcp, or a fault-injection wrapper that hands its options on to one. */
    private static boolean reachesVertxTcp(String transport, Map<String, String> transportOptions) {
        return transport.equals("vertx-tcp") || (WRAPPERS.contains(transport)
                && transportOptions.getOrDefault("inner", "vertx-tcp").equals("vertx-tcp"));
    }

    /** A member's HTTP base URL, {@code http://host:port}. */
    private static String joinUrl(String text) {
        String url = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        try {
            java.net.URI uri = new java.net.URI(url);
            if ("http".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null) {
                return url;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("join '" + text + "' must be a member's HTTP URL like http://10.0.0.1:8001");
    }

    private static String required(Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }
}
