package io.raftkit.verifier.kv;

import io.raftkit.verifier.model.SetModel;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The KV store's set workload ({@code raft-verifier run --workload set}): unique adds, then one
 * final read of everything, which catches acknowledged writes that were lost (a crash that forgot a
 * durable entry) and values that appear from nowhere. {@link KvClient} stores element {@code x} as
 * key {@code s<x>}, so the store needs no set type, and answers the read of {@link #KEY} by reading
 * every element {@link #attempted}. Its model is named {@code set}, which the checker runs as its
 * built-in set checker.
 */
public final class KvSetWorkload implements Workload {

    public static final String NAME = "kv-set";
    /** The key every operation of this workload is recorded on. */
    public static final String KEY = "set";

    private static final Model<?> MODEL = new SetModel();
    private final AtomicLong next = new AtomicLong();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Op next(SplittableRandom random) {
        return new Op("add", Long.toString(next.getAndIncrement()), KEY);
    }

    /** How many elements were attempted: the final read looks for each of them. */
    public long attempted() {
        return next.get();
    }

    @Override
    public List<Op> finalOps() {
        return List.of(new Op("read", null, KEY));
    }

    @Override
    public Model<?> model() {
        return MODEL;
    }
}
