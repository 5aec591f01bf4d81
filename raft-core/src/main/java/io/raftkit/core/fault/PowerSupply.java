package io.raftkit.core.fault;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The power of one simulated machine, shared by the fault-injecting stores of one node (found by
 * the node's data directory), so that a crash cuts every durable write at one instant. Without it a
 * power loss of the log store left the node's other writers running until the process ended: in a
 * verifier run a snapshot whose write began before the crash became durable tens of milliseconds
 * after it, carried the entries the crash had dropped from the log, and hid the planted
 * acknowledge-before-fsync bug (CI of 2026-12-05, seed 99: snapshot 2989 committed on two nodes
 * after their log stores had lost everything past index 2451).
 *
 * <p>A write that makes data durable runs under {@link #durably}: before the cut it completes and
 * the cut waits for it (the power went just after), after the cut it is refused. A cut supply stays
 * cut; the next store opened for the same directory (the restart) gets a fresh one.
 */
public final class PowerSupply {

    private static final ConcurrentHashMap<Path, PowerSupply> BY_DATA_DIR = new ConcurrentHashMap<>();

    private final Path dataDir;
    /** Written under this object's lock, read without it (a status never waits for a write). */
    private volatile boolean on = true;

    private PowerSupply(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The supply of the node whose data directory this is; null for a private one (tests). */
    public static PowerSupply of(Path dataDir) {
        if (dataDir == null) {
            return new PowerSupply(null);
        }
        return BY_DATA_DIR.computeIfAbsent(dataDir.toAbsolutePath().normalize(), PowerSupply::new);
    }

    /** A durable write, if the power is on; otherwise an {@link IOException} saying it is off. */
    public synchronized <T> T durably(String what, DurableWrite<T> write) throws IOException {
        if (!on) {
            throw new IOException(what + " refused: the power of " + (dataDir == null ? "this node" : dataDir)
                    + " is off (a simulated power loss); the process must end");
        }
        return write.run();
    }

    /** Turns the power off: waits for a durable write under way, refuses every later one. */
    public synchronized void cut() {
        on = false;
        if (dataDir != null) {
            BY_DATA_DIR.remove(dataDir, this);
        }
    }

    public boolean isOn() {
        return on;
    }

    /** A write that ends durable. */
    @FunctionalInterface
    public interface DurableWrite<T> {
        T run() throws IOException;
    }
}
