package io.raftkit.kv.http;

import io.raftkit.kv.KvResult;
import io.raftkit.kv.KvValue;
import io.raftkit.kv.SessionStamp;
import io.raftkit.kv.wire.ResultJson;
import io.raftkit.kv.wire.WireOp;
import io.raftkit.kv.wire.WireResponse;
import io.vertx.core.json.JsonObject;

/**
 * What a KV request came to, in either client protocol: a result (200), or an error with the JSON
 * API's error object. The mapping from the state machine's result to a status lives here alone,
 * so the JSON API and the binary protocol cannot drift apart.
 */
record Answer(int status, WireOp op, KvResult result, int flags, ApiError error) {

    static Answer of(ApiError error) {
        return new Answer(error.status(), null, null, 0, error);
    }

    static Answer of(WireOp op, KvResult r, SessionStamp session) {
        int flags = (r.duplicate() ? WireResponse.DUPLICATE : 0)
                | (r.origin() == KvResult.Origin.DUPLICATE_VALUE_FORGOTTEN ? WireResponse.VALUE_FORGOTTEN : 0);
        switch (r.status()) {
            case OK:
                return new Answer(200, op, r, flags, null);
            case CAS_FAILED:
                return new Answer(200, op, r, flags | WireResponse.CAS_FAILED, null);
            case NOT_FOUND: {
                ApiError e = ApiError.rejected(404, "key-not-found", "key '" + r.key() + "' does not exist");
                e.extra().put("key", r.key()).put("index", r.index());
                return of(e);
            }
            case STALE_SEQUENCE:
                return of(ApiError.unknown(409, "stale-sequence",
                        "this client already applied a later sequence; the outcome of this older request is unknown"));
            case SEQUENCE_REUSED: {
                ApiError e = ApiError.rejected(409, "sequence-reused", KvRoutes.SEQUENCE + " " + session.sequence()
                        + " of this client was already used for a different command (applied at index " + r.index()
                        + "); this one was not applied: give each request its own sequence");
                e.extra().put("appliedIndex", r.index());
                return of(e);
            }
            case SESSION_EXPIRED:
                return of(ApiError.rejected(409, "session-expired", "the session of " + KvRoutes.CLIENT_ID + " "
                        + session.clientId() + " is no longer kept (idle past the session TTL, or evicted beyond the session"
                        + " capacity); this request was not applied, but an earlier attempt of it may have been. Start a new"
                        + " client id (its first sequence is 1)"));
            case MALFORMED:
                return of(ApiError.unknown(500, "internal", "the state machine could not decode the command"));
            default:
                throw new AssertionError("unhandled " + r.status());
        }
    }

    /** The JSON API's body (without {@code servedBy}, which the HTTP layer adds). */
    JsonObject json() {
        if (error != null) {
            return error.toJson();
        }
        return ResultJson.of(op, result.key(), result.value().orElse(null), result.version(), result.createIndex(),
                result.modIndex(), result.index(), flags);
    }

    /** The binary protocol's answer to request {@code id}. */
    WireResponse wire(int id) {
        if (error != null) {
            return WireResponse.error(id, status, error.toJson().toBuffer().getBytes());
        }
        KvValue value = result.value().orElse(null);
        return WireResponse.result(id, flags, result.version(), result.createIndex(), result.modIndex(), result.index(), value);
    }
}
