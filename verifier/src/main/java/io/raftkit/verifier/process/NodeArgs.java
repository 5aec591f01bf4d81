package io.raftkit.verifier.process;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@link ProcessCluster} tells each node process it starts, both as arguments
 * ({@code --id n1 --peers n1=127.0.0.1:7001,n2=127.0.0.1:7002 --data-dir DIR --client-port 8001
 * --faults-port 9001}) and as environment variables ({@code RAFTKIT_VERIFY_ID},
 * {@code RAFTKIT_VERIFY_PEERS}, {@code RAFTKIT_VERIFY_DATA_DIR}, {@code RAFTKIT_VERIFY_CLIENT_PORT},
 * {@code RAFTKIT_VERIFY_FAULTS_PORT}, {@code RAFTKIT_VERIFY_REQUEST_TIMEOUT_MS}), so a user's main
 * class can read whichever it likes.
 *
 * @param id         this node's Raft id
 * @param peers      every voter's id and Raft (transport) address, this node's included, in order
 * @param dataDir    this node's data directory: it survives kills and restarts, and only this node uses it
 * @param clientPort the loopback port where the verifier's clients reach the node ({@link NodeEndpoint})
 * @param faultsPort the loopback port of the {@code network-faults} transport's admin endpoint
 * @param requestTimeoutMillis how long the server keeps a proposal or read before failing it
 */
public record NodeArgs(String id, Map<String, String> peers, Path dataDir, int clientPort, int faultsPort, long requestTimeoutMillis) {

    static final List<String> NAMES = List.of("id", "peers", "data-dir", "client-port", "faults-port", "request-timeout-ms");

    public NodeArgs {
        peers = Map.copyOf(new LinkedHashMap<>(peers));
        if (!peers.containsKey(id)) {
            throw new IllegalArgumentException("--peers " + peers + " does not name this node, " + id);
        }
    }

    /** The arguments a node process is started with. */
    List<String> toArgs() {
        return List.of("--id", id, "--peers", peersText(), "--data-dir", dataDir.toString(),
                "--client-port", Integer.toString(clientPort), "--faults-port", Integer.toString(faultsPort),
                "--request-timeout-ms", Long.toString(requestTimeoutMillis));
    }

    /** The same, as environment variables. */
    Map<String, String> toEnvironment() {
        List<String> args = toArgs();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            env.put(variable(args.get(i).substring(2)), args.get(i + 1));
        }
        return env;
    }

    private String peersText() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(peers).entrySet()) {
            b.append(b.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
        }
        return b.toString();
    }

    private static String variable(String name) {
        return "RAFTKIT_VERIFY_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** Reads the arguments, each missing one from the environment; a missing or bad one is an error that names it. */
    public static NodeArgs parse(String[] args) {
        return parse(args, System::getenv);
    }

    static NodeArgs parse(String[] args, Function<String, String> environment) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !NAMES.contains(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("node argument '" + args[i] + "' is not one of --" + String.join(" VALUE, --", NAMES)
                        + " VALUE");
            }
            given.put(name, args[++i]);
        }
        for (String name : NAMES) {
            if (!given.containsKey(name) && environment.apply(variable(name)) != null) {
                given.put(name, environment.apply(variable(name)));
            }
            if (!given.containsKey(name)) {
                throw new IllegalArgumentException("node setting --" + name + " (or " + variable(name) + ") is missing");
            }
        }
        Map<String, String> peers = new LinkedHashMap<>();
        for (String peer : given.get("peers").split(",")) {
            int eq = peer.indexOf('=');
            if (eq <= 0 || eq == peer.length() - 1) {
                throw new IllegalArgumentException("--peers: '" + peer + "' is not id=host:port");
            }
            peers.put(peer.substring(0, eq).strip(), peer.substring(eq + 1).strip());
        }
        long timeout;
        try {
            timeout = Long.parseLong(given.get("request-timeout-ms").strip());
        } catch (NumberFormatException e) {
            timeout = 0;
        }
        if (timeout <= 0) {
            throw new IllegalArgumentException("--request-timeout-ms must be a positive number of milliseconds, was '"
                    + given.get("request-timeout-ms") + "'");
        }
        return new NodeArgs(given.get("id"), peers, Path.of(given.get("data-dir")), port(given, "client-port"), port(given, "faults-port"),
                timeout);
    }

    private static int port(Map<String, String> given, String name) {
        try {
            int port = Integer.parseInt(given.get(name).strip());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a port (1 to 65535), was '" + given.get(name) + "'");
        }
    }
}
