package io.raftkit.kv.members;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a node started with {@code --join} keeps in its data directory ({@value #FILE}): the
 * configuration the cluster told it at its first start (the configuration it starts from until its
 * log or snapshot holds one, which then wins), the members' addresses, and whether the leader has
 * added it. A restart reads it instead of asking again: a node that was added is never asked for
 * twice (it may have been removed since, and must then stay out), and one that was not is asked
 * again (the add is idempotent).
 */
public record JoinRecord(String joinUrl, ClusterConfig config, Map<NodeId, Member> members, boolean added) {

    public static final String FILE = "join.json";

    public JoinRecord {
        members = Map.copyOf(members);
    }

    /** The record in {@code dataDir}, if any. */
    public static Optional<JoinRecord> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return Optional.of(decode(new JsonObject(text)));
        } catch (DecodeException | IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new IOException(file + " (what this node learned when it joined) cannot be read: " + e.getMessage()
                    + "; if the node was never added, delete the data directory and join again", e);
        }
    }

    /** Writes the record durably: a temporary file, forced, renamed over the old one, the directory forced. */
    public void write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, encode().encodePrettily(), StandardCharsets.UTF_8);
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dataDir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    public JoinRecord withAdded() {
        return new JoinRecord(joinUrl, config, members, true);
    }

    /**
     * The configuration a joining node starts from: the cluster's, as {@code GET /v1/members}
     * answered, with {@code self} a learner (a learner never campaigns, thesis §4.2.1) unless it
     * is already a member.
     */
    public static JoinRecord fromMembersDocument(String joinUrl, NodeId self, Member selfAddresses, JsonObject doc) {
        Set<NodeId> voters = new TreeSet<>();
        Set<NodeId> outgoing = new TreeSet<>();
        Set<NodeId> learners = new TreeSet<>();
        Map<NodeId, Member> members = new TreeMap<>();
        JsonArray list = doc.getJsonArray("members");
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException("the answer names no members: " + doc.encode());
        }
        boolean joint = Boolean.TRUE.equals(doc.getBoolean("joint"));
        for (int i = 0; i < list.size(); i++) {
            JsonObject m = list.getJsonObject(i);
            NodeId id = NodeId.of(m.getString("id"));
            String role = m.getString("role");
            if ("learner".equals(role)) {
                learners.add(id);
            } else if ("voter".equals(role)) {
                boolean isOutgoing = Boolean.TRUE.equals(m.getBoolean("outgoing"));
                boolean isIncoming = Boolean.TRUE.equals(m.getBoolean("incoming"));
                if (!isOutgoing) {
                    voters.add(id);
                }
                if (joint && !isIncoming) {
                    outgoing.add(id);
                }
            } else {
                throw new IllegalArgumentException("member " + id + " has role '" + role + "'");
            }
            members.put(id, new Member(id, m.getString("raft"), m.getString("http")));
        }
        if (!voters.contains(self) && !outgoing.contains(self)) {
            learners.add(self);
        }
        members.put(self, selfAddresses);
        return new JoinRecord(joinUrl, new ClusterConfig(voters, learners, outgoing), members, false);
    }

    JsonObject encode() {
        JsonArray list = new JsonArray();
        for (Member m : new TreeMap<>(members).values()) {
            list.add(new JsonObject().put("id", m.id().value()).put("raft", m.raft()).put("http", m.http()));
        }
        return new JsonObject().put("format", 1).put("join", joinUrl).put("added", added)
                .put("voters", ids(config.voters())).put("learners", ids(config.learners()))
                .put("votersOutgoing", ids(config.votersOutgoing())).put("members", list);
    }

    static JoinRecord decode(JsonObject json) {
        if (json.getInteger("format", 0) != 1) {
            throw new IllegalArgumentException("format " + json.getValue("format") + "; this build reads format 1");
        }
        Map<NodeId, Member> members = new TreeMap<>();
        JsonArray list = json.getJsonArray("members");
        for (int i = 0; i < list.size(); i++) {
            JsonObject m = list.getJsonObject(i);
            NodeId id = NodeId.of(m.getString("id"));
            members.put(id, new Member(id, m.getString("raft"), m.getString("http")));
        }
        ClusterConfig config = new ClusterConfig(idSet(json.getJsonArray("voters")), idSet(json.getJsonArray("learners")),
                idSet(json.getJsonArray("votersOutgoing")));
        return new JoinRecord(json.getString("join"), config, members, json.getBoolean("added"));
    }

    private static JsonArray ids(Set<NodeId> ids) {
        JsonArray a = new JsonArray();
        ids.forEach(id -> a.add(id.value()));
        return a;
    }

    private static Set<NodeId> idSet(JsonArray a) {
        Set<NodeId> ids = new TreeSet<>();
        for (int i = 0; i < a.size(); i++) {
            ids.add(NodeId.of(a.getString(i)));
        }
        return ids;
    }
}
