package io.raftkit.kv.http;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvResult;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.SessionStamp;
import io.raftkit.kv.members.Member;
import io.raftkit.kv.members.MemberDirectory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The membership routes (thesis §4.3 through {@link RaftServer}'s calls):
 * <ul>
 *   <li>{@code GET /v1/members}: this node's view of the configuration, answered by any node, like {@code /v1/status};</li>
 *   <li>{@code POST /v1/members} {@code {"id", "raft", "http"}}: adds a learner (its addresses go into the
 *       replicated {@link MemberDirectory} first), idempotent for a member already there at the same addresses;</li>
 *   <li>{@code POST /v1/members/{id}/promote}, {@code DELETE /v1/members/{id}};</li>
 *   <li>{@code POST /v1/leader} {@code {"id"}}: leadership transfer (thesis §3.10), answered once that node leads.</li>
 * </ul>
 * Changes need the leader: a follower forwards them like writes. Each answers 200 with the members
 * document once the change is committed; a refusal is 409 {@code membership-refused} with the core's
 * reason, a bad body 400; one change at a time per node (409 {@code change-in-flight}).
 */
final class MemberRoutes {

    /** How often a node waiting for a transfer looks at who leads. */
    private static final long TRANSFER_POLL_MILLIS = 20;

    private final RaftServer raft;
    private final KvService service;
    private final KvRoutes kv;
    private final MemberDirectory directory;
    private final long timeoutMillis;
    /** One change at a time from this node: the core refuses a second anyway, and the directory's compare-and-set needs it. */
    private final AtomicBoolean changing = new AtomicBoolean();

    MemberRoutes(RaftServer raft, KvService service, KvRoutes kv, MemberDirectory directory, long timeoutMillis) {
        this.raft = raft;
        this.service = service;
        this.kv = kv;
        this.directory = directory;
        this.timeoutMillis = timeoutMillis;
    }

    void list(RoutingContext ctx) {
        ctx.put(Forwarder.SERVED_BY, service.nodeId());
        answer(ctx, raft.status().members());
    }

    /** 200 with the members document; at the leader with each member's matchIndex. */
    private void answer(RoutingContext ctx, ClusterConfig config) {
        RaftStatus status = raft.status();
        if (!service.leads(status)) {
            Responses.json(ctx, 200, document(config, status, Map.of()));
            return;
        }
        Future.fromCompletionStage(raft.matchIndexes(), ctx.vertx().getOrCreateContext()).onComplete(m ->
                Responses.json(ctx, 200, document(config, raft.status(), m.succeeded() ? m.result() : Map.of())));
    }

    void add(RoutingContext ctx) {
        Member member;
        try {
            JsonObject body = RequestInput.jsonObject(ctx.body().buffer());
            member = new Member(id(body.getValue("id"), "id"), raftAddress(body.getValue("raft")), httpUrl(body.getValue("http")));
        } catch (BadRequest e) {
            Responses.error(ctx, ApiError.rejected(400, e.error, e.getMessage()));
            return;
        }
        // The directory as committed (a linearizable read): a leader elected since the last
        // refresh must not call a retry of a completed add a conflict.
        change(ctx, () -> readDirectory().thenCompose(current -> {
            ClusterConfig config = raft.status().members();
            if (config.members().contains(member.id())) {
                Optional<Member> known = directory.member(member.id());
                String raftThere = config.addresses().getOrDefault(member.id(), known.map(Member::raft).orElse(null));
                if (member.raft().equals(raftThere) && member.http().equals(known.map(Member::http).orElse(null))) {
                    return CompletableFuture.completedFuture(config); // a retry, or a joining node restarted: already done
                }
                return CompletableFuture.failedFuture(new Refusal(409, "already-member", "node " + member.id() + " is already a "
                        + role(config, member.id()) + " at raft " + raftThere + ", http " + known.map(Member::http).orElse(null)
                        + "; remove it first to add it at other addresses"));
            }
            return record(member, current).thenCompose(ignored -> raft.addLearner(member.id(), member.raft()));
        }));
    }

    void promote(RoutingContext ctx) {
        withMember(ctx, id -> change(ctx, () -> raft.promote(id)));
    }

    void remove(RoutingContext ctx) {
        withMember(ctx, id -> change(ctx, () -> raft.remove(id)));
    }

    void lead(RoutingContext ctx) {
        NodeId target;
        try {
            target = id(RequestInput.jsonObject(ctx.body().buffer()).getValue("id"), "id");
        } catch (BadRequest e) {
            Responses.error(ctx, ApiError.rejected(400, e.error, e.getMessage()));
            return;
        }
        RaftStatus status = raft.status();
        if (kv.passedOn(ctx, status, () -> { })) {
            return;
        }
        ctx.put(Forwarder.SERVED_BY, service.nodeId());
        ClusterConfig config = status.members();
        if (!config.isVoter(target)) {
            Responses.error(ctx, ApiError.rejected(409, config.members().contains(target) ? "not-a-voter" : "unknown-member",
                    "node " + target + " is " + (config.members().contains(target) ? "a learner; promote it first"
                            : "not a member; members: " + ids(config)) + ": only a voter can lead"));
            return;
        }
        if (target.equals(raft.id())) {
            answer(ctx, config);
            return;
        }
        Future.fromCompletionStage(raft.transferLeadership(target), ctx.vertx().getOrCreateContext()).onComplete(started -> {
            if (started.failed()) {
                Responses.error(ctx, ApiError.from(started.cause()));
                return;
            }
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            awaitLeader(ctx, target, deadline);
        });
    }

    /** Polls until {@code target} leads or the deadline passes (thesis §3.10: the transfer may fail, and then the old leader resumes). */
    private void awaitLeader(RoutingContext ctx, NodeId target, long deadlineNanos) {
        RaftStatus status = raft.status();
        if (status.leader().filter(target::equals).isPresent()) {
            Responses.json(ctx, 200, document(status.members(), status, Map.of()));
        } else if (System.nanoTime() - deadlineNanos > 0) {
            Responses.error(ctx, ApiError.unknown(504, "transfer-timeout", "node " + target + " did not become leader within "
                    + timeoutMillis + " ms (request-timeout-ms); the leader is " + status.leader().map(NodeId::value).orElse("unknown")
                    + ". A transfer fails when the target cannot catch up or win its election; it may still happen: see GET /v1/members"));
        } else {
            ctx.vertx().setTimer(TRANSFER_POLL_MILLIS, t -> awaitLeader(ctx, target, deadlineNanos));
        }
    }

    private interface IdHandler {
        void handle(NodeId id);
    }

    private void withMember(RoutingContext ctx, IdHandler handler) {
        NodeId id;
        try {
            id = id(ctx.pathParam("id"), "the path's member id");
        } catch (BadRequest e) {
            Responses.error(ctx, ApiError.rejected(400, e.error, e.getMessage()));
            return;
        }
        handler.handle(id);
    }

    /** The leader's part of every change: forward from a follower, one at a time, answer once committed. */
    private void change(RoutingContext ctx, Supplier<CompletableFuture<ClusterConfig>> start) {
        RaftStatus status = raft.status();
        if (kv.passedOn(ctx, status, () -> { })) {
            return;
        }
        ctx.put(Forwarder.SERVED_BY, service.nodeId());
        if (!changing.compareAndSet(false, true)) {
            Responses.error(ctx, ApiError.rejected(409, "change-in-flight", "node " + raft.id()
                    + " is making another membership change; retry when it is done (one change at a time, thesis §4.3)"));
            return;
        }
        CompletableFuture<ClusterConfig> result;
        try {
            result = start.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext()).onComplete(done -> {
            changing.set(false);
            if (done.succeeded()) {
                answer(ctx, done.result());
            } else {
                Throwable cause = done.cause() instanceof java.util.concurrent.CompletionException && done.cause().getCause() != null
                        ? done.cause().getCause() : done.cause();
                Responses.error(ctx, cause instanceof Refusal r ? r.error : ApiError.from(cause));
            }
        });
    }

    /**
     * Writes {@code member} into the replicated directory, with every member this node knows, so
     * that a node added later learns the addresses of those the cluster was started with too. A
     * compare-and-set against the value read linearizably: a directory changed meanwhile (by another
     * leader) refuses, and nothing is lost.
     */
    private CompletableFuture<Void> record(Member member, Optional<String> currentJson) {
        Map<NodeId, Member> next = new TreeMap<>(directory.all());
        next.keySet().retainAll(raft.status().members().members());
        next.put(member.id(), member);
        String json = MemberDirectory.encode(next);
        if (currentJson.filter(json::equals).isPresent()) {
            return CompletableFuture.completedFuture(null);
        }
        RaftStatus status = raft.status();
        return service.propose(status, SessionStamp.anonymous(0),
                stamp -> new KvCommand.Cas(stamp, MemberDirectory.KEY, currentJson.map(KvValue::of), KvValue.of(json)),
                KvCodec::decodeResult, error -> {
                    throw new Refusal(error);
                }).thenApply(result -> {
                    if (result.status() != KvResult.Status.OK) {
                        throw new Refusal(409, "directory-changed", "the member directory changed while node " + member.id()
                                + " was being recorded (" + result.status() + "); nothing was changed: retry");
                    }
                    directory.replicated(json);
                    return null;
                });
    }

    /** The replicated directory's JSON, read linearizably (empty when absent), and this node's copy updated. */
    private CompletableFuture<Optional<String>> readDirectory() {
        return raft.read(KvCodec.encodeGet(MemberDirectory.KEY)).thenApply(bytes -> {
            Optional<String> json = KvCodec.decodeResult(bytes).value().flatMap(KvValue::utf8);
            directory.replicated(json.orElse(null));
            return json;
        });
    }

    /**
     * The members document: the configuration {@code config} as this node knows it, with the
     * leader's {@code matchIndexes} when this node leads (empty otherwise: the field is left out).
     */
    JsonObject document(ClusterConfig config, RaftStatus status, Map<NodeId, Long> matchIndexes) {
        JsonArray members = new JsonArray();
        for (NodeId id : config.members()) {
            Optional<Member> known = directory.member(id);
            JsonObject m = new JsonObject().put("id", id.value()).put("role", config.learners().contains(id) ? "learner" : "voter")
                    .put("raft", config.addresses().getOrDefault(id, known.map(Member::raft).orElse(null)))
                    .put("http", known.map(Member::http).orElse(null));
            Long matchIndex = matchIndexes.get(id);
            if (matchIndex != null) {
                m.put("matchIndex", matchIndex);
            }
            if (config.isJoint() && !config.voters().contains(id) && config.votersOutgoing().contains(id)) {
                m.put("outgoing", true); // a voter of C(old) only: leaves when C(new) commits
            }
            if (config.isJoint() && config.voters().contains(id) && !config.votersOutgoing().contains(id)) {
                m.put("incoming", true);
            }
            members.add(m);
        }
        return new JsonObject().put("leader", status.leader().map(NodeId::value).orElse(null))
                .put("leaderHttp", status.leader().flatMap(directory::httpUrl).orElse(null))
                .put("joint", config.isJoint()).put("members", members);
    }

    private static String role(ClusterConfig c, NodeId id) {
        return c.learners().contains(id) ? "learner" : "voter";
    }

    private static String ids(ClusterConfig c) {
        return c.members().stream().map(NodeId::value).toList().toString();
    }

    private static NodeId id(Object raw, String what) throws BadRequest {
        if (!(raw instanceof String text) || text.isBlank()) {
            throw new BadRequest("invalid-field", what + " must be a member id (a non-empty string), was " + raw);
        }
        try {
            return NodeId.of(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid-field", what + " '" + text + "': " + e.getMessage());
        }
    }

    /** A Raft address {@code host:port}. */
    static String raftAddress(Object raw) throws BadRequest {
        if (!(raw instanceof String text)) {
            throw new BadRequest("invalid-field", "field 'raft' must be the new member's Raft address host:port, was " + raw);
        }
        try {
            return io.raftkit.kv.server.HostPort.parse("field 'raft'", text.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid-field", e.getMessage());
        }
    }

    /** An HTTP base URL {@code http://host:port}, without a path. */
    static String httpUrl(Object raw) throws BadRequest {
        if (!(raw instanceof String text)) {
            throw new BadRequest("invalid-field", "field 'http' must be the new member's HTTP base URL http://host:port, was " + raw);
        }
        String trimmed = text.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            URI uri = new URI(trimmed);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                    || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new BadRequest("invalid-field", "field 'http' must look like http://host:port (no path), was '" + text + "'");
            }
        } catch (URISyntaxException e) {
            throw new BadRequest("invalid-field", "field 'http' is not a URL: " + e.getMessage());
        }
        return trimmed;
    }

    /** A change refused by this layer, with its answer. */
    private static final class Refusal extends RuntimeException {
        final ApiError error;

        Refusal(int status, String code, String message) {
            this(ApiError.rejected(status, code, message));
        }

        Refusal(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }
}
