package io.raftkit.kv.members;

import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import io.raftkit.kv.server.KvNode;
import io.raftkit.kv.server.ServerConfig;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * In-JVM KV nodes as {@code raft-kv server} builds them ({@link KvNode}: vertx-tcp on loopback,
 * the mapdb log and snapshot stores in temporary directories), for the membership tests.
 */
final class KvNodes implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final Path dir;
    final Map<String, KvNode> running = new TreeMap<>();
    final Map<String, int[]> ports = new TreeMap<>();
    /** Settings every node gets besides the fixture's own. */
    final Map<String, String> common = new HashMap<>();

    KvNodes(Path dir) {
        this.dir = dir;
    }

    /** Ports for {@code id}: raft then http. */
    int[] portsOf(String id) throws Exception {
        int[] p = ports.get(id);
        if (p == null) {
            try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
                p = new int[]{a.getLocalPort(), b.getLocalPort()};
            }
            ports.put(id, p);
        }
        return p;
    }

    String peer(String id) throws Exception {
        int[] p = portsOf(id);
        return id + "=127.0.0.1:" + p[0] + ",127.0.0.1:" + p[1];
    }

    String raft(String id) throws Exception {
        return "127.0.0.1:" + portsOf(id)[0];
    }

    String url(String id) throws Exception {
        return "http://127.0.0.1:" + portsOf(id)[1];
    }

    Map<String, String> settings(String id, List<String> peers) {
        Map<String, String> s = new HashMap<>();
        s.put("id", id);
        s.put("peers", String.join(";", peers));
        s.put("data-dir", dir.resolve(id).toString());
        // The server's default election timeouts (500-1000 ms): shorter ones re-elected under this
        // shared machine's load (a 503 mid-test at 300-600 ms).
        s.put("request-timeout-ms", "5000");
        s.putAll(common);
        return s;
    }

    /** Starts three voters n1..n3 and waits for a leader. */
    void startThree() throws Exception {
        List<String> peers = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            peers.add(peer(id));
        }
        for (String id : List.of("n1", "n2", "n3")) {
            start(settings(id, peers));
        }
        awaitLeader();
    }

    KvNode start(Map<String, String> settings) throws Exception {
        KvNode node = KvNode.start(ServerConfig.from(settings));
        running.put(settings.get("id"), node);
        return node;
    }

    void stop(String id) {
        KvNode node = running.remove(id);
        if (node != null) {
            node.close();
        }
    }

    String awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (Map.Entry<String, KvNode> e : running.entrySet()) {
                if (e.getValue().raft().status().role() == Role.LEADER) {
                    return e.getKey();
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no leader within 20 s among " + running.keySet());
    }

    String follower() throws Exception {
        String leader = awaitLeader();
        return running.keySet().stream().filter(id -> !id.equals(leader)
                && running.get(id).raft().status().members().isVoter(NodeId.of(id))).findFirst().orElseThrow();
    }

    /**
     * Puts through the current leader, again while the answer is 503 with outcome not-applied (an
     * election on this busy machine): the tests are about membership, not about riding out elections.
     */
    void put(String key, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> r;
        do {
            r = send("PUT", url(awaitLeader()) + "/v1/kv/" + key, new JsonObject().put("value", value).encode());
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        } while (r.statusCode() == 503 && "not-applied".equals(json(r).getString("outcome")) && System.nanoTime() < deadline);
        throw new AssertionError("put " + key + ": HTTP " + r.statusCode() + " " + r.body());
    }

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> r) {
        return new JsonObject(r.body());
    }

    @Override
    public void close() {
        for (String id : new ArrayList<>(running.keySet())) {
            stop(id);
        }
    }
}
