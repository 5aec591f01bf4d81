package io.raftkit.core.fault;

import io.raftkit.api.NodeId;
import java.util.Set;
import java.util.TreeSet;

/**
 * The network faults a {@link FaultInjectingTransport} applies right now: peers this node does not
 * send to, peers whose messages it ignores, and a delay added to every message it sends.
 * A one-way partition is a drop on one side only.
 *
 * <p>Thread-safe: the verifier changes the rules through an admin endpoint while the transport's
 * threads read them. Reads see one consistent version of the rules.
 */
public final class FaultRules {

    /** One immutable version of the rules. */
    public record Snapshot(Set<NodeId> dropTo, Set<NodeId> dropFrom, long delayMillis) {
        public static final Snapshot NONE = new Snapshot(Set.of(), Set.of(), 0);

        public Snapshot {
            dropTo = Set.copyOf(dropTo);
            dropFrom = Set.copyOf(dropFrom);
            if (delayMillis < 0 || delayMillis > 60_000) {
                throw new IllegalArgumentException("delayMillis = " + delayMillis + " is out of range: allowed 0 to 60000");
            }
        }

        public boolean isNone() {
            return dropTo.isEmpty() && dropFrom.isEmpty() && delayMillis == 0;
        }

        @Override
        public String toString() {
            return "dropTo=" + new TreeSet<>(dropTo) + " dropFrom=" + new TreeSet<>(dropFrom) + " delayMillis=" + delayMillis;
        }
    }

    private volatile Snapshot current = Snapshot.NONE;

    public Snapshot current() {
        return current;
    }

    public void set(Snapshot rules) {
        current = rules;
    }

    /** Heals every fault. */
    public void clear() {
        current = Snapshot.NONE;
    }
}
