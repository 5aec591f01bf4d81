package io.raftkit.verifier.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Jepsen's list-append workload: transactions of 1 to 4 micro-ops, each {@code ["append", k, v]} or
 * {@code ["r", k, nil]}, over {@code keys} active keys. Values appended to a key are 1, 2, 3, ...
 * (unique per key, which the checker's version-order inference needs). A key retires after
 * {@code appendsPerKey} appends and its slot moves to a fresh key, so lists, and the work of reading
 * and checking them, stay short. Shared by the client threads.
 */
public final class ListAppendWorkload {

    /** Micro-ops in one transaction at most. */
    public static final int MAX_MOPS = 4;
    /** Keys in one final read transaction (the store takes up to 64 operations). */
    static final int FINAL_READ_BATCH = 16;

    private final String prefix;
    private final int keys;
    private final int appendsPerKey;
    private final long[] generation;
    private final long[] appended;
    private final List<String> used = new ArrayList<>();

    public ListAppendWorkload(int keys, int appendsPerKey) {
        this("la", keys, appendsPerKey);
    }

    /** @param prefix begins every key's name: runs against one cluster with different prefixes share no key */
    public ListAppendWorkload(String prefix, int keys, int appendsPerKey) {
        if (keys < 1) {
            throw new IllegalArgumentException("--keys must be at least 1, was " + keys);
        }
        if (appendsPerKey < 1) {
            throw new IllegalArgumentException("--appends-per-key must be at least 1, was " + appendsPerKey);
        }
        this.prefix = prefix;
        this.keys = keys;
        this.appendsPerKey = appendsPerKey;
        this.generation = new long[keys];
        this.appended = new long[keys];
        for (int slot = 0; slot < keys; slot++) {
            used.add(key(slot));
        }
    }

    /** The next transaction of one client; {@code random} is that client's own seeded source. */
    public synchronized List<List<Object>> next(SplittableRandom random) {
        int n = 1 + random.nextInt(MAX_MOPS);
        List<List<Object>> mops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int slot = random.nextInt(keys);
            String key = key(slot);
            if (random.nextBoolean()) {
                mops.add(Arrays.asList("r", key, null));
            } else {
                mops.add(Arrays.asList("append", key, ++appended[slot]));
                if (appended[slot] == appendsPerKey) {
                    generation[slot]++;
                    appended[slot] = 0;
                    used.add(key(slot));
                }
            }
        }
        return mops;
    }

    private String key(int slot) {
        return prefix + slot + "-" + generation[slot];
    }

    /** Read-only transactions covering every key any transaction used, for after the final heal. */
    public synchronized List<List<List<Object>>> finalReads() {
        List<List<List<Object>>> txns = new ArrayList<>();
        for (int from = 0; from < used.size(); from += FINAL_READ_BATCH) {
            List<List<Object>> txn = new ArrayList<>();
            for (String key : used.subList(from, Math.min(used.size(), from + FINAL_READ_BATCH))) {
                txn.add(Arrays.asList("r", key, null));
            }
            txns.add(txn);
        }
        return txns;
    }

    /** Whether every micro-op of {@code mops} is a read. */
    public static boolean readOnly(List<List<Object>> mops) {
        return mops.stream().allMatch(m -> m.get(0).equals("r"));
    }
}
