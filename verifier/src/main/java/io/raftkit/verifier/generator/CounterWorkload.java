package io.raftkit.verifier.generator;

import io.raftkit.verifier.model.CounterModel;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Adds of 1 to 9 and reads, half each, checked against {@link CounterModel}; one final read. Adds
 * of different sizes make a read's sum say more about which adds it saw than adds of 1 would.
 * A client maps {@code add n} to a command that adds n and returns, and {@code read} to a query
 * that returns the sum as a Long.
 */
public final class CounterWorkload implements Workload {

    private static final Model<?> MODEL = new CounterModel();

    @Override
    public String name() {
        return "counter";
    }

    @Override
    public Op next(SplittableRandom random) {
        return random.nextBoolean() ? new Op("add", (long) (1 + random.nextInt(9))) : new Op("read", null);
    }

    @Override
    public Model<?> model() {
        return MODEL;
    }

    @Override
    public List<Op> finalOps() {
        return List.of(new Op("read", null));
    }
}
