package io.raftkit.api.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated service. Every peer applies the same commands in the same order, so the
 * implementation must be deterministic: no clocks, no randomness, no iteration over hash order.
 * A time a command needs (a lease, a session expiry) travels inside the command.
 *
 * <p>Threads: called from one thread at a time, the node's apply thread. {@link #apply} may be slow
 * but should not block on the network. An exception from {@link #apply} is a bug in the state
 * machine: the node stops rather than let replicas diverge.
 */
public interface StateMachine extends AutoCloseable {

    /**
     * Applies one committed command and returns its result, which completes the proposer's future
     * on the leader. Called exactly once per index, in index order.
     */
    byte[] apply(long index, byte[] command);

    /**
     * Answers a read-only query against the current state. The node calls it only after the
     * linearizable read barrier (ReadIndex, thesis §6.4) unless the caller asked for a stale read.
     * Must not change state.
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

    @Override
    default void close() {
    }
}
