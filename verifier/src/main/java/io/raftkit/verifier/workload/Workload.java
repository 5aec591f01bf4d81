package io.raftkit.verifier.workload;

import java.util.List;
import java.util.SplittableRandom;

/** What clients do during a run, and what they read at the end. */
public interface Workload {

    /** The next operation of one client; {@code random} is that client's own seeded source. */
    Invocation next(SplittableRandom random);

    /** What a completed operation showed of its key (a value read or written); workloads may use it. */
    default void observe(String key, String value) {
    }

    /** Reads issued after the final heal: they must succeed within the recovery timeout. */
    List<Invocation> finalReads();

    /** The checker model this workload's history is checked against. */
    String model();

    /**
     * The value a read of a missing key records, and the model's initial value. Knossos models take
     * a read of nil as "value unknown", legal in any state, so a workload whose reads must be checked
     * against absence names absence with a real value; null where no read is checked that way.
     */
    default Object absent() {
        return null;
    }

    static Workload named(String name, int keys) {
        return named(name, keys, Integer.MAX_VALUE);
    }

    /** @param opsPerKey the register workload moves each key slot to a fresh key after this many operations */
    static Workload named(String name, int keys, int opsPerKey) {
        return switch (name) {
            case "register" -> new RegisterWorkload(keys, opsPerKey);
            case "set" -> new SetWorkload();
            default -> throw new IllegalArgumentException("unknown workload '" + name + "': choose register or set");
        };
    }
}
