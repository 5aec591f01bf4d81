package io.raftkit.verifier.kv;

import io.raftkit.verifier.model.CasRegisterModel;
import io.raftkit.verifier.spi.Completion;
import io.raftkit.verifier.spi.Model;
import io.raftkit.verifier.spi.Op;
import io.raftkit.verifier.spi.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The KV store's register workload ({@code raft-verifier run --workload register}): reads, writes
 * and compare-and-sets on K independent registers, each starting absent, performed by
 * {@link KvClient} over the store's HTTP API and checked against {@link CasRegisterModel} starting
 * at {@link #ABSENT}.
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
public final class KvRegisterWorkload implements Workload {

    /** The name {@link io.raftkit.verifier.spi.Workloads#named} finds this workload by. */
    public static final String NAME = "kv-register";

    /**
     * A read of a key that does not exist. Recorded as nil, it would be legal in any state (the
     * Knossos reading of nil), and a crash that lost every write of a key could not be seen.
     */
    public static final String ABSENT = "absent";

    private static final Model<?> MODEL = new CasRegisterModel(ABSENT);

    private final int keys;
    private final int opsPerKey;
    private final AtomicLong[] issued;
    private final AtomicLong[] nextValue;
    private final AtomicReferenceArray<String> lastSeen;

    /** The CLI's defaults: 8 keys, 1,000 operations a key (for {@link java.util.ServiceLoader}). */
    public KvRegisterWorkload() {
        this(8, 1000);
    }

    public KvRegisterWorkload(int keys, int opsPerKey) {
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
    public String name() {
        return NAME;
    }

    /** {@code keys} and {@code ops-per-key}, as the CLI's {@code --keys} and {@code --ops-per-key}. */
    @Override
    public KvRegisterWorkload configure(Map<String, String> settings) {
        return new KvRegisterWorkload(setting(settings, "keys", keys), setting(settings, "ops-per-key", opsPerKey));
    }

    private static int setting(Map<String, String> settings, String name, int otherwise) {
        String value = settings.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + value + "'");
        }
    }

    @Override
    public Op next(SplittableRandom random) {
        int slot = random.nextInt(keys);
        long n = issued[slot].getAndIncrement();
        String key = key(slot, n / opsPerKey);
        if (n % opsPerKey == 0) {
            lastSeen.set(slot, ABSENT); // a fresh key starts absent
        }
        return switch (random.nextInt(5)) {
            case 0, 1 -> new Op("read", null, key);
            case 2, 3 -> new Op("write", fresh(slot), key);
            default -> new Op("cas", List.of(expected(slot, random), fresh(slot)), key);
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

    /** What a successful operation showed of its key (the value read, written or swapped in): later CASes expect it. */
    @Override
    public void completed(Op op, Completion completion) {
        if (!(completion instanceof Completion.Ok ok) || op.key() == null || !op.key().startsWith("r")) {
            return;
        }
        Object shown = op.f().equals("cas") ? ((List<?>) op.value()).get(1) : ok.value();
        if (!(shown instanceof String value)) {
            return;
        }
        String key = op.key();
        int dash = key.indexOf('-');
        int slot = Integer.parseInt(key.substring(1, dash));
        long generation = Long.parseLong(key.substring(dash + 1));
        if (generation == issued[slot].get() / opsPerKey) {
            lastSeen.set(slot, value);
        }
    }

    /** One linearizable read of every key any operation used. */
    @Override
    public List<Op> finalOps() {
        List<Op> reads = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            long used = issued[k].get();
            for (long g = 0; g == 0 || g <= (used - 1) / opsPerKey; g++) {
                reads.add(new Op("read", null, key(k, g)));
            }
        }
        return reads;
    }

    @Override
    public Model<?> model() {
        return MODEL;
    }
}
