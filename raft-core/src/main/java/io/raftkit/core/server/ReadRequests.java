package io.raftkit.core.server;

import io.raftkit.core.ReadFailure;
import io.raftkit.core.ReadState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The driver's side of linearizable reads (ReadIndex, thesis §6.4): a read waits for the node to
 * confirm its read index (or fail it), then for the state machine to apply that index, and is
 * answered then. Loop thread only; the node runs the read rounds, this only keeps the futures and
 * the counters {@code RaftStatus} publishes.
 */
final class ReadRequests {

    private static final class PendingRead {
        final byte[] query;
        final CompletableFuture<byte[]> future;
        final long registeredNanos;
        final long deadlineNanos;
        long readIndex = -1;

        PendingRead(byte[] query, CompletableFuture<byte[]> future, long registeredNanos, long deadlineNanos) {
            this.query = query;
            this.future = future;
            this.registeredNanos = registeredNanos;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final Map<Long, PendingRead> awaitingIndex = new HashMap<>();
    private final List<PendingRead> awaitingApply = new ArrayList<>();
    /**
     * Read ids must differ from any an earlier incarnation of this node used: the answer to a read
     * it forwarded before a crash can arrive after the restart, and matched to a new read with the
     * same id it would confirm that read at an old read index (found by the simulator, seed 43).
     * So the caller starts them at a random point of the 63-bit space.
     */
    private long nextId;
    private long registered;
    private long confirmed;
    /** Summed time from registering a read to its round's quorum: what ReadIndex costs. */
    private long confirmNanos;

    ReadRequests(long firstId) {
        this.nextId = firstId;
    }

    /** Holds a read until its deadline; returns the id the node is to confirm it under. */
    long register(byte[] query, CompletableFuture<byte[]> future, long nowNanos, long deadlineNanos) {
        long id = nextId++;
        registered++;
        awaitingIndex.put(id, new PendingRead(query, future, nowNanos, deadlineNanos));
        return id;
    }

    /** The node confirmed the read index of these reads: they wait for the apply to reach it. */
    void confirmed(List<ReadState> states, long nowNanos) {
        for (ReadState rs : states) {
            PendingRead read = awaitingIndex.remove(rs.requestId());
            if (read != null) {
                read.readIndex = rs.readIndex();
                confirmed++;
                confirmNanos += nowNanos - read.registeredNanos;
                awaitingApply.add(read);
            }
        }
    }

    /** The node could not serve these reads (not the leader, or lost leadership during the round). */
    void failed(List<ReadFailure> failures) {
        for (ReadFailure rf : failures) {
            PendingRead read = awaitingIndex.remove(rf.requestId());
            if (read != null) {
                read.future.completeExceptionally(new NotLeaderException(rf.leaderHint()));
            }
        }
    }

    /** Answers every confirmed read whose read index the state machine has applied. */
    void serve(long appliedIndex, BiConsumer<CompletableFuture<byte[]>, byte[]> answer) {
        for (Iterator<PendingRead> it = awaitingApply.iterator(); it.hasNext(); ) {
            PendingRead read = it.next();
            if (read.readIndex <= appliedIndex) {
                it.remove();
                answer.accept(read.future, read.query);
            }
        }
    }

    /** Fails the reads past their deadline, confirmed or not, with {@code timeout}. */
    void expire(long nowNanos, Supplier<? extends Throwable> timeout) {
        expire(awaitingIndex.values().iterator(), nowNanos, timeout);
        expire(awaitingApply.iterator(), nowNanos, timeout);
    }

    private static void expire(Iterator<PendingRead> it, long nowNanos, Supplier<? extends Throwable> timeout) {
        while (it.hasNext()) {
            PendingRead r = it.next();
            if (nowNanos - r.deadlineNanos > 0) {
                it.remove();
                r.future.completeExceptionally(timeout.get());
            }
        }
    }

    /** Fails every read held (the node stopped). */
    void failAll(Supplier<? extends Throwable> cause) {
        for (PendingRead r : awaitingIndex.values()) {
            r.future.completeExceptionally(cause.get());
        }
        awaitingIndex.clear();
        for (PendingRead r : awaitingApply) {
            r.future.completeExceptionally(cause.get());
        }
        awaitingApply.clear();
    }

    long registered() {
        return registered;
    }

    long confirmed() {
        return confirmed;
    }

    long confirmNanos() {
        return confirmNanos;
    }
}
