package io.raftkit.api.spi;

import io.raftkit.api.snapshot.SnapshotReader;
import io.raftkit.api.snapshot.StateMachineSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated service. Every peer applies the same commands in the same order, so the
 * implementation must be deterministic: no clocks, no randomness, no iteration over hash order.
 * A time a command needs (a lease, a session expiry) travels inside the command.
 *
 * <p>Threads: called from one thread at a time, the node's loop thread. {@link #apply} may be slow
 * but should not block on the network. An exception from {@link #apply} is a bug in the state
 * machine: the node stops rather than let replicas diverge. Every replica applies the same entry, so
 * every one stops there, and after a restart each stops at that entry again until the state
 * machine is fixed. An exception from {@link #query} fails only that read.
 */
public interface StateMachine extends AutoCloseable {

    /**
     * Applies one committed command and returns its result (may be null), which completes the
     * proposer's future on the node the command was proposed to; elsewhere the result is dropped.
     * Called once per command entry, in increasing index order; indexes skip the entries Raft writes
     * for itself (a new leader's no-op). A state machine starts empty, or from the newest snapshot
     * ({@link #restoreSnapshot}), and is given every committed command after it again after each restart. The node owns
     * {@code command}: read it, do not keep or change it.
     */
    byte[] apply(long index, byte[] command);

    /**
     * Answers a read-only query against the current state, on the loop thread like {@link #apply}.
     * The node calls it for {@code RaftServer.read} only after the linearizable read barrier
     * (ReadIndex, thesis §6.4), and at once for {@code readStale}. Must not change state; an
     * exception fails that read alone.
     */
    byte[] query(byte[] query);

    /**
     * Phase one of a snapshot: captures a point-in-time view of the state as of the last applied
     * index, on the loop thread, between two applies. Must be cheap (an immutable structure, a
     * copy-on-write generation): the loop waits for it. The driver writes the view into a
     * {@link SnapshotStore} on another thread ({@link StateMachineSnapshot#writeTo}) while applies
     * go on. The default says this state machine takes no snapshots: its log is never compacted.
     */
    default StateMachineSnapshot captureSnapshot() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support snapshots");
    }

    /** Whether {@link #captureSnapshot} and {@link #restoreSnapshot} work. */
    default boolean supportsSnapshots() {
        return false;
    }

    /**
     * Replaces the whole state with a snapshot's, on the loop thread, before any apply of an entry
     * after {@code snapshot.meta().lastIncludedIndex()}. Reads records one at a time (or the bytes as
     * a stream): the snapshot need not fit in the heap twice. An {@link IOException} leaves the
     * state undefined: the node stops.
     */
    default void restoreSnapshot(SnapshotReader snapshot) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support snapshots");
    }

    /**
     * Writes the whole state as one stream. Superseded by {@link #captureSnapshot}, which does not
     * stall the loop; kept while state machines move over.
     */
    default void snapshot(OutputStream out) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support snapshots");
    }

    /** Replaces the state with a snapshot written by {@link #snapshot}. */
    default void restore(InputStream in) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support snapshots");
    }

    /** Called once when the server closes, after the last apply. */
    @Override
    default void close() {
    }
}
