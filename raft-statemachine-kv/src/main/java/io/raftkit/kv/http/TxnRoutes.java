package io.raftkit.kv.http;

import io.micrometer.core.instrument.Timer;
import io.raftkit.core.server.RaftStatus;
import io.raftkit.kv.KvCommand;
import io.raftkit.kv.KvResult;
import io.raftkit.kv.KvTxn;
import io.raftkit.kv.KvTxnCodec;
import io.raftkit.kv.KvTxnResult;
import io.raftkit.kv.SessionStamp;
import io.raftkit.kv.wire.ResultJson;
import io.raftkit.kv.wire.WireOp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/txn}: a transaction ({@link TxnRequest}) proposed as one log entry at the leader
 * (forwarded there like any write, with its session headers), answered as JSON. Reads inside it are
 * linearizable with no ReadIndex round: the entry is committed before it is applied.
 *
 * <p>Answers: 200 {@code {"succeeded": true, "index", "results": [...]}} with one result per
 * operation; 200 {@code {"succeeded": false, "failedGuard": i}} when guard {@code i} did not hold;
 * 409 {@code not-a-list} or {@code list-too-large} naming the operation (nothing applied); the
 * session refusals as for single-key writes. A retry of an applied transaction answers
 * {@code "duplicate": true, "resultsForgotten": true}: it was not applied twice, and its reads are
 * not kept.
 */
final class TxnRoutes {

    private static final String OP = "txn";

    private final KvService service;
    private final KvRoutes kv;
    private final KvMetrics metrics;

    TxnRoutes(KvService service, KvRoutes kv, KvMetrics metrics) {
        this.service = service;
        this.kv = kv;
        this.metrics = metrics;
    }

    void txn(RoutingContext ctx) {
        Timer.Sample sample = metrics.start();
        Runnable done = () -> metrics.stop(sample, OP, ctx.response().getStatusCode());
        TxnRequest request;
        SessionStamp session;
        try {
            request = TxnRequest.parse(RequestInput.jsonObject(ctx.body().buffer()), service);
            session = KvRoutes.session(ctx);
        } catch (BadRequest e) {
            Responses.error(ctx, ApiError.rejected(400, e.error, e.getMessage()));
            done.run();
            return;
        }
        RaftStatus status = service.status();
        if (kv.passedOn(ctx, status, done)) {
            return;
        }
        ctx.put(Forwarder.SERVED_BY, service.nodeId());
        Future.fromCompletionStage(service.propose(status, session, stamp -> new KvCommand.Txn(stamp, request.guards(), request.ops()),
                        bytes -> reply(KvTxnCodec.decodeResult(bytes), session), Reply::of), ctx.vertx().getOrCreateContext())
                .onComplete(answered -> {
                    Reply reply = answered.succeeded() ? answered.result() : Reply.of(ApiError.from(answered.cause()));
                    Responses.json(ctx, reply.status(), reply.body());
                    done.run();
                });
    }

    /** An answer's HTTP status and JSON body (without {@code servedBy}, which the HTTP layer adds). */
    private record Reply(int status, JsonObject body) {
        static Reply of(ApiError error) {
            return new Reply(error.status(), error.toJson());
        }
    }

    private static Reply reply(KvTxnResult r, SessionStamp session) {
        switch (r.status()) {
            case OK:
            case GUARD_FAILED:
                return new Reply(200, json(r));
            case NOT_A_LIST:
                return Reply.of(ApiError.rejected(409, "not-a-list", "ops[" + r.failedAt().orElse(-1) + "] appends to a key whose"
                        + " value is not a list (a JSON array of strings); nothing was applied"));
            case LIST_TOO_LARGE:
                return Reply.of(ApiError.rejected(409, "list-too-large", "ops[" + r.failedAt().orElse(-1) + "] would grow its"
                        + " list past " + KvTxn.MAX_LIST_BYTES + " bytes; nothing was applied"));
            default:
                // The session verdicts (and MALFORMED) answer as they do for single-key writes.
                Answer refused = Answer.of(WireOp.PUT, KvResult.absent(r.status(), "", r.index()), session);
                return refused.error() != null ? Reply.of(refused.error()) : Reply.of(ApiError.unknown(500, "internal",
                        "unexpected transaction status " + r.status()));
        }
    }

    private static JsonObject json(KvTxnResult r) {
        JsonObject json = new JsonObject().put("succeeded", r.succeeded()).put("index", r.index());
        r.failedAt().ifPresent(at -> json.put("failedGuard", at));
        if (r.duplicate()) {
            json.put("duplicate", true).put("resultsForgotten", true);
        }
        JsonArray results = new JsonArray();
        for (KvResult one : r.results()) {
            JsonObject o = new JsonObject().put("key", one.key()).put("found", one.status() == KvResult.Status.OK);
            ResultJson.putValue(o, one.value().orElse(null));
            o.put("version", one.version()).put("createIndex", one.createIndex()).put("modIndex", one.modIndex());
            results.add(o);
        }
        return json.put("results", results);
    }
}
