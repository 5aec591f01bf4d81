package io.raftkit.kv.cli;

import io.raftkit.api.spi.PluginException;
import io.raftkit.kv.server.KvNode;
import io.raftkit.kv.server.ServerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code raft-kv server}: runs one node until SIGTERM/Ctrl-C, then closes it cleanly. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs one KV node.",
                "Settings come from --config (a Java properties file whose keys are these flags without dashes,"
                        + " peers separated by ';') and/or flags; flags win.",
                "Bad flags or settings exit with status 2 and a message naming the problem; a node that cannot"
                        + " start for another reason (its data directory refused, a port in use) exits 1, naming it."})
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "properties file with the settings")
    Path configFile;

    @Option(names = "--id", description = "this node's id; must be one of the peers")
    String id;

    @Option(names = "--peer", paramLabel = "ID=RAFT_HOST:PORT,HTTP_HOST:PORT",
            description = "a cluster member (repeat for each, this node included)")
    List<String> peers;

    @Option(names = "--join", paramLabel = "URL[,URL...]", description = "a new node: learn the members from a member's"
            + " HTTP API (e.g. http://10.0.0.1:8001; several, comma-separated, are tried in turn), start as a learner and ask the leader to add it. Give --id, --data-dir (empty"
            + " at first) and only this node's own --peer entry. A restart with the same flags neither adds it twice nor"
            + " resets anything: its stored configuration wins. Then promote it: raft-kv member promote ID")
    String join;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where the log store keeps its files")
    String dataDir;

    @Option(names = "--transport", description = "transport plugin name (default vertx-tcp)")
    String transport;

    @Option(names = "--log-store", description = "log store plugin name (default mapdb)")
    String logStore;

    @Option(names = "--bind-host", description = "listen here instead of on this node's own peer hosts, e.g. 0.0.0.0 behind NAT;"
            + " the ports stay the peer entry's (vertx-tcp listens there too)")
    String bindHost;

    @Option(names = "--cluster-id", description = "cluster name; a data dir of another cluster is refused (default raftkit)")
    String clusterId;

    @Option(names = "--peer-secret-file", paramLabel = "FILE",
            description = "a file every member holds (e.g. openssl rand -base64 32 > FILE; chmod 600 FILE): peers prove it"
                    + " when they connect (vertx-tcp). Default on loopback: ~/.raftkit/peer-secret, created when missing")
    String peerSecretFile;

    @Option(names = "--insecure-peers", description = "admit Raft peers that prove nothing; needed to listen beyond loopback"
            + " without --peer-secret-file or TLS (transport.tls.*). Anyone who reaches the Raft port can then act as a member")
    boolean insecurePeers;

    @Option(names = "--tick-ms", description = "length of one Raft tick (default 10)")
    String tickMillis;

    @Option(names = "--election-timeout-ticks", paramLabel = "MIN..MAX", description = "election timeout range (default 50..100, i.e. 500-1000 ms)")
    String electionTimeoutTicks;

    @Option(names = "--heartbeat-ticks", description = "heartbeat interval (default a fifth of the shortest election timeout: 10)")
    String heartbeatTicks;

    @Option(names = "--request-timeout-ms", description = "how long a proposal or read may wait (default 5000)")
    String requestTimeoutMillis;

    @Option(names = "--max-key-bytes", description = "longest key accepted, 1 to 8192 (default 1024): a key travels"
            + " percent-encoded in the request line, up to 3 characters a byte, and the server reads request lines up to"
            + " 3 x max-key-bytes + 512 characters")
    String maxKeyBytes;

    @Option(names = "--max-value-bytes", description = "longest value accepted, 0 to 67108840 (64 MiB less a snapshot record's"
            + " version and indexes; default 1048576)")
    String maxValueBytes;

    @Option(names = "--max-body-bytes", description = "largest request body read; beyond it 413 (default 4194304)")
    String maxBodyBytes;

    @Option(names = "--session-ttl-ms", description = "idle client sessions expire after this much log time (default 3600000);"
            + " the leader puts its value into the log, so the latest leader's rules every replica")
    String sessionTtlMillis;

    @Option(names = "--session-capacity", description = "most client sessions kept; a new one beyond it evicts the least"
            + " recently used (default 50000, about 16 MB); replicated like --session-ttl-ms")
    String sessionCapacity;

    @Option(names = "--http-max-connections", description = "HTTP connections open at once; more are closed at once (default 1000)")
    String httpMaxConnections;

    @Option(names = "--http-max-connections-per-address", description = "HTTP connections open at once from one client address (default 100)")
    String httpMaxConnectionsPerAddress;

    @Option(names = "--http-header-timeout-ms", description = "a connection must send a complete request head this soon after"
            + " opening or after its last answer, else it is closed; also the keep-alive idle limit (default 10000)")
    String httpHeaderTimeoutMillis;

    @Option(names = "--http-body-timeout-ms", description = "a request body must arrive this soon after its head, else 408 (default 30000)")
    String httpBodyTimeoutMillis;

    @Option(names = "--snapshot-every-entries", paramLabel = "N", description = "take a snapshot after this many log entries"
            + " since the last one, 1 to 1000000000 (default: the Raft core's)")
    String snapshotEveryEntries;

    @Option(names = "--snapshot-every-bytes", paramLabel = "BYTES", description = "or after this many bytes of log since the last"
            + " one, 1024 to 2^40 (default: the Raft core's)")
    String snapshotEveryBytes;

    @Option(names = "--snapshot-min-log-percent", paramLabel = "PERCENT", description = "but not before the log since the last"
            + " snapshot holds this percent of its size, 0 to 10000; a snapshot rewrites the whole state, so this bounds the"
            + " snapshot bytes written per byte of log for a large state; 0: on the counts alone (default: the Raft core's, 10)")
    String snapshotMinLogPercent;

    @Option(names = "--snapshot-keep-tail", paramLabel = "N", description = "entries kept in the log behind a snapshot, so a"
            + " slightly lagging follower catches up from the log rather than by InstallSnapshot (default: the Raft core's)")
    String snapshotKeepTail;

    @Option(names = "--snapshot-store", description = "snapshot store plugin name (default mapdb, in the data dir beside the"
            + " log store; memory when the log store is memory); options as --set snapshot-store.NAME=VALUE")
    String snapshotStore;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "any setting, e.g. transport.queue-size=8192 or log-store.segment-mb=16; a plugin refuses options it does not know")
    Map<String, String> extra;

    @Override
    public Integer call() {
        ServerConfig config;
        try {
            config = ServerConfig.from(settings());
        } catch (IllegalArgumentException e) {
            System.err.println("raft-kv server: bad configuration: " + e.getMessage());
            return Main.BAD_USAGE;
        }
        KvNode node;
        try {
            node = KvNode.start(config);
        } catch (PluginException | IllegalArgumentException e) {
            System.err.println("raft-kv server: cannot start: " + e.getMessage());
            return Main.BAD_USAGE;
        } catch (Exception e) {
            System.err.println("raft-kv server: cannot start node " + config.id() + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "raft-kv-shutdown"));
        System.out.println("raft-kv node " + config.id() + " ready: http://" + config.self().http() + " raft " + config.self().raft());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    Map<String, String> settings() {
        Map<String, String> s = configFile == null ? new HashMap<>() : ServerConfig.readFile(configFile);
        if (extra != null) {
            s.putAll(extra);
        }
        put(s, "id", id);
        if (peers != null) {
            s.put("peers", String.join(";", peers));
        }
        put(s, "data-dir", dataDir);
        put(s, "join", join);
        put(s, "transport", transport);
        put(s, "log-store", logStore);
        put(s, "cluster-id", clusterId);
        put(s, "bind-host", bindHost);
        put(s, "peer-secret-file", peerSecretFile);
        if (insecurePeers) {
            s.put("insecure-peers", "true");
        }
        put(s, "tick-ms", tickMillis);
        put(s, "election-timeout-ticks", electionTimeoutTicks);
        put(s, "heartbeat-ticks", heartbeatTicks);
        put(s, "request-timeout-ms", requestTimeoutMillis);
        put(s, "max-key-bytes", maxKeyBytes);
        put(s, "max-value-bytes", maxValueBytes);
        put(s, "max-body-bytes", maxBodyBytes);
        put(s, "session-ttl-ms", sessionTtlMillis);
        put(s, "session-capacity", sessionCapacity);
        put(s, "http-max-connections", httpMaxConnections);
        put(s, "http-max-connections-per-address", httpMaxConnectionsPerAddress);
        put(s, "http-header-timeout-ms", httpHeaderTimeoutMillis);
        put(s, "http-body-timeout-ms", httpBodyTimeoutMillis);
        put(s, "snapshot-every-entries", snapshotEveryEntries);
        put(s, "snapshot-every-bytes", snapshotEveryBytes);
        put(s, "snapshot-min-log-percent", snapshotMinLogPercent);
        put(s, "snapshot-keep-tail", snapshotKeepTail);
        put(s, "snapshot-store", snapshotStore);
        return s;
    }

    private static void put(Map<String, String> settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }
}
