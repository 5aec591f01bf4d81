package io.raftkit.verifier.spi;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a verification run does: the operations its clients invoke, and the {@link Model} their
 * history is checked against. Found by name with {@link Workloads#named}, through
 * {@code META-INF/services/io.raftkit.verifier.spi.Workload} (a public no-argument constructor).
 *
 * <p>Threads: {@link #next} is called from every client process's thread; each gets its own seeded
 * random source, and a workload that keeps a counter (unique values) must make it thread-safe.
 */
public interface Workload {

    /** The name {@link Workloads#named} finds this workload by. */
    String name();

    /**
     * This workload with a run's settings applied, such as the CLI's {@code --keys 8} and
     * {@code --ops-per-key 1000} as {@code "keys" -> "8"} and {@code "ops-per-key" -> "1000"}. A
     * workload reads the settings it knows, refuses a bad value with an
     * {@link IllegalArgumentException} naming it, and ignores the rest. Itself by default.
     */
    default Workload configure(Map<String, String> settings) {
        return this;
    }

    /** The next operation for one client process; {@code random} is that process's own seeded source. */
    Op next(SplittableRandom random);

    /** The model the history is checked against. */
    Model<?> model();

    /**
     * How one of {@link #next}'s operations ended, called from the client process's thread after it
     * is recorded. A workload may use it to pick later operations (a compare-and-set that expects the
     * value last seen, so that many succeed). Nothing by default.
     */
    default void completed(Op op, Completion completion) {
    }

    /**
     * Operations invoked after every fault is healed, which must succeed within the recovery time (a
     * cluster that never serves again is a failure of its own). None by default.
     */
    default List<Op> finalOps() {
        return List.of();
    }
}
