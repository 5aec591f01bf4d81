package io.raftkit.kv.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers; every answer says which node served it. */
final class Responses {

    private Responses() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        String servedBy = ctx.get(Forwarder.SERVED_BY);
        if (servedBy != null) {
            ctx.response().putHeader(Forwarder.SERVED_BY, servedBy);
            body.put("servedBy", servedBy);
        }
        ctx.response().end(body.toBuffer()); // straight to bytes: no intermediate String to encode again
    }

    static void error(RoutingContext ctx, ApiError error) {
        json(ctx, error.status(), error.toJson());
    }
}
