package io.raftkit.kv.members;

import io.raftkit.api.NodeId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every member's addresses, Raft and HTTP, as this node knows them: what forwarding, {@code leaderHttp}
 * and {@code GET /v1/members} need for members added at run time as much as for those a node was
 * started with.
 *
 * <p>Three sources, the first that names a member wins: the {@code --peer} flags this node was
 * started with (the operator's word for this run); the <em>replicated</em> directory, a JSON object
 * kept under the reserved key {@link #KEY} of the KV store itself, which the leader writes before it
 * adds a member, so it reaches every node through the log and with every snapshot (KV snapshots and
 * backups carry all keys) and is there again after a restart; and what a joining node was told by
 * the cluster ({@code --join}) until its log says it. Safe to read from any thread.
 */
public final class MemberDirectory {

    /**
     * The reserved key of the replicated directory. It starts with U+0000, which clients cannot use
     * (the HTTP layer refuses keys under {@link #RESERVED_PREFIX}), so no user key collides with it.
     */
    public static final String RESERVED_PREFIX = "\u0000raftkit/";
    public static final String KEY = RESERVED_PREFIX + "members";

    private static final Logger LOG = LoggerFactory.getLogger(MemberDirectory.class);

    private final Map<NodeId, Member> started;
    private volatile Map<NodeId, Member> replicated = Map.of();
    private volatile String replicatedJson;
    private volatile Map<NodeId, Member> told = Map.of();

    /** @param started the members this node was started with ({@code --peer}), empty for a joining node */
    public MemberDirectory(Map<NodeId, Member> started) {
        this.started = Collections.unmodifiableMap(new TreeMap<>(started));
    }

    /** A directory of HTTP URLs only (tests, and nodes whose transport needs no address). */
    public static MemberDirectory ofHttpUrls(Map<NodeId, String> httpUrls) {
        Map<NodeId, Member> members = new TreeMap<>();
        httpUrls.forEach((id, url) -> members.put(id, new Member(id, null, url)));
        return new MemberDirectory(members);
    }

    public Optional<Member> member(NodeId id) {
        Member m = started.get(id);
        if (m == null) {
            m = replicated.get(id);
        }
        if (m == null) {
            m = told.get(id);
        }
        return Optional.ofNullable(m);
    }

    public Optional<String> httpUrl(NodeId id) {
        return member(id).map(Member::http);
    }

    /** Every member any source names, the first source winning per member. */
    public Map<NodeId, Member> all() {
        Map<NodeId, Member> all = new TreeMap<>(told);
        all.putAll(replicated);
        all.putAll(started);
        return all;
    }

    /** The replicated directory's JSON as last read, null when the key is absent (for a compare-and-set). */
    public Optional<String> replicatedJson() {
        return Optional.ofNullable(replicatedJson);
    }

    /**
     * The replicated directory's value as read from the state machine (null: the key is absent). A
     * value this build cannot read is logged and ignored: the other sources still serve.
     */
    public void replicated(String json) {
        if (json == null) {
            replicated = Map.of();
            replicatedJson = null;
            return;
        }
        if (json.equals(replicatedJson)) {
            return;
        }
        try {
            replicated = decode(json);
            replicatedJson = json;
        } catch (IllegalArgumentException e) {
            LOG.warn("the replicated member directory ({}) cannot be read: {}; using the members this node was started with",
                    KEY.substring(1), e.getMessage());
        }
    }

    /** What a joining node was told by the cluster. */
    public void told(Map<NodeId, Member> members) {
        told = Collections.unmodifiableMap(new TreeMap<>(members));
    }

    /** The JSON kept under {@link #KEY}: {@code {"n4": {"raft": "host:port", "http": "http://host:port"}, ...}}. */
    public static String encode(Map<NodeId, Member> members) {
        JsonObject json = new JsonObject();
        for (Member m : new TreeMap<>(members).values()) {
            json.put(m.id().value(), new JsonObject().put("raft", m.raft()).put("http", m.http()));
        }
        return json.encode();
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public static Map<NodeId, Member> decode(String text) {
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (DecodeException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage());
        }
        Map<NodeId, Member> members = new TreeMap<>();
        for (String id : json.fieldNames()) {
            Object entry = json.getValue(id);
            if (!(entry instanceof JsonObject o) || !(o.getValue("raft") == null || o.getValue("raft") instanceof String)
                    || !(o.getValue("http") == null || o.getValue("http") instanceof String)) {
                throw new IllegalArgumentException("member '" + id + "' is not {\"raft\": string, \"http\": string}");
            }
            NodeId nodeId = NodeId.of(id);
            members.put(nodeId, new Member(nodeId, o.getString("raft"), o.getString("http")));
        }
        return members;
    }
}
