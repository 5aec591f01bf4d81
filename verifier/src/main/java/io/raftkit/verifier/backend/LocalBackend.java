package io.raftkit.verifier.backend;

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
import java.util.concurrent.TimeUnit;

/**
 * N {@code raft-kv server} processes on loopback, each with its own data directory.
 *
 * <p>Network faults go through the servers' {@code network-faults} transport (wrapping
 * {@code vertx-tcp}), driven over its loopback admin endpoint, which the verifier turns on for its
 * own clusters only: partitions, and packet loss, duplication and delay. A partition cuts forwarding
 * too: the KV server asks the same rules before forwarding a request to the leader, and a node cut
 * off from the leader answers 503 instead, so a minority cannot serve through the majority.
 *
 * <p>Kills are {@code SIGKILL}, pauses {@code SIGSTOP}/{@code SIGCONT}. Crashes go through the
 * {@code fault-injecting} log store's loopback crash endpoint, which drops what the store wrote but
 * did not sync before the process ends.
 *
 * <p>Membership changes ({@link MembershipBackend}): a wiped slot's process is killed and its data
 * directory deleted; a node joining a slot runs {@code raft-kv server --join} with an empty data
 * directory named after its id, on ports of its own when its id is fresh (a replacement must not
 * inherit a removed member's address, which the other nodes may still dial).
 */
public final class LocalBackend implements MembershipBackend {

    private static final Duration ADMIN_WAIT = Duration.ofSeconds(30);

    private final LeaderProbe probe = new LeaderProbe();

    private final Path kvJar;
    private final Path dir;
    private final NodeStorage storage;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final Map<String, Integer> raftPorts = new LinkedHashMap<>();
    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    private final Map<String, Integer> storeAdminPorts = new LinkedHashMap<>();
    /** Serializes the pushes of fault rules to each node, so the newest state is the one that lands. */
    private final Map<String, Object> pushLocks = new LinkedHashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    /** Slot -> the Raft id running there (the slot's name until a replacement). */
    private final Map<String, String> memberIds = new ConcurrentHashMap<>();
    /** Slot -> the argv that starts its node (a joined node's own, once it has joined). */
    private final Map<String, List<String>> commands = new ConcurrentHashMap<>();
    private final Set<String> vacant = ConcurrentHashMap.newKeySet();
    /** Nodes whose fault admin endpoint has answered since their last start: only those are pushed to. */
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private volatile NetworkState network = NetworkState.HEALED;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    public LocalBackend(Path kvJar, Path dir, int nodes) throws IOException {
        this(kvJar, dir, nodes, NodeStorage.DURABLE);
    }

    public LocalBackend(Path kvJar, Path dir, int nodes, NodeStorage storage) throws IOException {
        if (!Files.isRegularFile(kvJar)) {
            throw new IOException("the KV server jar " + kvJar + " does not exist; build it with ./mvnw -pl raft-statemachine-kv -am package -DskipTests");
        }
        this.kvJar = kvJar;
        this.dir = dir;
        this.storage = storage;
        List<Integer> ports = FreePorts.take(4 * nodes);
        for (int i = 1; i <= nodes; i++) {
            String id = "n" + i;
            ids.add(id);
            int base = 4 * (i - 1);
            httpPorts.put(id, ports.get(base));
            raftPorts.put(id, ports.get(base + 1));
            adminPorts.put(id, ports.get(base + 2));
            storeAdminPorts.put(id, ports.get(base + 3));
            pushLocks.put(id, new Object());
            memberIds.put(id, id);
        }
        for (String id : ids) {
            commands.put(id, command(id));
        }
    }

    @Override
    public List<String> nodes() {
        return List.copyOf(ids);
    }

    @Override
    public String endpoint(String node) {
        return "http://127.0.0.1:" + httpPorts.get(node);
    }

    /** The argv that starts {@code node} as the cluster starts; also written to the report so a run can be reproduced by hand. */
    public List<String> command(String node) {
        List<String> argv = serverFlags(node, node);
        for (String id : ids) {
            argv.add("--peer");
            argv.add(id + "=127.0.0.1:" + raftPorts.get(id) + ",127.0.0.1:" + httpPorts.get(id));
        }
        return argv;
    }

    /** Everything but the members: the JVM, the node's id, data directory, transport and stores. */
    private List<String> serverFlags(String slot, String memberId) {
        List<String> argv = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:+UseSerialGC", "-jar", kvJar.toString(), "server",
                "--id", memberId,
                "--data-dir", dataDir(memberId).toString(),
                "--transport", "network-faults",
                "--set", "transport.inner=vertx-tcp",
                "--set", "transport.admin-port=" + adminPorts.get(slot)));
        argv.addAll(storage.flags(storeAdminPorts.get(slot)));
        return argv;
    }

    private Path dataDir(String memberId) {
        return dir.resolve("data").resolve(memberId);
    }

    /** The argv of a fresh node joining through {@code via}: itself as its only peer (its addresses), and {@code --join}. */
    private List<String> joinCommand(String slot, String memberId, String via) {
        List<String> argv = serverFlags(slot, memberId);
        argv.addAll(List.of("--peer", memberId + "=" + raftAddress(slot) + ",127.0.0.1:" + httpPorts.get(slot),
                "--join", endpoint(via)));
        return argv;
    }

    @Override
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("logs"));
        for (String id : ids) {
            launch(id);
        }
        // Generous: five JVMs starting at once on a shared 2-core machine took over 30 s at load 20.
        awaitLeader(Duration.ofSeconds(90));
    }

    private void launch(String node) throws IOException {
        Path log = dir.resolve("logs").resolve(memberIds.get(node) + ".log");
        Process p = new ProcessBuilder(commands.get(node)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.put(node, p);
        ready.remove(node);
        // The new process starts with no faults: give it the current ones once it listens, without
        // holding up the nemesis (a JVM takes seconds to start here).
        Thread pusher = new Thread(() -> pushWhenListening(node, p), "faults-to-" + node);
        pusher.setDaemon(true);
        pusher.start();
    }

    /** Waits until some node names a leader; fails with the nodes' log directory when none does. */
    public String awaitLeader(Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            for (Map.Entry<String, Process> e : processes.entrySet()) {
                if (!e.getValue().isAlive() && !paused.contains(e.getKey()) && e.getValue().exitValue() != 137) {
                    throw new IOException("node " + e.getKey() + " exited with status " + e.getValue().exitValue()
                            + "; see " + dir.resolve("logs").resolve(e.getKey() + ".log"));
                }
            }
            Thread.sleep(200);
        }
        throw new IOException("no leader within " + limit.toSeconds() + " s; see the logs in " + dir.resolve("logs"));
    }

    @Override
    public Optional<String> leader() {
        return probe.leader(ids.stream().filter(id -> !(paused.contains(id) || vacant.contains(id) || !processes.get(id).isAlive()))
                .map(this::endpoint).toList()).flatMap(this::slotOf);
    }

    /** The slot a Raft id runs in (the leader a node names is a Raft id). */
    private Optional<String> slotOf(String memberId) {
        return ids.stream().filter(slot -> memberIds.get(slot).equals(memberId)).findFirst();
    }

    @Override
    public String memberId(String node) {
        return memberIds.get(node);
    }

    @Override
    public String raftAddress(String node) {
        return "127.0.0.1:" + raftPorts.get(node);
    }

    @Override
    public String httpUrl(String node) {
        return endpoint(node);
    }

    @Override
    public boolean vacant(String node) {
        return vacant.contains(node);
    }

    @Override
    public boolean running(String node) {
        return !vacant.contains(node) && processes.get(node).isAlive();
    }

    @Override
    public void wipe(String node) throws IOException, InterruptedException {
        if (vacant.contains(node)) {
            return;
        }
        kill(node);
        vacant.add(node);
        deleteTree(dataDir(memberIds.get(node)));
    }

    @Override
    public void join(String node, String memberId, String via) throws IOException, InterruptedException {
        if (!vacant.contains(node)) {
            throw new IllegalStateException("slot " + node + " is not vacant: wipe it before a node joins there");
        }
        if (!memberId.equals(memberIds.get(node))) {
            // A fresh id gets fresh ports: the others may still dial the removed member's address.
            List<Integer> ports = FreePorts.take(4);
            httpPorts.put(node, ports.get(0));
            raftPorts.put(node, ports.get(1));
            adminPorts.put(node, ports.get(2));
            storeAdminPorts.put(node, ports.get(3));
            memberIds.put(node, memberId);
        }
        deleteTree(dataDir(memberId)); // empty, whatever an earlier run left
        commands.put(node, joinCommand(node, memberId, via));
        vacant.remove(node);
        launch(node);
        for (String other : ids) {
            if (!other.equals(node)) {
                push(other); // their rules name the slot's node by its Raft id, which may be new
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void kill(String node) throws IOException, InterruptedException {
        if (vacant.contains(node)) {
            return;
        }
        Process p = processes.get(node);
        if (paused.remove(node)) {
            signal(p, "CONT"); // a stopped process must run to die
        }
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
    }

    @Override
    public void crash(String node) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (vacant.contains(node) || !p.isAlive()) {
            return;
        }
        if (paused.remove(node)) {
            signal(p, "CONT");
        }
        String url = "http://127.0.0.1:" + storeAdminPorts.get(node) + "/crash";
        try {
            http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // the process may end before its answer is out; its exit below is what counts
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            // The crash command did not end it (a store without the endpoint, a hung JVM): a plain
            // kill still ends the run's fault, and the node's log says whether the store crashed.
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Override
    public void restart(String node) throws IOException {
        if (vacant.contains(node) || processes.get(node).isAlive()) {
            return;
        }
        launch(node);
    }

    @Override
    public void pause(String node) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (!vacant.contains(node) && p.isAlive() && paused.add(node)) {
            signal(p, "STOP");
        }
    }

    @Override
    public void resume(String node) throws IOException, InterruptedException {
        if (paused.remove(node)) {
            signal(processes.get(node), "CONT");
            push(node); // what changed while it was stopped
        }
    }

    @Override
    public void network(NetworkState state) throws IOException, InterruptedException {
        network = state;
        for (String id : ids) {
            push(id);
        }
    }

    /** Gives {@code node} the current network state, if it is up, not stopped and listening. */
    private void push(String node) throws IOException, InterruptedException {
        synchronized (pushLocks.get(node)) {
            if (!ready.contains(node) || paused.contains(node) || !processes.get(node).isAlive()) {
                return; // pushWhenListening or resume gives it the state later
            }
            send(node, network);
        }
    }

    private void pushWhenListening(String node, Process p) {
        long deadline = System.nanoTime() + ADMIN_WAIT.toNanos();
        while (p.isAlive() && System.nanoTime() < deadline) {
            synchronized (pushLocks.get(node)) {
                try {
                    send(node, network);
                    ready.add(node);
                    return;
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    return;
                } catch (IllegalStateException e) {
                    System.err.println("raft-verifier: " + e.getMessage()); // a refusal: trying again will not help
                    return;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send(String node, NetworkState state) throws IOException, InterruptedException {
        // The rules name Raft ids; the nemesis names slots.
        List<String> dropFrom = state.dropFrom(node).stream().map(memberIds::get).toList();
        String url = "http://127.0.0.1:" + adminPorts.get(node) + "/faults?dropFrom=" + String.join(",", dropFrom)
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

    @Override
    public void close() {
        for (Map.Entry<String, Process> e : processes.entrySet()) {
            Process p = e.getValue();
            if (paused.contains(e.getKey())) {
                try {
                    signal(p, "CONT");
                } catch (IOException | InterruptedException ignored) {
                    // killing it below works either way
                }
            }
            p.destroyForcibly();
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
