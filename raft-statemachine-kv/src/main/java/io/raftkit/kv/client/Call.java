package io.raftkit.kv.client;

import io.raftkit.kv.KvValue;
import io.raftkit.kv.wire.WireOp;
import java.util.concurrent.CompletableFuture;

/**
 * One logical request, from the caller's call to its final answer, across its attempts. Owned by
 * the client's event loop once submitted.
 */
final class Call {

    /** A client session (thesis §6.3): orders one request at a time, so each concurrent write borrows its own. */
    static final class Session {
        final long clientId;
        long nextSequence = 1;
        boolean expired;

        Session(long clientId) {
            this.clientId = clientId;
        }
    }

    final WireOp op;
    final String key;
    final KvValue expected;
    final KvValue value;
    /** {@code GET /v1/status}: not a KV operation. */
    final boolean status;
    final CompletableFuture<KvResponse> future = new CompletableFuture<>();
    final long startNanos;
    Session session;
    long sequence;
    int tries;
    /** Whether the leader was searched for this call: without a leader it then goes to an endpoint. */
    boolean searched;
    /** Whether every attempt so far certainly did not apply (refused before proposing, or never sent). */
    boolean notAppliedSoFar = true;
    // The attempt in progress.
    Object channel;
    int attemptId;
    long attemptDeadlineNanos;
    long sentNanos;
    String target;

    Call(WireOp op, String key, KvValue expected, KvValue value, boolean status, long startNanos) {
        this.op = op;
        this.key = key;
        this.expected = expected;
        this.value = value;
        this.status = status;
        this.startNanos = startNanos;
    }

    boolean isWrite() {
        return op != null && op.isWrite();
    }

    String describe() {
        return status ? "GET /v1/status" : op.label() + " '" + key + "'";
    }
}
