package io.raftkit.kv.http;

import io.micrometer.core.instrument.Timer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.SessionStamp;
import io.raftkit.kv.wire.WireOp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The {@code /v1/kv} handlers: decode and validate, forward to the leader when this node is not it,
 * hand the request to {@link KvService}, and answer JSON.
 */
final class KvRoutes {

    static final String CLIENT_ID = "X-Client-Id";
    static final String SEQUENCE = "X-Sequence";

    private final KvService service;
    private final Forwarder forwarder;
    private final KvMetrics metrics;

    KvRoutes(KvService service, Forwarder forwarder, KvMetrics metrics) {
        this.service = service;
        this.forwarder = forwarder;
        this.metrics = metrics;
    }

    void put(RoutingContext ctx) {
        handle(ctx, WireOp.PUT, () -> {
            String key = key(ctx);
            JsonObject body = RequestInput.jsonObject(ctx.body().buffer());
            KvValue value = requiredValue(body, "value");
            return stamp -> new KvCommand.Put(stamp, key, value);
        });
    }

    void delete(RoutingContext ctx) {
        handle(ctx, WireOp.DELETE, () -> {
            String key = key(ctx);
            return stamp -> new KvCommand.Delete(stamp, key);
        });
    }

    void cas(RoutingContext ctx) {
        handle(ctx, WireOp.CAS, () -> {
            String key = key(ctx);
            JsonObject body = RequestInput.jsonObject(ctx.body().buffer());
            if (!body.containsKey("expected") && !body.containsKey("expectedBase64")) {
                throw new BadRequest("missing-field", "field 'expected' is required (a string, or null for \"must be absent\";"
                        + " or 'expectedBase64' for bytes)");
            }
            Optional<KvValue> expected = body.getValue("expected") == null && body.getValue("expectedBase64") == null
                    ? Optional.empty() : Optional.of(requiredValue(body, "expected"));
            KvValue value = requiredValue(body, "value");
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
        handle(ctx, stale ? WireOp.GET_STALE : WireOp.GET, () -> null);
    }

    private interface Parse {
        /** The command to propose for a stamp, or null for a read. */
        Function<SessionStamp, KvCommand> parse() throws BadRequest;
    }

    private void handle(RoutingContext ctx, WireOp op, Parse parse) {
        Timer.Sample sample = metrics.start();
        Runnable done = () -> metrics.stop(sample, op.label(), ctx.response().getStatusCode());
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
        RaftStatus status = service.status();
        if (op != WireOp.GET_STALE && passedOn(ctx, status, done)) {
            return;
        }
        ctx.put(Forwarder.SERVED_BY, service.nodeId());
        CompletableFuture<Answer> result = command == null ? service.read(op, key) : service.write(op, status, session, command);
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext()).onComplete(answered -> {
            // KvService answers failures as error answers; a throw past it (a bug) still gets an answer.
            Answer answer = answered.succeeded() ? answered.result() : Answer.of(ApiError.from(answered.cause()));
            Responses.json(ctx, answer.status(), answer.json());
            done.run();
        });
    }

    /**
     * At a node that does not lead: forwards the request to the leader, or refuses it when no leader
     * is known or the request was forwarded already (one hop only), and answers true.
     */
    boolean passedOn(RoutingContext ctx, RaftStatus status, Runnable done) {
        if (service.leads(status)) {
            return false;
        }
        Optional<String> leaderUrl = service.otherLeaderUrl(status);
        if (leaderUrl.isPresent() && !Forwarder.wasForwarded(ctx)) {
            forwarder.forward(ctx, leaderUrl.get(), done);
            return true;
        }
        Responses.error(ctx, service.notLeader(status, "will not forward a forwarded request"));
        done.run();
        return true;
    }

    private String key(RoutingContext ctx) throws BadRequest {
        String key = RequestInput.key(ctx.normalizedPath());
        service.checkKey(key);
        return key;
    }

    /**
     * A value: {@code field} as text (stored as its UTF-8 bytes), or {@code fieldBase64} for bytes
     * that are not text (as the answers give such values); one of the two.
     */
    private KvValue requiredValue(JsonObject body, String field) throws BadRequest {
        Object raw = body.getValue(field);
        Object base64 = body.getValue(field + "Base64");
        if (raw != null && base64 != null) {
            throw new BadRequest("invalid-field", "give '" + field + "' or '" + field + "Base64', not both");
        }
        if (base64 != null) {
            if (!(base64 instanceof String encoded)) {
                throw new BadRequest("invalid-field", "field '" + field + "Base64' must be a string");
            }
            KvValue value;
            try {
                value = KvValue.of(Base64.getDecoder().decode(encoded));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("invalid-field", "field '" + field + "Base64' is not Base64: " + e.getMessage());
            }
            service.checkValue(field, value);
            return value;
        }
        if (raw == null) {
            throw new BadRequest("missing-field", "field '" + field + "' is required");
        }
        if (!(raw instanceof String text)) {
            throw new BadRequest("invalid-field", "field '" + field + "' must be a string");
        }
        return value(field, text);
    }

    /** A JSON string as the value's UTF-8 bytes; a lone surrogate has none and is refused. */
    private KvValue value(String field, String text) throws BadRequest {
        RequestInput.requireUnicode(field, text);
        KvValue value = KvValue.of(text);
        service.checkValue(field, value);
        return value;
    }

    /** Client id and sequence from headers; both or neither. Without them, no deduplication. */
    static SessionStamp session(RoutingContext ctx) throws BadRequest {
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
