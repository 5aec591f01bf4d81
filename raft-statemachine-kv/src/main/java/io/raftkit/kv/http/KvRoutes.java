package io.raftkit.kv.http;

import io.micrometer.core.instrument.Timer;
import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvResult;
import io.raftkit.kv.KvStateMachine;
import io.raftkit.kv.SessionStamp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The {@code /v1/kv} handlers: validate, forward to the leader when this node is not it, stamp the
 * command with the leader's clock, propose or read, and answer JSON.
 */
final class KvRoutes {

    static final String CLIENT_ID = "X-Client-Id";
    static final String SEQUENCE = "X-Sequence";

    private final RaftServer raft;
    private final KvStateMachine kv;
    private final SessionPolicyKeeper sessionPolicy;
    private final Map<NodeId, String> httpUrls;
    private final HttpLimits limits;
    private final Forwarder forwarder;
    private final KvMetrics metrics;

    KvRoutes(RaftServer raft, KvStateMachine kv, SessionPolicyKeeper sessionPolicy, Map<NodeId, String> httpUrls,
             HttpLimits limits, Forwarder forwarder, KvMetrics metrics) {
        this.raft = raft;
        this.kv = kv;
        this.sessionPolicy = sessionPolicy;
        this.httpUrls = httpUrls;
        this.limits = limits;
        this.forwarder = forwarder;
        this.metrics = metrics;
    }

    void put(RoutingContext ctx) {
        handle(ctx, "put", true, () -> {
            String key = key(ctx);
            JsonObject body = RequestInput.jsonObject(ctx.body().buffer());
            String value = requiredString(body, "value");
            return stamp -> new KvCommand.Put(stamp, key, value);
        });
    }

    void delete(RoutingContext ctx) {
        handle(ctx, "delete", true, () -> {
            String key = key(ctx);
            return stamp -> new KvCommand.Delete(stamp, key);
        });
    }

    void cas(RoutingContext ctx) {
        handle(ctx, "cas", true, () -> {
            String key = key(ctx);
            JsonObject body = RequestInput.jsonObject(ctx.body().buffer());
            if (!body.containsKey("expected")) {
                throw new BadRequest("missing-field", "field 'expected' is required (a string, or null for \"must be absent\")");
            }
            Object rawExpected = body.getValue("expected");
            if (rawExpected != null && !(rawExpected instanceof String)) {
                throw new BadRequest("invalid-field", "field 'expected' must be a string or null");
            }
            Optional<String> expected = Optional.ofNullable((String) rawExpected);
            if (expected.isPresent()) {
                checkValue("expected", expected.get());
            }
            String value = requiredString(body, "value");
            return stamp -> new KvCommand.Cas(stamp, key, expected, value);
        });
    }

    void get(RoutingContext ctx) {
        String consistency = ctx.request().getParam("consistency", "linearizable");
        boolean stale = consistency.equals("stale");
        if (!stale && !consistency.equals("linearizable")) {
            Responses.error(ctx, ApiError.rejected(400, "invalid-parameter",
                    "consistency must be 'linearizable' (default) or 'stale', was '" + consistency + "'"));
            return;
        }
        // Stale reads are served here; linearizable ones go to the leader like writes, which keeps
        // the answer's servedBy meaningful and the follower's read path off the hot loop.
        handle(ctx, stale ? "get_stale" : "get", !stale, () -> null);
    }

    private interface Parse {
        /** The command to propose for a stamp, or null for a read. */
        Function<SessionStamp, KvCommand> parse() throws BadRequest;
    }

    private void handle(RoutingContext ctx, String op, boolean needsLeader, Parse parse) {
        Timer.Sample sample = metrics.start();
        Runnable done = () -> metrics.stop(sample, op, ctx.response().getStatusCode());
        Function<SessionStamp, KvCommand> command;
        SessionStamp session;
        String key;
        try {
            key = key(ctx);
            command = parse.parse();
            session = session(ctx);
        } catch (BadRequest e) {
            Responses.error(ctx, ApiError.rejected(400, e.error, e.getMessage()));
            done.run();
            return;
        }
        RaftStatus status = raft.status();
        if (needsLeader && status.role() != Role.LEADER) {
            Optional<String> leaderUrl = status.leader().filter(l -> !l.equals(raft.id())).map(httpUrls::get);
            if (leaderUrl.isPresent() && !Forwarder.wasForwarded(ctx)) {
                forwarder.forward(ctx, leaderUrl.get(), done);
                return;
            }
            JsonObject extra = new JsonObject();
            status.leader().ifPresent(l -> extra.put("leader", l.value()));
            Responses.error(ctx, new ApiError(503, status.leader().isPresent() ? "not-leader" : "no-leader",
                    status.leader().isPresent() ? "node " + raft.id() + " is not the leader and will not forward a forwarded request"
                            : "no leader is known yet; retry shortly", true, extra));
            done.run();
            return;
        }
        ctx.put(Forwarder.SERVED_BY, raft.id().value());
        CompletableFuture<byte[]> result;
        if (command == null) {
            byte[] query = KvCodec.encodeGet(key);
            result = needsLeader ? raft.read(query) : raft.readStale(query);
        } else {
            // The leader stamps its clock: the state machine's only time source (sessions expire by it).
            SessionStamp stamped = new SessionStamp(session.clientId(), session.sequence(), System.currentTimeMillis());
            byte[] proposal = KvCodec.encode(command.apply(stamped));
            Optional<ApiError> full = memoryFull(status, proposal.length);
            if (full.isPresent()) {
                Responses.error(ctx, full.get());
                done.run();
                return;
            }
            sessionPolicy.beforeWrite(status.term());
            result = raft.propose(proposal);
        }
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext())
                .onSuccess(bytes -> {
                    answer(ctx, op, KvCodec.decodeResult(bytes));
                    done.run();
                })
                .onFailure(e -> {
                    Responses.error(ctx, ApiError.from(e));
                    done.run();
                });
    }

    /**
     * The memory guard for the KV's share: RaftServer refuses proposals once the log alone passes
     * its limit, but the keys, values and sessions live in the heap besides the log (a value is
     * there twice, as log bytes and as a string; a command of 150 bytes may add a 320-byte session).
     * Both together must stay under the limit (80 % of the heap), or the write is refused before
     * it is proposed.
     */
    private Optional<ApiError> memoryFull(RaftStatus status, int proposalBytes) {
        long state = kv.heapBytes();
        if (status.logHeapBytes() + state + proposalBytes <= status.logHeapLimitBytes()) {
            return Optional.empty();
        }
        return Optional.of(ApiError.rejected(507, "log-full", String.format("the log (about %d MB) and the KV state"
                        + " (about %d MB: keys, values and %d client sessions) take more than this node's %d MB limit"
                        + " (80%% of its heap); writes are refused, reads go on. Restart the node with a larger -Xmx"
                        + " (there are no snapshots yet: the whole log stays in memory)",
                status.logHeapBytes() >> 20, state >> 20, kv.sessionCount(), status.logHeapLimitBytes() >> 20)));
    }

    private void answer(RoutingContext ctx, String op, KvResult r) {
        JsonObject json = new JsonObject().put("key", r.key()).put("value", r.value().orElse(null))
                .put("version", r.version()).put("createIndex", r.createIndex()).put("modIndex", r.modIndex())
                .put("index", r.index());
        if (r.duplicate()) {
            json.put("duplicate", true); // a retry's answer, as first given (thesis §6.3)
        }
        if (r.origin() == KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN) {
            json.put("valueForgotten", true); // the value the failed comparison saw is no longer known
        }
        switch (r.status()) {
            case OK -> {
                if (op.equals("cas")) {
                    json.put("succeeded", true);
                } else if (op.equals("delete")) {
                    json.put("deleted", true);
                }
                Responses.json(ctx, 200, json);
            }
            case CAS_FAILED -> Responses.json(ctx, 200, json.put("succeeded", false));
            case NOT_FOUND -> {
                ApiError e = ApiError.rejected(404, "key-not-found", "key '" + r.key() + "' does not exist");
                Responses.json(ctx, 404, e.toJson().put("key", r.key()).put("index", r.index()));
            }
            case STALE_SEQUENCE -> Responses.error(ctx, ApiError.unknown(409, "stale-sequence",
                    "this client already applied a later sequence; the outcome of this older request is unknown"));
            case SEQUENCE_REUSED -> {
                ApiError e = ApiError.rejected(409, "sequence-reused", SEQUENCE + " " + ctx.request().getHeader(SEQUENCE)
                        + " of this client was already used for a different command (applied at index " + r.index()
                        + "); this one was not applied: give each request its own sequence");
                Responses.json(ctx, 409, e.toJson().put("appliedIndex", r.index()));
            }
            case SESSION_EXPIRED -> Responses.error(ctx, ApiError.rejected(409, "session-expired",
                    "the session of " + CLIENT_ID + " " + ctx.request().getHeader(CLIENT_ID) + " is no longer kept (idle past the"
                            + " session TTL, or evicted beyond the session capacity); this request was not applied, but an earlier"
                            + " attempt of it may have been. Start a new client id (its first sequence is 1)"));
            case MALFORMED -> Responses.error(ctx, ApiError.unknown(500, "internal", "the state machine could not decode the command"));
        }
    }

    private String key(RoutingContext ctx) throws BadRequest {
        String key = RequestInput.key(ctx.normalizedPath());
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxKeyBytes()) {
            throw new BadRequest("key-too-long", "key is " + bytes + " bytes; the limit is " + limits.maxKeyBytes() + " (max-key-bytes)");
        }
        return key;
    }

    private String requiredString(JsonObject body, String field) throws BadRequest {
        Object raw = body.getValue(field);
        if (raw == null) {
            throw new BadRequest("missing-field", "field '" + field + "' is required");
        }
        if (!(raw instanceof String value)) {
            throw new BadRequest("invalid-field", "field '" + field + "' must be a string");
        }
        checkValue(field, value);
        return value;
    }

    private void checkValue(String field, String value) throws BadRequest {
        RequestInput.requireUnicode(field, value);
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxValueBytes()) {
            throw new BadRequest("value-too-large", field + " is " + bytes + " bytes; the limit is " + limits.maxValueBytes() + " (max-value-bytes)");
        }
    }

    /** Client id and sequence from headers; both or neither. Without them, no deduplication. */
    private static SessionStamp session(RoutingContext ctx) throws BadRequest {
        String id = ctx.request().getHeader(CLIENT_ID);
        String seq = ctx.request().getHeader(SEQUENCE);
        if (id == null && seq == null) {
            return SessionStamp.anonymous(0);
        }
        if (id == null || seq == null) {
            throw new BadRequest("invalid-header", CLIENT_ID + " and " + SEQUENCE + " must be given together");
        }
        long clientId = positiveLong(CLIENT_ID, id);
        long sequence = positiveLong(SEQUENCE, seq);
        return new SessionStamp(clientId, sequence, 0);
    }

    private static long positiveLong(String header, String raw) throws BadRequest {
        try {
            long value = Long.parseLong(raw.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadRequest("invalid-header", header + " must be a positive whole number, was '" + raw + "'");
    }
}
