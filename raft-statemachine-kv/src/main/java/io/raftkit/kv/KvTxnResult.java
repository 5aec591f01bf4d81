package io.raftkit.kv;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a transaction answered.
 *
 * @param status   OK when every guard held and every operation applied; GUARD_FAILED, NOT_A_LIST or
 *                 LIST_TOO_LARGE when nothing was applied; or a session verdict (STALE_SEQUENCE,
 *                 SEQUENCE_REUSED, SESSION_EXPIRED, MALFORMED)
 * @param failedAt for GUARD_FAILED the position of the first guard that did not hold, for NOT_A_LIST
 *                 and LIST_TOO_LARGE the position of the operation that could not apply
 * @param results  when OK and applied now, one per operation in order: the key as the operation left
 *                 it (a GET: as read; a DELETE: the version deleted, or NOT_FOUND); empty otherwise
 * @param index    the log index that applied the transaction (for a duplicate: the first application's)
 * @param origin   {@link KvResult.Origin#DUPLICATE_VALUE_FORGOTTEN} for a retry of an applied
 *                 transaction: the session keeps its status and index, not what it read
 */
public record KvTxnResult(KvResult.Status status, OptionalInt failedAt, List<KvResult> results, long index,
                          KvResult.Origin origin) {

    public KvTxnResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failedAt, "failedAt");
        results = List.copyOf(results);
        Objects.requireNonNull(origin, "origin");
    }

    static KvTxnResult refused(KvResult.Status status, long index) {
        return new KvTxnResult(status, OptionalInt.empty(), List.of(), index, KvResult.Origin.APPLIED);
    }

    static KvTxnResult failed(KvResult.Status status, int at, long index) {
        return new KvTxnResult(status, OptionalInt.of(at), List.of(), index, KvResult.Origin.APPLIED);
    }

    public boolean duplicate() {
        return origin != KvResult.Origin.APPLIED;
    }

    /** Whether the operations were applied (now or, for a duplicate, the first time). */
    public boolean succeeded() {
        return status == KvResult.Status.OK;
    }
}
