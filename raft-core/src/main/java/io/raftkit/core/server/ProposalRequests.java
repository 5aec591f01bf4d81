package io.raftkit.core.server;

import io.raftkit.api.EntryKind;
import io.raftkit.api.LogEntry;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The driver's side of proposals: a command the node appended at an index of its term waits there
 * until that index is applied. Loop thread only. The entry applied at the index decides the
 * outcome: the same term means it is this command (Log Matching, §5.3); another term means a new
 * leader overwrote it, so the command was certainly not applied.
 */
final class ProposalRequests {

    private record Pending(long term, CompletableFuture<byte[]> future, long deadlineNanos) {
    }

    private final Map<Long, Pending> byIndex = new HashMap<>();
    private long accepted;

    /** The node appended the command at {@code index} of {@code term}. */
    void accepted(long index, long term, CompletableFuture<byte[]> future, long deadlineNanos) {
        accepted++;
        byIndex.put(index, new Pending(term, future, deadlineNanos));
    }

    /** {@code entry} was applied with {@code result} (null for entries that are not commands). */
    void applied(LogEntry entry, byte[] result) {
        Pending pending = byIndex.remove(entry.index());
        if (pending == null) {
            return;
        }
        if (pending.term() == entry.term() && entry.kind() == EntryKind.COMMAND) {
            pending.future().complete(result);
        } else {
            pending.future().completeExceptionally(new ProposalDroppedException(entry.index(), pending.term()));
        }
    }

    /** Fails the proposals past their deadline with {@code timeout}: applied or not, nobody knows. */
    void expire(long nowNanos, Supplier<? extends Throwable> timeout) {
        for (Iterator<Pending> it = byIndex.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowNanos - p.deadlineNanos() > 0) {
                it.remove();
                p.future().completeExceptionally(timeout.get());
            }
        }
    }

    /** Fails every proposal held (the node stopped). */
    void failAll(Supplier<? extends Throwable> cause) {
        for (Pending p : byIndex.values()) {
            p.future().completeExceptionally(cause.get());
        }
        byIndex.clear();
    }

    /** Proposals the node accepted since this server started. */
    long accepted() {
        return accepted;
    }
}
