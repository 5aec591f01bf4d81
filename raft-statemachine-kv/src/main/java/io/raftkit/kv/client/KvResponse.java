package io.raftkit.kv.client;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** A node's final answer to one request: the HTTP status and its JSON body. */
public record KvResponse(int status, JsonObject body) {

    public boolean ok() {
        return status == 200;
    }

    public Optional<String> value() {
        return Optional.ofNullable(body.getString("value"));
    }

    public long version() {
        return body.getLong("version", 0L);
    }

    /** For a compare-and-set: whether it took effect. */
    public boolean succeeded() {
        return body.getBoolean("succeeded", false);
    }

    /**
     * Whether this answers a retry of a write the cluster had already applied (thesis §6.3): the
     * answer is the first application's, as the client's earlier attempt would have received it.
     */
    public boolean duplicate() {
        return body.getBoolean("duplicate", false);
    }

    public Optional<String> servedBy() {
        return Optional.ofNullable(body.getString("servedBy"));
    }

    public Optional<String> error() {
        return Optional.ofNullable(body.getString("error"));
    }

    @Override
    public String toString() {
        return status + " " + body.encode();
    }
}
