package io.raftkit.kv.client;

import io.raftkit.kv.KvValue;
import io.raftkit.kv.wire.ResultJson;
import io.raftkit.kv.wire.WireOp;
import io.raftkit.kv.wire.WireResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's final answer to one request: the HTTP status and the JSON API's body, whichever protocol
 * carried it. An answer that came over the binary protocol keeps its fields and its value's bytes,
 * and builds the JSON body only when {@link #body} is asked for.
 */
public final class KvResponse {

    private final int status;
    private JsonObject body;
    // Set for a result that came over the binary protocol; then the body is built from them.
    private final WireOp op;
    private final String key;
    private final WireResponse wire;
    private final String servedBy;

    /** An answer of the JSON API. */
    public KvResponse(int status, JsonObject body) {
        this.status = status;
        this.body = Objects.requireNonNull(body, "body");
        this.op = null;
        this.key = null;
        this.wire = null;
        this.servedBy = null;
    }

    private KvResponse(int status, WireOp op, String key, WireResponse wire, String servedBy) {
        this.status = status;
        this.op = op;
        this.key = key;
        this.wire = wire;
        this.servedBy = servedBy;
    }

    /** An answer of the binary protocol to {@code op} on {@code key}, from node {@code servedBy}. */
    static KvResponse of(WireOp op, String key, WireResponse wire, String servedBy) {
        if (wire.isError()) {
            JsonObject error;
            try {
                error = new JsonObject(new String(wire.errorJson(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                error = new JsonObject().put("error", "unreadable-response").put("message", new String(wire.errorJson(), StandardCharsets.UTF_8));
            }
            return new KvResponse(wire.status(), error);
        }
        return new KvResponse(wire.status(), op, key, wire, servedBy);
    }

    public int status() {
        return status;
    }

    /** The JSON API's body for this answer. */
    public synchronized JsonObject body() {
        if (body == null) {
            body = ResultJson.of(op, key, wire.value(), wire.version(), wire.createIndex(), wire.modIndex(), wire.index(), wire.flags());
            if (servedBy != null) {
                body.put("servedBy", servedBy);
            }
        }
        return body;
    }

    public boolean ok() {
        return status == 200;
    }

    /** False for a 404: the key did not exist (a read of it, or a delete). */
    public boolean found() {
        return status != 404;
    }

    /** The value as text; empty when absent, or when the value is bytes that are not UTF-8 ({@link #valueBytes}). */
    public Optional<String> value() {
        if (wire != null) {
            return wire.value() == null ? Optional.empty() : wire.value().utf8();
        }
        return Optional.ofNullable(body.getString("value"));
    }

    /** The value's bytes, whatever they are; empty when absent. */
    public Optional<byte[]> valueBytes() {
        if (wire != null) {
            return Optional.ofNullable(wire.value()).map(KvValue::bytes);
        }
        String text = body.getString("value");
        if (text != null) {
            return Optional.of(text.getBytes(StandardCharsets.UTF_8));
        }
        String base64 = body.getString("valueBase64");
        return base64 == null ? Optional.empty() : Optional.of(Base64.getDecoder().decode(base64));
    }

    public long version() {
        return wire != null ? wire.version() : body.getLong("version", 0L);
    }

    /** The log index that applied a write, or the last applied index a read saw. */
    public long index() {
        return wire != null ? wire.index() : body.getLong("index", 0L);
    }

    /** For a compare-and-set: whether it took effect. */
    public boolean succeeded() {
        return wire != null ? op == WireOp.CAS && !wire.has(WireResponse.CAS_FAILED) : body.getBoolean("succeeded", false);
    }

    /**
     * Whether this answers a retry of a write the cluster had already applied (thesis §6.3): the
     * answer is the first application's, as the client's earlier attempt would have received it.
     */
    public boolean duplicate() {
        return wire != null ? wire.has(WireResponse.DUPLICATE) : body.getBoolean("duplicate", false);
    }

    public Optional<String> servedBy() {
        return wire != null ? Optional.ofNullable(servedBy) : Optional.ofNullable(body.getString("servedBy"));
    }

    public Optional<String> error() {
        return wire != null ? Optional.empty() : Optional.ofNullable(body.getString("error"));
    }

    /**
     * What this answer says about a write: applied for a 200, else the error's {@code outcome}
     * (not applied when the cluster refused it before proposing, unknown otherwise).
     */
    public Outcome outcome() {
        if (status == 200) {
            return Outcome.APPLIED;
        }
        return "not-applied".equals(body().getString("outcome")) ? Outcome.NOT_APPLIED : Outcome.UNKNOWN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvResponse other && status == other.status && body().equals(other.body());
    }

    @Override
    public int hashCode() {
        return 31 * status + body().hashCode();
    }

    @Override
    public String toString() {
        return status + " " + body().encode();
    }
}
