package io.raftkit.kv.members;

import static io.raftkit.kv.members.KvNodes.json;
import static io.raftkit.kv.members.KvNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/members} and {@code /v1/leader} on three in-JVM nodes as {@code raft-kv server} runs
 * them (vertx-tcp, mapdb). Members added here are not running: the routes, the directory and the
 * refusals are under test, not catching up (that is {@link ReplaceDeadNodeProcessTest}'s).
 */
class MembersHttpTest {

    @TempDir
    static Path dir;
    private static KvNodes nodes;

    @BeforeAll
    static void start() throws Exception {
        nodes = new KvNodes(dir);
        // Snapshots every 50 entries, 5 kept behind: a restarted node finds the directory in a snapshot.
        nodes.common.put("snapshot-every-entries", "50");
        nodes.common.put("snapshot-keep-tail", "5");
        nodes.startThree();
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static JsonObject member(JsonObject doc, String id) {
        JsonArray members = doc.getJsonArray("members");
        for (int i = 0; i < members.size(); i++) {
            if (members.getJsonObject(i).getString("id").equals(id)) {
                return members.getJsonObject(i);
            }
        }
        return null;
    }

    private static String addBody(String id, String raft, String http) {
        return new JsonObject().put("id", id).put("raft", raft).put("http", http).encode();
    }

    @Test
    void everyNodeListsTheMembersWithRolesAndBothAddresses() throws Exception {
        nodes.awaitLeader();
        for (String id : nodes.running.keySet()) {
            HttpResponse<String> r = send("GET", nodes.url(id) + "/v1/members", null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonObject doc = json(r);
            assertThat(doc.getString("servedBy")).isEqualTo(id);
            assertThat(doc.getBoolean("joint")).isFalse();
            for (String m : new String[]{"n1", "n2", "n3"}) {
                JsonObject entry = member(doc, m);
                assertThat(entry).as(m + " in " + doc).isNotNull();
                assertThat(entry.getString("role")).isEqualTo("voter");
                assertThat(entry.getString("raft")).isEqualTo(nodes.raft(m));
                assertThat(entry.getString("http")).isEqualTo(nodes.url(m));
            }
            if (doc.getString("leader") != null) { // this node's view; an election may be under way
                assertThat(doc.getString("leaderHttp")).isEqualTo(nodes.url(doc.getString("leader")));
            }
            // The leader gives its matchIndex for every member; a follower has none to give.
            boolean leads = id.equals(doc.getString("leader"));
            for (String m : new String[]{"n1", "n2", "n3"}) {
                Long match = member(doc, m).getLong("matchIndex");
                if (leads) {
                    // Right after an election a follower's may still be 0 (not yet acknowledged).
                    assertThat(match).as(m + " in " + doc).isNotNull().isNotNegative();
                } else {
                    assertThat(match).as(m + " in " + doc).isNull();
                }
            }
        }
    }

    @Test
    void aLearnerAddedThroughAFollowerIsKnownToEveryNodeIsNotPromotedWhileSilentAndIsRemoved() throws Exception {
        String follower = nodes.follower();
        String body = addBody("n4", "127.0.0.1:1", "http://127.0.0.1:2");
        HttpResponse<String> added = send("POST", nodes.url(follower) + "/v1/members", body);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(member(json(added), "n4").getString("role")).isEqualTo("learner");
        assertThat(member(json(added), "n4").getString("http")).isEqualTo("http://127.0.0.1:2");
        assertThat(member(json(added), "n4").getString("raft")).isEqualTo("127.0.0.1:1");
        assertThat(member(json(added), "n4").getLong("matchIndex")).as("nothing reaches n4").isZero();
        // Every node learns the new member's HTTP URL from the replicated directory.
        for (String id : nodes.running.keySet()) {
            awaitMember(id, "n4", "learner", "http://127.0.0.1:2");
        }
        // The same request again (a retry, a joining node restarted) is answered as done.
        HttpResponse<String> again = send("POST", nodes.url(follower) + "/v1/members", body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        HttpResponse<String> elsewhere = send("POST", nodes.url(follower) + "/v1/members",
                addBody("n4", "127.0.0.1:3", "http://127.0.0.1:2"));
        assertThat(elsewhere.statusCode()).isEqualTo(409);
        assertThat(json(elsewhere).getString("error")).isEqualTo("already-member");
        assertThat(json(elsewhere).getString("outcome")).isEqualTo("not-applied");

        // Nothing runs at n4's address, so it never answers the leader: the core refuses to make a voter
        // of it (a dead voter costs the quorum a member). Promotion of a learner that answers is in
        // JoinTest and ReplaceDeadNodeProcessTest.
        HttpResponse<String> promoted = send("POST", nodes.url(follower) + "/v1/members/n4/promote", null);
        assertThat(promoted.statusCode()).as(promoted.body()).isEqualTo(409);
        assertThat(json(promoted).getString("error")).isEqualTo("membership-refused");
        assertThat(json(promoted).getString("message")).contains("n4 has not acknowledged any entry from this leader");
        assertThat(json(promoted).getString("outcome")).isEqualTo("not-applied");

        HttpResponse<String> removed = send("DELETE", nodes.url(nodes.awaitLeader()) + "/v1/members/n4", null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(member(json(removed), "n4")).isNull();
        assertThat(json(removed).getJsonArray("members").size()).isEqualTo(3);
    }

    @Test
    void aNodeRestartedFromASnapshotKnowsTheHttpUrlOfAMemberAddedWhileItRan() throws Exception {
        String leader = nodes.awaitLeader();
        HttpResponse<String> added = send("POST", nodes.url(leader) + "/v1/members",
                addBody("n5", "127.0.0.1:5", "http://127.0.0.1:6"));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        long addedAt = nodes.running.get(leader).raft().status().commitIndex();
        String follower = nodes.follower();
        for (int i = 0; i < 120; i++) { // past two snapshots, so the log no longer holds the directory's write
            nodes.put("s" + i, "x");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (nodes.running.get(follower).raft().snapshotStats().logFirstIndex() <= addedAt && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(nodes.running.get(follower).raft().snapshotStats().logFirstIndex()).as("compacted past the add")
                .isGreaterThan(addedAt);
        Map<String, String> settings = nodes.settings(follower, java.util.List.of(nodes.peer("n1"), nodes.peer("n2"), nodes.peer("n3")));
        nodes.stop(follower);
        nodes.start(settings);
        awaitMember(follower, "n5", "learner", "http://127.0.0.1:6");
        HttpResponse<String> removed = send("DELETE", nodes.url(nodes.awaitLeader()) + "/v1/members/n5", null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    }

    @Test
    void aRetriedAddThatANewLeaderAnswersIsDoneNotAConflict() throws Exception {
        String body = addBody("n6", "127.0.0.1:61", "http://127.0.0.1:62");
        HttpResponse<String> added = send("POST", nodes.url(nodes.awaitLeader()) + "/v1/members", body);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        // Leadership moves at once, before the new leader's periodic read of the directory.
        String next = nodes.follower();
        HttpResponse<String> moved = send("POST", nodes.url(next) + "/v1/leader", "{\"id\": \"" + next + "\"}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        HttpResponse<String> retried = send("POST", nodes.url(next) + "/v1/members", body);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(send("DELETE", nodes.url(next) + "/v1/members/n6", null).statusCode()).isEqualTo(200);
    }

    @Test
    void refusalsSayWhyAndChangeNothing() throws Exception {
        String leader = nodes.url(nodes.awaitLeader());
        expect(send("POST", leader + "/v1/members/n9/promote", null), 409, "membership-refused", "n9");
        expect(send("POST", leader + "/v1/members/n2/promote", null), 409, "membership-refused", "not a learner");
        expect(send("DELETE", leader + "/v1/members/n9", null), 409, "membership-refused", "not a member");
        expect(send("POST", leader + "/v1/members", "{not json"), 400, null, null);
        expect(send("POST", leader + "/v1/members", "{\"id\": \"n6\", \"http\": \"http://127.0.0.1:9\"}"), 400,
                "invalid-field", "raft");
        expect(send("POST", leader + "/v1/members", addBody("n6", "127.0.0.1:9", "ftp://127.0.0.1:9")), 400,
                "invalid-field", "http://host:port");
        expect(send("POST", leader + "/v1/members", addBody("n6", "127.0.0.1:9", "http://127.0.0.1:9/path")), 400,
                "invalid-field", "no path");
        expect(send("POST", leader + "/v1/members", addBody("", "127.0.0.1:9", "http://127.0.0.1:9")), 400,
                "invalid-field", "id");
        expect(send("POST", leader + "/v1/members", addBody("n6", "nohost", "http://127.0.0.1:9")), 400,
                "invalid-field", null);
        expect(send("POST", leader + "/v1/leader", "{\"id\": \"n9\"}"), 409, "unknown-member", "not a member");
        expect(send("POST", leader + "/v1/leader", "{}"), 400, "invalid-field", "id");
        expect(send("GET", leader + "/v1/leader", null), 405, "method-not-allowed", "POST");
        // The directory's key is the cluster's own.
        expect(send("PUT", leader + "/v1/kv/%00raftkit%2Fmembers", "{\"value\": \"{}\"}"), 400, "reserved-key", "/v1/members");
        expect(send("GET", leader + "/v1/kv/%00raftkit%2Fmembers", null), 400, "reserved-key", null);
        HttpResponse<String> list = send("GET", leader + "/v1/members", null);
        assertThat(json(list).getJsonArray("members").size()).as(list.body()).isEqualTo(3);
    }

    @Test
    void leadershipMovesToTheNamedVoterAndTheAnswerComesOnceItLeads() throws Exception {
        String follower = nodes.follower();
        String other = nodes.running.keySet().stream().filter(id -> !id.equals(follower)).findFirst().orElseThrow();
        HttpResponse<String> moved = send("POST", nodes.url(other) + "/v1/leader", "{\"id\": \"" + follower + "\"}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(json(moved).getString("leader")).isEqualTo(follower);
        assertThat(nodes.awaitLeader()).isEqualTo(follower);
        HttpResponse<String> already = send("POST", nodes.url(follower) + "/v1/leader", "{\"id\": \"" + follower + "\"}");
        assertThat(already.statusCode()).isEqualTo(200);
    }

    @Test
    void theMemberCommandsListAddPromoteRemoveAndMoveTheLeaderThroughAnyEndpoint() throws Exception {
        // A dead endpoint first: the command goes on to the next.
        String endpoints = "http://127.0.0.1:1," + nodes.url(nodes.follower());
        String[] list = cli("member", "list", "--endpoints", endpoints);
        assertThat(list[0]).as(list[2]).isEqualTo("0");
        assertThat(list[1]).contains("ID").contains("ROLE").contains("APPLIED").contains(nodes.url("n1")).contains("voter");
        String[] add = cli("member", "add", "n7", "--raft", "127.0.0.1:7", "--http", "http://127.0.0.1:8", "--endpoints", endpoints);
        assertThat(add[0]).as(add[2]).isEqualTo("0");
        assertThat(add[1]).contains("n7").contains("learner").contains("http://127.0.0.1:8");
        // n7 never answers (nothing runs at its address): refused, with the reason and the outcome.
        String[] promote = cli("member", "promote", "n7", "--endpoints", endpoints);
        assertThat(promote[0]).as(promote[1]).isEqualTo("1");
        assertThat(promote[2]).contains("membership-refused").contains("n7 has not acknowledged").contains("outcome: not-applied");
        String[] voter = cli("member", "promote", "n1", "--endpoints", endpoints);
        assertThat(voter[0]).isEqualTo("1");
        assertThat(voter[2]).contains("membership-refused").contains("not a learner").contains("outcome: not-applied");
        String[] remove = cli("member", "remove", "n7", "--endpoints", endpoints);
        assertThat(remove[0]).as(remove[2]).isEqualTo("0");
        assertThat(remove[1]).doesNotContain("n7");
        String target = nodes.follower();
        String[] lead = cli("member", "lead", target, "--json", "--endpoints", endpoints);
        assertThat(lead[0]).as(lead[2]).isEqualTo("0");
        assertThat(new JsonObject(lead[1]).getString("leader")).isEqualTo(target);
        assertThat(cli("member", "add", "n8", "--endpoints", endpoints)[0]).isEqualTo("2"); // --raft and --http missing
        String[] nobody = cli("member", "list", "--endpoints", "http://127.0.0.1:1");
        assertThat(nobody[0]).isEqualTo("1");
        assertThat(nobody[2]).contains("no endpoint answered");
    }

    /** Runs {@code raft-kv ARGS}: exit status, stdout, stderr. */
    private static String[] cli(String... args) {
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(o, true));
        System.setErr(new java.io.PrintStream(e, true));
        try {
            int status = io.raftkit.kv.cli.Main.run(args);
            return new String[]{Integer.toString(status), o.toString(), e.toString()};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static void expect(HttpResponse<String> r, int status, String error, String inMessage) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonObject body = json(r);
        assertThat(body.getString("outcome")).as(r.body()).isEqualTo("not-applied");
        if (error != null) {
            assertThat(body.getString("error")).as(r.body()).isEqualTo(error);
        }
        if (inMessage != null) {
            assertThat(body.getString("message")).as(r.body()).contains(inMessage);
        }
    }

    private static void awaitMember(String at, String id, String role, String http) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonObject doc = null;
        while (System.nanoTime() < deadline) {
            doc = json(send("GET", nodes.url(at) + "/v1/members", null));
            JsonObject m = member(doc, id);
            if (m != null && role.equals(m.getString("role")) && http.equals(m.getString("http"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(at + " does not list " + id + " as " + role + " at " + http + ": " + doc);
    }
}
