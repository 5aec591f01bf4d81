package io.raftkit.api.spi;

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
     * for itself (a new leader's no-op). There are no snapshots yet, so a state machine starts empty
     * and is given every committed command again from the first after each restart. The node owns
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

    /** Writes a snapshot of the state as of the last applied index. Declared for log compaction. */
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
