package io.raftkit.verifier.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reads, writes and compare-and-sets on K independent keys, each a register that starts absent.
 * Values are small integers so compare-and-sets often succeed, which is what exercises the model.
 */
public final class RegisterWorkload implements Workload {

    /**
     * A read of a key that does not exist. Recorded as nil, it would be legal in any state (the
     * Knossos reading of nil), and a crash that lost every write of a key could not be seen.
     */
    public static final String ABSENT = "absent";

    private final int keys;

    public RegisterWorkload(int keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("--keys must be at least 1, was " + keys);
        }
        this.keys = keys;
    }

    @Override
    public Invocation next(SplittableRandom random) {
        String key = "r" + random.nextInt(keys);
        return switch (random.nextInt(5)) {
            case 0, 1 -> new Invocation("read", key, null);
            case 2, 3 -> new Invocation("write", key, Integer.toString(random.nextInt(5)));
            default -> new Invocation("cas", key,
                    List.of(Integer.toString(random.nextInt(5)), Integer.toString(random.nextInt(5))));
        };
    }

    /** One linearizable read of every key. */
    @Override
    public List<Invocation> finalReads() {
        List<Invocation> reads = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            reads.add(new Invocation("read", "r" + k, null));
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
