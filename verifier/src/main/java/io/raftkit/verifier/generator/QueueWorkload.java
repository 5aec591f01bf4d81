package io.raftkit.verifier.generator;

import io.raftkit.verifier.model.QueueModel;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Enqueues of unique values and dequeues, half each, checked against {@link QueueModel}; a client
 * answers a dequeue with {@code [x]}, or {@code []} when the queue is empty.
 */
public final class QueueWorkload implements Workload {

    private static final Model<?> MODEL = new QueueModel();
    private final AtomicLong next = new AtomicLong();

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public Op next(SplittableRandom random) {
        return random.nextBoolean() ? new Op("enqueue", next.getAndIncrement()) : new Op("dequeue", null);
    }

    @Override
    public Model<?> model() {
        return MODEL;
    }

    @Override
    public List<Op> finalOps() {
        return List.of(new Op("dequeue", null));
    }
}
