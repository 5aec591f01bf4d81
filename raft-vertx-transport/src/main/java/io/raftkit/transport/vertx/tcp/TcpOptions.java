package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.Options;
import io.raftkit.transport.vertx.codec.HandshakeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of the {@code vertx-tcp} transport, read from {@link Options}; a bad value throws
 * {@link IllegalArgumentException} naming the option. The module README lists them with their
 * defaults and docs/security.md says what each one protects.
 *
 * <ul>
 *   <li>{@code cluster-id} (the server's, {@code RaftServerBuilder.clusterId}; "raftkit" when none was
 *       given): named in every hello; a peer of another cluster is refused</li>
 *   <li>{@code secret-file}: a file every member holds; peers prove it with HMAC-SHA256 at the
 *       handshake. By default a node that listens on loopback only uses (and creates) the per-user
 *       {@code ~/.raftkit/peer-secret}</li>
 *   <li>{@code insecure-peers} (false): admit peers that prove nothing; required to listen beyond
 *       loopback without TLS or a secret file</li>
 *   <li>{@code tls.key}, {@code tls.cert}, {@code tls.ca}: PEM files; all three enable mutual TLS.
 *       Each member's certificate names it by the SAN URI {@code raftkit://<cluster-id>/<node-id>}</li>
 *   <li>{@code tls.verify-hostname} (true): a peer's certificate must also name the address dialled</li>
 *   <li>{@code max-frame-bytes} (16 MiB): larger frames close the connection, checked before allocating</li>
 *   <li>{@code queue-size} (4096) and {@code queue-bytes} (64 MiB): what may wait for one peer; more is
 *       dropped and counted</li>
 *   <li>{@code stale-after-millis} (1000): a message queued this long before the connection that would
 *       carry it was dialled is dropped, not sent (what waited through an outage)</li>
 *   <li>{@code backoff-min-millis} (20) and {@code backoff-max-millis} (2000): reconnect delay bounds</li>
 *   <li>{@code backoff-reset-millis} (2000): how long a connection must stay admitted before the
 *       reconnect delay starts again from the minimum</li>
 *   <li>{@code handshake-timeout-millis} (5000): a connection that completes no handshake in time is closed</li>
 *   <li>{@code max-pending-handshakes} (64) and {@code max-pending-handshakes-per-host} (8): connections
 *       still in their handshake; beyond either, the oldest from strangers give way</li>
 *   <li>{@code event-loops} (1): threads of the Vertx this transport creates when none is lent; one
 *       carries a node's traffic, and more only add context switches (docs/benchmarks.md)</li>
 *   <li>{@code bind-host} (the host of this node's own address): where to listen, e.g. {@code 0.0.0.0}
 *       when the address peers dial is not one of this machine's (NAT, a container's published port)</li>
 * </ul>
 */
record TcpOptions(String clusterId, Optional<Path> secretFile, boolean insecurePeers, Optional<Tls> tls,
                  int maxFrameBytes, int queueSize, long queueBytes, long staleAfterMillis,
                  long backoffMinMillis, long backoffMaxMillis, long backoffResetMillis,
                  long handshakeTimeoutMillis, int maxPendingHandshakes, int maxPendingHandshakesPerHost,
                  int eventLoops, Optional<String> bindHost) {

    /** Mutual TLS material: this node's key and certificate, and the CA that signs every member's. */
    record Tls(Path key, Path cert, Path ca, boolean verifyHostname) {
    }

    static final String DEFAULT_CLUSTER_ID = io.raftkit.api.spi.TransportConfig.DEFAULT_CLUSTER_ID;

    static final Set<String> NAMES = Set.of("cluster-id", "secret-file", "insecure-peers", "tls.key", "tls.cert",
            "tls.ca", "tls.verify-hostname", "max-frame-bytes", "queue-size", "queue-bytes", "stale-after-millis",
            "backoff-min-millis", "backoff-max-millis", "backoff-reset-millis", "handshake-timeout-millis",
            "max-pending-handshakes", "max-pending-handshakes-per-host", "event-loops", "bind-host");

    /** {@code hostClusterId} is the server's own ({@code TransportConfig.clusterId}); the option may only repeat it. */
    static TcpOptions from(Options options, String hostClusterId) {
        options.requireOnly("vertx-tcp", NAMES);
        int maxFrameBytes = options.intValue("max-frame-bytes", 16 * 1024 * 1024, 1024, Integer.MAX_VALUE - 8);
        int queueSize = options.intValue("queue-size", 4096, 1, 1 << 24);
        // Four of the largest frames: a full AppendEntries batch can always wait behind another.
        long queueBytes = options.longValue("queue-bytes", 64L << 20, 1024, 1L << 40);
        // Longer than the KV server's longest election timeout (1 s): whatever was said before then,
        // the cluster has moved on.
        long staleAfter = options.longValue("stale-after-millis", 1000, 1, 3_600_000);
        long backoffMin = options.longValue("backoff-min-millis", 20, 1, 60_000);
        long backoffMax = options.longValue("backoff-max-millis", 2000, backoffMin, 600_000);
        long backoffReset = options.longValue("backoff-reset-millis", 2000, 0, 3_600_000);
        long handshakeTimeout = options.longValue("handshake-timeout-millis", 5000, 10, 600_000);
        int maxPendingHandshakes = options.intValue("max-pending-handshakes", 64, 1, 1 << 20);
        int perHost = options.intValue("max-pending-handshakes-per-host", Math.min(8, maxPendingHandshakes), 1,
                maxPendingHandshakes);
        int eventLoops = options.intValue("event-loops", 1, 1, 64);
        Optional<Tls> tls = tls(options);
        Optional<Path> secretFile = options.get("secret-file").map(String::trim).map(v -> {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("option secret-file is empty: give the path of the cluster's peer secret");
            }
            return Path.of(v);
        });
        boolean insecure = options.booleanValue("insecure-peers", false);
        if (insecure && (tls.isPresent() || secretFile.isPresent())) {
            throw new IllegalArgumentException("option insecure-peers=true contradicts "
                    + (tls.isPresent() ? "tls.*" : "secret-file") + ": drop one of them");
        }
        return new TcpOptions(clusterId(options, hostClusterId), secretFile, insecure, tls, maxFrameBytes, queueSize, queueBytes,
                staleAfter, backoffMin, backoffMax, backoffReset, handshakeTimeout, maxPendingHandshakes, perHost,
                eventLoops, bindHost(options));
    }

    private static String clusterId(Options options, String hostClusterId) {
        String id = options.string("cluster-id", hostClusterId);
        if (!hostClusterId.equals(DEFAULT_CLUSTER_ID) && !id.equals(hostClusterId)) {
            throw new IllegalArgumentException("option cluster-id = '" + id + "' contradicts the server's cluster id '"
                    + hostClusterId + "' (RaftServerBuilder.clusterId); drop the option, the transport takes the server's");
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (id.isBlank() || bytes > HandshakeCodec.MAX_CLUSTER_ID_BYTES) {
            throw new IllegalArgumentException("option cluster-id = '" + id + "' must be 1 to "
                    + HandshakeCodec.MAX_CLUSTER_ID_BYTES + " bytes of UTF-8 and not blank (it is " + bytes + " bytes)");
        }
        return id;
    }

    private static Optional<String> bindHost(Options options) {
        Optional<String> host = options.get("bind-host").map(String::trim);
        if (host.isPresent() && host.get().isEmpty()) {
            throw new IllegalArgumentException("option bind-host is empty: give a host or address to listen on, e.g. 0.0.0.0");
        }
        return host;
    }

    private static Optional<Tls> tls(Options options) {
        Optional<String> key = options.get("tls.key");
        Optional<String> cert = options.get("tls.cert");
        Optional<String> ca = options.get("tls.ca");
        if (key.isEmpty() && cert.isEmpty() && ca.isEmpty()) {
            return Optional.empty();
        }
        if (key.isEmpty() || cert.isEmpty() || ca.isEmpty()) {
            throw new IllegalArgumentException("options tls.key, tls.cert and tls.ca enable mutual TLS together: "
                    + "give all three PEM files or none (given: key=" + key.isPresent() + ", cert="
                    + cert.isPresent() + ", ca=" + ca.isPresent() + ")");
        }
        return Optional.of(new Tls(readable("tls.key", key.get()), readable("tls.cert", cert.get()),
                readable("tls.ca", ca.get()), options.booleanValue("tls.verify-hostname", true)));
    }

    private static Path readable(String option, String value) {
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("option " + option + " = '" + value + "' is not a readable file");
        }
        return path;
    }
}
