package io.raftkit.kv.http;

import io.micrometer.core.instrument.Timer;
import io.raftkit.api.NodeId;
import io.raftkit.core.Role;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCodec;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvResult;
import io.raftkit.kv.SessionStamp;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
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

    /** A bad request: answered 400 with outcome not-applied, nothing proposed. */
    private static final class BadRequest extends Exception {
        final String error;

        BadRequest(String error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    private final RaftServer raft;
    private final Map<NodeId, String> httpUrls;
    private final HttpLimits limits;
    private final Forwarder forwarder;
    private final KvMetrics metrics;

    KvRoutes(RaftServer raft, Map<NodeId, String> httpUrls, HttpLimits limits, Forwarder forwarder, KvMetrics metrics) {
        this.raft = raft;
        this.httpUrls = httpUrls;
        this.limits = limits;
        this.forwarder = forwarder;
        this.metrics = metrics;
    }

    void put(RoutingContext ctx) {
        handle(ctx, "put", true, () -> {
            String key = key(ctx);
            JsonObject body = body(ctx);
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
            JsonObject body = body(ctx);
            if (!body.containsKey("expected")) {
                throw new BadRequest("missing-field", "field 'expected' is required (a string, or null for \"must be absent\")");
            }
            Object rawExpected = body.getValue("expected");
            if (rawExpected != null && !(rawExpected instanceof String)) {
                throw new BadRequest("invalid-field", "field 'expected' must be a string or null");
            }
            Optional<String> expected = Optional.ofNullable((String) rawExpected);
            if (expected.isPresent()) {
                checkValueSize("expected", expected.get());
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
        handle(ctx, stale ? "get_stale" : "get", !stale, () -> {
            key(ctx); // validates the length
            return null;
        });
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
        try {
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
        String key = ctx.pathParam("key");
        CompletableFuture<byte[]> result;
        if (command == null) {
            byte[] query = KvCodec.encodeGet(key);
            result = needsLeader ? raft.read(query) : raft.readStale(query);
        } else {
            // The leader stamps its clock: the state machine's only time source (sessions expire by it).
            SessionStamp stamped = new SessionStamp(session.clientId(), session.sequence(), System.currentTimeMillis());
            result = raft.propose(KvCodec.encode(command.apply(stamped)));
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

    private void answer(RoutingContext ctx, String op, KvResult r) {
        JsonObject json = new JsonObject().put("key", r.key()).put("value", r.value().orElse(null))
                .put("version", r.version()).put("createIndex", r.createIndex()).put("modIndex", r.modIndex())
                .put("index", r.index());
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
            case MALFORMED -> Responses.error(ctx, ApiError.unknown(500, "internal", "the state machine could not decode the command"));
        }
    }

    private String key(RoutingContext ctx) throws BadRequest {
        String key = ctx.pathParam("key");
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxKeyBytes()) {
            throw new BadRequest("key-too-long", "key is " + bytes + " bytes; the limit is " + limits.maxKeyBytes() + " (max-key-bytes)");
        }
        return key;
    }

    private JsonObject body(RoutingContext ctx) throws BadRequest {
        String text = ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw new BadRequest("invalid-json", "the request body is empty; expected a JSON object");
        }
        try {
            Object parsed = io.vertx.core.json.Json.decodeValue(text);
            if (!(parsed instanceof JsonObject object)) {
                throw new BadRequest("invalid-json", "the request body must be a JSON object");
            }
            return object;
        } catch (DecodeException e) {
            throw new BadRequest("invalid-json", "the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private String requiredString(JsonObject body, String field) throws BadRequest {
        Object raw = body.getValue(field);
        if (raw == null) {
            throw new BadRequest("missing-field", "field '" + field + "' is required");
        }
        if (!(raw instanceof String value)) {
            throw new BadRequest("invalid-field", "field '" + field + "' must be a string");
        }
        checkValueSize(field, value);
        return value;
    }

    private void checkValueSize(String field, String value) throws BadRequest {
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

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
