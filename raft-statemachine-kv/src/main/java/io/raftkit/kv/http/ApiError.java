package io.raftkit.kv.http;

import io.raftkit.core.server.LogFullException;
import io.raftkit.core.server.MembershipRefusedException;
import io.raftkit.core.server.NodeStoppedException;
import io.raftkit.core.server.NotLeaderException;
import io.raftkit.core.server.ProposalDroppedException;
import io.raftkit.core.server.RaftException;
import io.raftkit.core.server.RequestTimeoutException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionException;

/**
 * An error answer: HTTP status and the JSON {@code {"error", "message", "outcome"}}. The outcome
 * tells a client (and the verifier) whether the write {@code certainly} did not happen
 * ({@code not-applied}) or may have ({@code unknown}).
 */
public record ApiError(int status, String error, String message, boolean certainlyNotApplied, JsonObject extra) {

    public static final String NOT_APPLIED = "not-applied";
    public static final String UNKNOWN = "unknown";

    /** Refused before anything was proposed. */
    public static ApiError rejected(int status, String error, String message) {
        return new ApiError(status, error, message, true, new JsonObject());
    }

    public static ApiError unknown(int status, String error, String message) {
        return new ApiError(status, error, message, false, new JsonObject());
    }

    /** Maps a failed RaftServer future; the exception itself says whether anything may have been applied. */
    public static ApiError from(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof NotLeaderException e) {
            JsonObject extra = new JsonObject();
            e.leaderHint().ifPresent(leader -> extra.put("leader", leader.value()));
            return new ApiError(503, "not-leader", t.getMessage(), e.certainlyNotApplied(), extra);
        } else if (t instanceof ProposalDroppedException e) {
            return new ApiError(503, "proposal-dropped", t.getMessage(), e.certainlyNotApplied(), new JsonObject());
        } else if (t instanceof RequestTimeoutException e) {
            return new ApiError(504, "timeout", t.getMessage(), e.certainlyNotApplied(), new JsonObject());
        } else if (t instanceof LogFullException e) {
            return new ApiError(507, "log-full", t.getMessage(), e.certainlyNotApplied(), new JsonObject());
        } else if (t instanceof NodeStoppedException e) {
            return new ApiError(503, "node-stopped", t.getMessage(), e.certainlyNotApplied(), new JsonObject());
        } else if (t instanceof MembershipRefusedException e) {
            // The core's reason (another change in flight, a learner too far behind, an unknown node...).
            return new ApiError(409, "membership-refused", t.getMessage(), e.certainlyNotApplied(), new JsonObject());
        } else if (t instanceof RaftException e) {
            return new ApiError(503, "raft-error", t.getMessage(), e.certainlyNotApplied(), new JsonObject());
        }
        return new ApiError(500, "internal", String.valueOf(t), false, new JsonObject());
    }

    public String outcome() {
        return certainlyNotApplied ? NOT_APPLIED : UNKNOWN;
    }

    public JsonObject toJson() {
        return new JsonObject().put("error", error).put("message", message).put("outcome", outcome()).mergeIn(extra);
    }
}
