package io.raftkit.kv.demo;

import io.raftkit.kv.cli.Main;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of {@code raft-kv server} processes on loopback, each started with this JVM's java and
 * classpath (the shaded jar, or a test classpath). Used by {@code raft-kv demo} and the
 * end-to-end tests; it knows each node's argv, so a node killed with {@code kill -9} can be
 * started again on the same data directory.
 */
public final class LocalCluster implements AutoCloseable {

    /** One node: its ids, addresses, data directory and the argv that (re)starts it. */
    public record Node(String id, int raftPort, int httpPort, Path dataDir, List<String> command) {
        public String http() {
            return "http://127.0.0.1:" + httpPort;
        }

        public String raft() {
            return "127.0.0.1:" + raftPort;
        }
    }

    private final List<Node> nodes;
    private final Process[] processes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /**
     * @param jvmArgs   options for each node's JVM (heap, GC, JIT)
     * @param extraArgs flags appended to each node's {@code server} command
     */
    public LocalCluster(Path baseDir, int[] raftPorts, int[] httpPorts, List<String> jvmArgs, List<String> extraArgs) {
        int n = raftPorts.length;
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add("n" + (i + 1) + "=127.0.0.1:" + raftPorts[i] + ",127.0.0.1:" + httpPorts[i]);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Node> built = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "n" + (i + 1);
            Path dataDir = baseDir.resolve(id).toAbsolutePath();
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(jvmArgs);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "server",
                    "--id", id, "--data-dir", dataDir.toString()));
            for (String peer : peers) {
                command.add("--peer");
                command.add(peer);
            }
            command.addAll(extraArgs);
            built.add(new Node(id, raftPorts[i], httpPorts[i], dataDir, List.copyOf(command)));
        }
        this.nodes = List.copyOf(built);
        this.processes = new Process[n];
    }

    public List<Node> nodes() {
        return nodes;
    }

    public void startAll() throws IOException {
        for (int i = 0; i < nodes.size(); i++) {
            start(i);
        }
    }

    public void start(int i) throws IOException {
        Node node = nodes.get(i);
        Files.createDirectories(node.dataDir());
        Path log = node.dataDir().getParent().resolve(node.id() + ".log");
        processes[i] = new ProcessBuilder(node.command()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    public Optional<Process> process(int i) {
        return Optional.ofNullable(processes[i]);
    }

    /** {@code kill -9}: no shutdown hook, no flush; whatever the node acknowledged must survive. */
    public void kill(int i) throws InterruptedException {
        if (processes[i] != null) {
            processes[i].destroyForcibly();
            processes[i].waitFor(10, TimeUnit.SECONDS);
            processes[i] = null;
        }
    }

    /** SIGTERM, the node's shutdown hook closes it; forcibly after ten seconds. */
    public void stop(int i) throws InterruptedException {
        if (processes[i] != null) {
            processes[i].destroy();
            if (!processes[i].waitFor(10, TimeUnit.SECONDS)) {
                processes[i].destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            processes[i] = null;
        }
    }

    /** The status JSON of node {@code i}, or empty when it does not answer. */
    public Optional<JsonObject> status(int i) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(nodes.get(i).http() + "/v1/status"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(new JsonObject(r.body())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Waits until every running node names the same leader in the same term, without change for
     * {@code stable}; returns the leader's index. Right after start the JVMs are still loading and
     * compiling, and a first leader can lose its quorum within a second: a demo that printed its
     * curl commands then would answer the first one with "no leader".
     */
    public int awaitStableLeader(Duration timeout, Duration stable) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        LeaderView agreed = null;
        long since = 0;
        while (System.nanoTime() < deadline) {
            LeaderView view = commonLeaderView();
            long now = System.nanoTime();
            if (view == null || !view.equals(agreed)) {
                agreed = view;
                since = now;
            } else if (now - since >= stable.toNanos()) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (nodes.get(i).id().equals(view.leader())) {
                        return i;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no stable leader within " + timeout + "; see the node logs beside the data directories");
    }

    private record LeaderView(String leader, long term) {
    }

    /** The leader and term every running node answers with, or null when they do not all agree. */
    private LeaderView commonLeaderView() {
        LeaderView common = null;
        for (int i = 0; i < nodes.size(); i++) {
            if (processes[i] == null || !processes[i].isAlive()) {
                continue;
            }
            Optional<JsonObject> s = status(i);
            String leader = s.map(j -> j.getString("leader")).orElse(null);
            if (leader == null) {
                return null;
            }
            LeaderView view = new LeaderView(leader, s.get().getLong("term"));
            if (common != null && !common.equals(view)) {
                return null;
            }
            common = view;
        }
        return common;
    }

    /** Waits until a running node reports itself leader; returns its index. */
    public int awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < nodes.size(); i++) {
                if (processes[i] != null && processes[i].isAlive()) {
                    Optional<JsonObject> s = status(i);
                    if (s.isPresent() && "leader".equals(s.get().getString("role"))) {
                        return i;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no leader within " + timeout + "; see the node logs beside the data directories");
    }

    /** The cluster.json the demo writes: per node id, pid, http, raft, dataDir and command. */
    public JsonObject describe() {
        JsonArray array = new JsonArray();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            array.add(new JsonObject().put("id", node.id()).put("pid", processes[i] == null ? null : processes[i].pid())
                    .put("http", node.http()).put("raft", node.raft()).put("dataDir", node.dataDir().toString())
                    .put("command", new JsonArray(node.command())));
        }
        return new JsonObject().put("nodes", array);
    }

    public String endpoints() {
        return String.join(",", nodes.stream().map(Node::http).toList());
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < nodes.size(); i++) {
            if (processes[i] != null) {
                processes[i].destroy();
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            stop(i);
        }
    }
}
