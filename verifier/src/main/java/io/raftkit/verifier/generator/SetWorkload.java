package io.raftkit.verifier.generator;

import io.raftkit.verifier.model.SetModel;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adds of unique values and reads of the whole set, checked against {@link SetModel} (every read,
 * not only a final one); a client answers a read with a list of the elements. Reads grow with the
 * run: meant for short runs.
 */
public final class SetWorkload implements Workload {

    private static final Model<?> MODEL = new SetModel();
    private final AtomicLong next = new AtomicLong();

    @Override
    public String name() {
        return "set";
    }

    @Override
    public Op next(SplittableRandom random) {
        return random.nextInt(4) == 0 ? new Op("read", null) : new Op("add", next.getAndIncrement());
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
