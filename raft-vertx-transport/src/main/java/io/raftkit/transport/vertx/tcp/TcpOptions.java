package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of the {@code vertx-tcp} transport, read from {@link Options}; a bad value throws
 * {@link IllegalArgumentException} naming the option.
 *
 * <ul>
 *   <li>{@code max-frame-bytes} (16 MiB): larger frames close the connection, checked before allocating</li>
 *   <li>{@code queue-size} (4096): messages waiting per peer; more are dropped and counted</li>
 *   <li>{@code backoff-min-millis} (20) and {@code backoff-max-millis} (2000): reconnect delay bounds</li>
 *   <li>{@code handshake-timeout-millis} (5000): a connection that names no node in time is closed</li>
 *   <li>{@code max-pending-handshakes} (64): connections beyond this many still unnamed are closed at once</li>
 *   <li>{@code event-loops} (1): threads of the Vertx this transport creates when none is lent; one
 *       carries a node's traffic, and more only add context switches (docs/bench/transport.md)</li>
 *   <li>{@code tls.key}, {@code tls.cert}, {@code tls.ca}: PEM files; all three enable mutual TLS</li>
 *   <li>{@code tls.verify-hostname} (true): check that a peer's certificate names the address dialled</li>
 *   <li>{@code bind-host} (the host of this node's own address): where to listen, e.g. {@code 0.0.0.0}
 *       when the address peers dial is not one of this machine's (NAT, a container's published port)</li>
 * </ul>
 */
record TcpOptions(int maxFrameBytes, int queueSize, long backoffMinMillis, long backoffMaxMillis,
                  long handshakeTimeoutMillis, int maxPendingHandshakes, int eventLoops, Optional<Tls> tls,
                  Optional<String> bindHost) {

    /** Mutual TLS material: this node's key and certificate, and the CA that signs every member's. */
    record Tls(Path key, Path cert, Path ca, boolean verifyHostname) {
    }

    static final Set<String> NAMES = Set.of("max-frame-bytes", "queue-size", "backoff-min-millis", "backoff-max-millis",
            "handshake-timeout-millis", "max-pending-handshakes", "event-loops", "tls.key", "tls.cert", "tls.ca",
            "tls.verify-hostname", "bind-host");

    static TcpOptions from(Options options) {
        options.requireOnly("vertx-tcp", NAMES);
        int maxFrameBytes = options.intValue("max-frame-bytes", 16 * 1024 * 1024, 1024, Integer.MAX_VALUE - 8);
        int queueSize = options.intValue("queue-size", 4096, 1, 1 << 24);
        long backoffMin = options.longValue("backoff-min-millis", 20, 1, 60_000);
        long backoffMax = options.longValue("backoff-max-millis", 2000, backoffMin, 600_000);
        long handshakeTimeout = options.longValue("handshake-timeout-millis", 5000, 10, 600_000);
        int maxPendingHandshakes = options.intValue("max-pending-handshakes", 64, 1, 1 << 20);
        int eventLoops = options.intValue("event-loops", 1, 1, 64);
        return new TcpOptions(maxFrameBytes, queueSize, backoffMin, backoffMax, handshakeTimeout,
                maxPendingHandshakes, eventLoops,
                tls(options), bindHost(options));
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
