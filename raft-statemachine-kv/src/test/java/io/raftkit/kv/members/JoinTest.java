package io.raftkit.kv.members;

import static io.raftkit.kv.members.KvNodes.json;
import static io.raftkit.kv.members.KvNodes.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.kv.server.ServerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raft-kv server --join URL} on in-JVM nodes as the server builds them (vertx-tcp, mapdb). */
class JoinTest {

    @TempDir
    Path dir;

    private Map<String, String> joinSettings(KvNodes nodes, String id, String joinUrl) throws Exception {
        Map<String, String> s = nodes.settings(id, List.of(nodes.peer(id)));
        s.put("join", joinUrl);
        return s;
    }

    @Test
    void aNewNodeJoinsAsALearnerCatchesUpIsPromotedAndARestartNeitherAddsItAgainNorResetsIt() throws Exception {
        try (KvNodes nodes = new KvNodes(dir)) {
            nodes.startThree();
            for (int i = 0; i < 20; i++) {
                nodes.put("k" + i, "v" + i);
            }
            // Pointed first at an address where no member answers (a dead one at 3 a.m.), then at a
            // follower: it asks each in turn, and the follower forwards the add to the leader.
            String dead;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                dead = "http://127.0.0.1:" + free.getLocalPort();
            }
            nodes.start(joinSettings(nodes, "n4", dead + "," + nodes.url(nodes.follower())));
            awaitRole(nodes, "n4", "learner");
            awaitValue(nodes.url("n4"), "k19", "v19");
            // n4's acknowledgement of what it applied may still be on its way to the leader, which
            // refuses to promote a learner it has not heard from (409): retried, as the runbook says.
            HttpResponse<String> promoted = send("POST", nodes.url("n4") + "/v1/members/n4/promote", null);
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (promoted.statusCode() == 409 && promoted.body().contains("has not acknowledged") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                promoted = send("POST", nodes.url("n4") + "/v1/members/n4/promote", null);
            }
            assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(200);
            assertThat(JoinRecord.read(dir.resolve("n4")).orElseThrow().added()).isTrue();

            // Restarted with --join (through another member): it starts from its own state and is
            // still a voter (neither added again nor reset to a learner).
            nodes.stop("n4");
            String joinedThrough = nodes.follower();
            nodes.start(joinSettings(nodes, "n4", nodes.url(joinedThrough)));
            awaitValue(nodes.url("n4"), "k19", "v19");
            assertThat(nodes.running.get("n4").raft().status().members().voters()).contains(NodeId.of("n4"));

            // Removed, then restarted with --join again: it is not added back, and does not disrupt the cluster.
            HttpResponse<String> removed = send("DELETE", nodes.url(nodes.awaitLeader()) + "/v1/members/n4", null);
            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            nodes.stop("n4");
            long termBefore = nodes.running.get(nodes.awaitLeader()).raft().status().term();
            nodes.start(joinSettings(nodes, "n4", nodes.url(nodes.awaitLeader())));
            Thread.sleep(2_000);
            JsonObject list = json(send("GET", nodes.url(nodes.awaitLeader()) + "/v1/members", null));
            assertThat(list.getJsonArray("members").size()).as(list.encode()).isEqualTo(3);
            assertThat(nodes.running.get(nodes.awaitLeader()).raft().status().term()).isEqualTo(termBefore);
            nodes.put("after", "x");
        }
    }

    @Test
    void joiningWithADataDirectoryOfANodeStartedWithPeersIsRefusedAndChangesNothingAndTheLeaderMayRemoveItself() throws Exception {
        try (KvNodes nodes = new KvNodes(dir)) {
            nodes.startThree();
            String follower = nodes.follower();
            Map<String, String> asStarted = nodes.settings(follower, List.of(nodes.peer("n1"), nodes.peer("n2"), nodes.peer("n3")));
            // The refusal reads the follower's log: it must hold something when stopped. Stopped at once,
            // it sometimes had not yet received the leader's first entry, and its empty directory was
            // (rightly) taken for a new node's.
            nodes.put("before", "x");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (nodes.running.get(follower).raft().status().lastLogIndex() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(nodes.running.get(follower).raft().status().lastLogIndex()).isGreaterThanOrEqualTo(2);
            nodes.stop(follower);
            String other = nodes.running.keySet().iterator().next();
            assertThatThrownBy(() -> nodes.start(joinSettings(nodes, follower, nodes.url(other))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("started with --peer");
            assertThat(dir.resolve(follower).resolve(JoinRecord.FILE)).doesNotExist();
            nodes.start(asStarted);
            nodes.awaitLeader();
            nodes.put("k", "v");

            // Removing the leader is allowed: it steps down once C(new) commits, and the other two go on.
            String leader = nodes.awaitLeader();
            HttpResponse<String> removed = send("DELETE", nodes.url(leader) + "/v1/members/" + leader, null);
            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            assertThat(json(removed).getJsonArray("members").size()).isEqualTo(2);
            nodes.stop(leader);
            String next = nodes.awaitLeader();
            assertThat(next).isNotEqualTo(leader);
            nodes.put("k", "w");
        }
    }

    @Test
    void contradictoryJoinSettingsAreRefusedNamingTheProblem() {
        Map<String, String> s = new HashMap<>();
        s.put("id", "n4");
        s.put("data-dir", dir.toString());
        s.put("peers", "n4=127.0.0.1:7004,127.0.0.1:8004;n1=127.0.0.1:7001,127.0.0.1:8001");
        s.put("join", "http://127.0.0.1:8001");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("only this node's own peer entry");
        s.put("peers", "n4=127.0.0.1:7004,127.0.0.1:8004");
        s.put("join", "127.0.0.1:8001");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("must be a member's HTTP URL");
        s.put("join", "http://127.0.0.1:8001/v1");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("must be a member's HTTP URL");
        s.put("join", "http://127.0.0.1:8004");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("this node's own HTTP address");
        s.put("join", "http://127.0.0.1:8001/");
        assertThat(ServerConfig.from(s).join()).containsExactly("http://127.0.0.1:8001");
        s.put("join", "http://127.0.0.1:8001, http://127.0.0.1:8002/,http://127.0.0.1:8001");
        assertThat(ServerConfig.from(s).join()).containsExactly("http://127.0.0.1:8001", "http://127.0.0.1:8002");
        s.put("join", "http://127.0.0.1:8001,http://127.0.0.1:8004");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("this node's own HTTP address");
        s.put("join", " , ");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("join is empty");
        s.put("join", "http://127.0.0.1:8001");
        s.remove("data-dir");
        s.put("log-store", "memory");
        assertThatThrownBy(() -> ServerConfig.from(s)).hasMessageContaining("join needs data-dir");
    }

    private static void awaitRole(KvNodes nodes, String id, String role) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonObject doc = null;
        while (System.nanoTime() < deadline) {
            doc = json(send("GET", nodes.url(nodes.awaitLeader()) + "/v1/members", null));
            JsonArray members = doc.getJsonArray("members");
            for (int i = 0; i < members.size(); i++) {
                JsonObject m = members.getJsonObject(i);
                if (m.getString("id").equals(id) && m.getString("role").equals(role)) {
                    assertThat(m.getString("http")).isEqualTo(nodes.url(id));
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " did not become a " + role + ": " + doc);
    }

    private static void awaitValue(String url, String key, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send("GET", url + "/v1/kv/" + key + "?consistency=stale", null);
            last = r.body();
            if (r.statusCode() == 200 && value.equals(json(r).getString("value"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(url + " does not hold " + key + "=" + value + ": " + last);
    }
}
