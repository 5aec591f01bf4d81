package io.raftkit.verifier.backend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * N {@code raft-kv server} processes on loopback, each with its own data directory. Partitions go
 * through the servers' {@code fault-injecting} transport (wrapping {@code vertx-tcp}), driven over
 * its loopback admin endpoint, which the verifier turns on for its own clusters only (option
 * {@code transport.admin-port}); kills are {@code SIGKILL}, pauses {@code SIGSTOP}/{@code SIGCONT}.
 */
public final class LocalBackend implements ClusterBackend {

    private final LeaderProbe probe = new LeaderProbe();

    private final Path kvJar;
    private final Path dir;
    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final Map<String, Integer> raftPorts = new LinkedHashMap<>();
    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Set<String>> dropping = new LinkedHashMap<>();
    private final Set<String> paused = new HashSet<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    public LocalBackend(Path kvJar, Path dir, int nodes) throws IOException {
        if (!Files.isRegularFile(kvJar)) {
            throw new IOException("the KV server jar " + kvJar + " does not exist; build it with ./mvnw -pl raft-statemachine-kv -am package -DskipTests");
        }
        this.kvJar = kvJar;
        this.dir = dir;
        for (int i = 1; i <= nodes; i++) {
            String id = "n" + i;
            ids.add(id);
            httpPorts.put(id, freePort());
            raftPorts.put(id, freePort());
            adminPorts.put(id, freePort());
            dropping.put(id, new TreeSet<>());
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

    /** The argv that starts {@code node}; also written to the report so a run can be reproduced by hand. */
    public List<String> command(String node) {
        List<String> argv = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:+UseSerialGC", "-jar", kvJar.toString(), "server",
                "--id", node,
                "--data-dir", dir.resolve("data").resolve(node).toString(),
                "--transport", "fault-injecting",
                "--set", "transport.inner=vertx-tcp",
                "--set", "transport.admin-port=" + adminPorts.get(node)));
        for (String id : ids) {
            argv.add("--peer");
            argv.add(id + "=127.0.0.1:" + raftPorts.get(id) + ",127.0.0.1:" + httpPorts.get(id));
        }
        return argv;
    }

    @Override
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("logs"));
        for (String id : ids) {
            launch(id);
        }
        awaitLeader(Duration.ofSeconds(30));
    }

    private void launch(String node) throws IOException {
        Path log = dir.resolve("logs").resolve(node + ".log");
        Process p = new ProcessBuilder(command(node)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.put(node, p);
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
        return probe.leader(ids.stream().filter(id -> !(paused.contains(id) || !processes.get(id).isAlive())).map(this::endpoint).toList());
    }

    @Override
    public void kill(String node) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (paused.remove(node)) {
            signal(p, "CONT"); // a stopped process must run to die
        }
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
    }

    @Override
    public void restart(String node) throws IOException {
        if (processes.get(node).isAlive()) {
            return;
        }
        launch(node);
        dropping.get(node).clear(); // a fresh process starts with no faults
    }

    @Override
    public void pause(String node) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (p.isAlive() && paused.add(node)) {
            signal(p, "STOP");
        }
    }

    @Override
    public void resume(String node) throws IOException, InterruptedException {
        if (paused.remove(node)) {
            signal(processes.get(node), "CONT");
        }
    }

    @Override
    public void dropFrom(String node, Set<String> from) throws IOException, InterruptedException {
        dropping.get(node).addAll(from);
        pushFaults(node);
    }

    @Override
    public void healAll() throws IOException, InterruptedException {
        for (String id : ids) {
            resume(id);
        }
        for (String id : ids) {
            dropping.get(id).clear();
            if (processes.get(id).isAlive()) {
                pushFaults(id);
            }
        }
    }

    private void pushFaults(String node) throws IOException, InterruptedException {
        if (!processes.get(node).isAlive()) {
            return; // a killed node starts with no faults; restart() clears its rules
        }
        String url = "http://127.0.0.1:" + adminPorts.get(node) + "/faults?dropFrom=" + String.join(",", dropping.get(node));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .PUT(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> r = null;
        // A node restarted moments ago may not listen yet: give its JVM time to come up.
        for (int attempt = 0; r == null; attempt++) {
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                if (attempt >= 60 || !processes.get(node).isAlive()) {
                    throw new IOException("node " + node + "'s fault admin endpoint on port " + adminPorts.get(node)
                            + " does not answer; see " + dir.resolve("logs").resolve(node + ".log"), e);
                }
                Thread.sleep(250);
            }
        }
        if (r.statusCode() != 200) {
            throw new IOException("node " + node + " refused the fault rules: HTTP " + r.statusCode() + " " + r.body());
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
