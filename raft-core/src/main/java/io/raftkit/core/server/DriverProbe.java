package io.raftkit.core.server;

import io.raftkit.core.RaftNode;
import io.raftkit.core.Ready;

/**
 * Instrumentation for simulators and tests: sees the node at the driver's steps, on the loop.
 * It must not change the node (read its state only) and must not block. The default does nothing.
 */
public interface DriverProbe {

    DriverProbe NONE = new DriverProbe() {
    };

    /** The driver took {@code ready} from {@code node} and is about to carry it out. */
    default void readyTaken(RaftNode node, Ready ready) {
    }

    /** A turn of the loop ended: every Ready it produced was handed out. */
    default void turnEnded(RaftNode node) {
    }
}
