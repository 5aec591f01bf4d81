package io.raftkit.verifier.process;

import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.FreePorts;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.spi.Node;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * N nodes of a user's state machine, each a JVM process running a main class the user names, with
 * the test's class path: the verifier's nemesis hurts them as it hurts the KV store's processes.
 * Each node is started with its {@link NodeArgs} (id, every voter's Raft address, its own data
 * directory, its client and fault ports) as arguments and environment; {@link NodeProcess#run} is
 * the one-line body of such a main class.
 * <ul>
 *   <li>kill: {@code SIGKILL} ({@link Process#destroyForcibly}); restart: the same main class on the
 *       same data directory and ports;</li>
 *   <li>crash: a kill; what the node's store had synced is what it keeps (this backend plants no
 *       store that loses unsynced writes, as the KV backends' {@code fault-injecting} one does);</li>
 *   <li>pause: {@code SIGSTOP}, {@code SIGCONT};</li>
 *   <li>partitions and packet faults: the {@code network-faults} transport's loopback admin
 *       endpoint on each node's faults port; a node that starts again gets the current rules once
 *       it listens.</li>
 * </ul>
 * Nodes' output goes to {@code logs/<node>.log} under the directory given.
 */
public final class ProcessCluster implements ClusterBackend {

    /** A JVM's start, the plugins' loading and an election, on a loaded 2-core machine. */
    private static final Duration START_WAIT = Duration.ofSeconds(90);
    private static final Duration STATUS_WAIT = Duration.ofMillis(500);

    private record Slot(NodeArgs args, ProcessNode node) {
    }

    private final String mainClass;
    private final Path dir;
    private final List<String> jvmOptions;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .version(HttpClient.Version.HTTP_1_1).build();
    private volatile NetworkState network = NetworkState.HEALED;

    /**
     * @param mainClass      the nodes' main class, on this JVM's class path
     * @param nodes          how many voters, named n1, n2, ...
     * @param dir            the nodes' data directories ({@code data/<node>}) and logs ({@code logs/<node>.log})
     * @param requestTimeout how long a node keeps a proposal or read before failing it
     * @param clientWait     how long a client waits for a node's answer (more than {@code requestTimeout}:
     *                       a paused node answers only after it resumes)
     */
    public ProcessCluster(String mainClass, int nodes, Path dir, Duration requestTimeout, Duration clientWait) throws IOException {
        if (nodes < 1 || nodes > 15) {
            throw new IllegalArgumentException("nodes must be 1 to 15, was " + nodes);
        }
        this.mainClass = mainClass;
        this.dir = dir.toAbsolutePath();
        // Small, quick-starting JVMs: several share the test's machine.
        this.jvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
        List<Integer> ports = FreePorts.take(3 * nodes);
        Map<String, String> peers = new LinkedHashMap<>();
        for (int i = 1; i <= nodes; i++) {
            peers.put("n" + i, "127.0.0.1:" + ports.get(3 * (i - 1)));
        }
        for (int i = 1; i <= nodes; i++) {
            String id = "n" + i;
            NodeArgs args = new NodeArgs(id, peers, this.dir.resolve("data").resolve(id), ports.get(3 * (i - 1) + 1),
                    ports.get(3 * (i - 1) + 2), requestTimeout.toMillis());
            slots.put(id, new Slot(args, new ProcessNode(id, args.clientPort(), http, clientWait)));
        }
    }

    @Override
    public List<String> nodes() {
        return List.copyOf(slots.keySet());
    }

    @Override
    public String endpoint(String node) {
        return slot(node).node().endpoint().orElseThrow();
    }

    @Override
    public Node node(String node) {
        return slot(node).node();
    }

    @Override
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("logs"));
        for (String node : slots.keySet()) {
            launch(node);
        }
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (leader().isEmpty()) {
            for (Map.Entry<String, Process> e : processes.entrySet()) {
                if (!e.getValue().isAlive()) {
                    throw new IOException("node " + e.getKey() + " (" + mainClass + ") exited with status " + e.getValue().exitValue()
                            + " before a leader was elected; see " + log(e.getKey()));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no leader among the " + slots.size() + " " + mainClass + " processes within "
                        + START_WAIT.toSeconds() + " s; see " + dir.resolve("logs"));
            }
            Thread.sleep(200);
        }
    }

    private void launch(String node) throws IOException {
        NodeArgs args = slot(node).args();
        Files.createDirectories(args.dataDir());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args.toArgs());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(node).toFile()));
        builder.environment().putAll(args.toEnvironment());
        Process p = builder.start();
        processes.put(node, p);
        Thread push = new Thread(() -> pushWhenListening(node, p), "faults-" + node);
        push.setDaemon(true);
        push.start();
    }

    private Path log(String node) {
        return dir.resolve("logs").resolve(node + ".log");
    }

    @Override
    public Optional<String> leader() {
        String best = null;
        long bestTerm = -1;
        for (String node : slots.keySet()) {
            if (!running(node)) {
                continue;
            }
            Optional<String[]> status = slot(node).node().status(STATUS_WAIT);
            if (status.isPresent() && status.get().length == 3 && status.get()[0].equals("LEADER")) {
                long term = Long.parseLong(status.get()[1]);
                if (term > bestTerm) {
                    best = node;
                    bestTerm = term;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public Optional<String> leaderSeenBy(String node) {
        if (!running(node)) {
            return Optional.empty();
        }
        return slot(node).node().status(STATUS_WAIT).filter(s -> s.length == 3 && !s[2].equals("-")).map(s -> s[2]);
    }

    private boolean running(String node) {
        Process p = processes.get(node);
        return p != null && p.isAlive() && !paused.contains(node);
    }

    /** {@code SIGKILL}; a stopped process dies as well. */
    @Override
    public void kill(String node) throws InterruptedException {
        Process p = processes.get(node);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
        }
        paused.remove(node);
    }

    /** A kill: see the class comment. */
    @Override
    public void crash(String node) throws InterruptedException {
        kill(node);
    }

    @Override
    public void restart(String node) throws IOException {
        Process p = processes.get(node);
        if (p == null || !p.isAlive()) {
            launch(node);
        }
    }

    @Override
    public void pause(String node) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (p != null && p.isAlive() && paused.add(node)) {
            signal(p, "STOP");
        }
    }

    @Override
    public void resume(String node) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (p != null && paused.remove(node)) {
            signal(p, "CONT");
            push(node);
        }
    }

    @Override
    public void network(NetworkState state) throws IOException, InterruptedException {
        network = state;
        for (String node : slots.keySet()) {
            push(node);
        }
    }

    /** Gives a running node the current rules; one not listening yet gets them from {@link #pushWhenListening}. */
    private void push(String node) throws InterruptedException {
        if (!running(node)) {
            return;
        }
        try {
            send(node, network);
        } catch (IOException e) {
            // starting: pushWhenListening sends the rules once it listens
        }
    }

    private void pushWhenListening(String node, Process p) {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                if (!paused.contains(node)) {
                    send(node, network);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send(String node, NetworkState state) throws IOException, InterruptedException {
        String url = "http://127.0.0.1:" + slot(node).args().faultsPort() + "/faults?dropFrom=" + String.join(",", state.dropFrom(node))
                + "&" + state.packets().query();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("node " + node + " refused the fault rules: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static void signal(Process p, String signal) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
        if (status != 0) {
            throw new IOException("kill -" + signal + " " + p.pid() + " exited with " + status);
        }
    }

    private Slot slot(String node) {
        Slot s = slots.get(node);
        if (s == null) {
            throw new IllegalArgumentException("no node " + node + "; nodes are " + slots.keySet());
        }
        return s;
    }

    @Override
    public void close() {
        for (Map.Entry<String, Process> e : processes.entrySet()) {
            if (paused.remove(e.getKey())) {
                try {
                    signal(e.getValue(), "CONT");
                } catch (IOException | InterruptedException ignored) {
                    // killing it below works either way
                }
            }
            e.getValue().destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
