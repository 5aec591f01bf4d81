package io.raftkit.verifier.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Reads, writes and compare-and-sets on K independent registers, each starting absent.
 *
 * <p>Every write and every CAS writes a value never written before on its key (a counter per key),
 * so a read names the one write it saw. That is what keeps the checker decisive: an indeterminate
 * write whose value nobody read can be dropped, and one whose value was read must have happened
 * before that read (raftkit.checker.prune). A CAS expects the value the workload last saw on the key
 * (read, written or swapped in) half the time, so many succeed, else one of the last few written.
 *
 * <p>Each register slot moves to a fresh key after {@code opsPerKey} operations, as
 * jepsen.independent does: the checker's work on a key grows faster than linearly with its history,
 * and fresh keys keep each history short. A key is {@code r<slot>-<generation>}.
 */
public final class RegisterWorkload implements Workload {

    /**
     * A read of a key that does not exist. Recorded as nil, it would be legal in any state (the
     * Knossos reading of nil), and a crash that lost every write of a key could not be seen.
     */
    public static final String ABSENT = "absent";

    private final int keys;
    private final int opsPerKey;
    private final AtomicLong[] issued;
    private final AtomicLong[] nextValue;
    private final AtomicReferenceArray<String> lastSeen;

    public RegisterWorkload(int keys, int opsPerKey) {
        if (keys < 1) {
            throw new IllegalArgumentException("--keys must be at least 1, was " + keys);
        }
        if (opsPerKey < 1) {
            throw new IllegalArgumentException("--ops-per-key must be at least 1, was " + opsPerKey);
        }
        this.keys = keys;
        this.opsPerKey = opsPerKey;
        this.issued = new AtomicLong[keys];
        this.nextValue = new AtomicLong[keys];
        this.lastSeen = new AtomicReferenceArray<>(keys);
        for (int k = 0; k < keys; k++) {
            issued[k] = new AtomicLong();
            nextValue[k] = new AtomicLong();
        }
    }

    @Override
    public Invocation next(SplittableRandom random) {
        int slot = random.nextInt(keys);
        long n = issued[slot].getAndIncrement();
        String key = key(slot, n / opsPerKey);
        if (n % opsPerKey == 0) {
            lastSeen.set(slot, ABSENT); // a fresh key starts absent
        }
        return switch (random.nextInt(5)) {
            case 0, 1 -> new Invocation("read", key, null);
            case 2, 3 -> new Invocation("write", key, fresh(slot));
            default -> new Invocation("cas", key, List.of(expected(slot, random), fresh(slot)));
        };
    }

    private static String key(int slot, long generation) {
        return "r" + slot + "-" + generation;
    }

    private String fresh(int slot) {
        return Long.toString(nextValue[slot].getAndIncrement());
    }

    private String expected(int slot, SplittableRandom random) {
        String seen = lastSeen.get(slot);
        long written = nextValue[slot].get();
        if (seen != null && (random.nextBoolean() || written == 0)) {
            return seen;
        }
        return written == 0 ? ABSENT : Long.toString(Math.max(0, written - 1 - random.nextInt(3)));
    }

    /** What a completed operation showed of its key: later CASes expect it. */
    @Override
    public void observe(String key, String value) {
        if (value == null || !key.startsWith("r")) {
            return;
        }
        int dash = key.indexOf('-');
        int slot = Integer.parseInt(key.substring(1, dash));
        long generation = Long.parseLong(key.substring(dash + 1));
        if (generation == issued[slot].get() / opsPerKey) {
            lastSeen.set(slot, value);
        }
    }

    /** One linearizable read of every key any operation used. */
    @Override
    public List<Invocation> finalReads() {
        List<Invocation> reads = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            long used = issued[k].get();
            for (long g = 0; g == 0 || g <= (used - 1) / opsPerKey; g++) {
                reads.add(new Invocation("read", key(k, g), null));
            }
        }
        return reads;
    }

    @Override
    public String model() {
        return "cas-register";
    }

    @Override
    public Object absent() {
        return ABSENT;
    }
}
