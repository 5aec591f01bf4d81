package io.raftkit.api.snapshot;

import io.raftkit.api.SnapshotKind;
import java.io.IOException;

/**
 * A point-in-time view of a state machine, captured on the loop thread by
 * {@link io.raftkit.api.spi.StateMachine#captureSnapshot()} and written afterwards on another
 * thread, so the loop never waits for a snapshot to reach the disk.
 *
 * <p>Capturing must be cheap (an immutable structure's root, a copy-on-write generation, a
 * reference count): it runs between two applies. {@link #writeTo} then runs on the snapshot writer
 * thread while the loop goes on applying: it must read only the captured view, never the live
 * state. {@link #close} releases the view (called once, whether or not {@link #writeTo} ran or
 * succeeded).
 */
public interface StateMachineSnapshot extends AutoCloseable {

    /** Records or bytes: which of the writer's methods {@link #writeTo} calls. */
    SnapshotKind kind();

    /** Writes the captured state; may block on the disk. An exception fails this snapshot only. */
    void writeTo(SnapshotWriter out) throws IOException;

    @Override
    default void close() {
    }
}
