package io.raftkit.verifier.workload;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique adds, then one final read of everything: catches acknowledged writes that were lost (a
 * crash that forgot a durable entry) and values that appear from nowhere. Element {@code x} is
 * stored as key {@code s<x>}, so the store needs no set type.
 */
public final class SetWorkload implements Workload {

    private final AtomicLong next = new AtomicLong();

    @Override
    public Invocation next(SplittableRandom random) {
        return new Invocation("add", "set", Long.toString(next.getAndIncrement()));
    }

    /** How many elements were attempted: the final read looks for each of them. */
    public long attempted() {
        return next.get();
    }

    @Override
    public List<Invocation> finalReads() {
        return List.of(new Invocation("read", "set", null));
    }

    @Override
    public String model() {
        return "set";
    }
}
