package io.raftkit.core.quorum;

import java.util.Arrays;

/** Majority arithmetic over the voters of one configuration (§5.2, §5.3). */
public final class Majority {

    private Majority() {
    }

    /** The smallest number of voters that forms a majority. */
    public static int size(int voters) {
        return voters / 2 + 1;
    }

    /**
     * The highest index replicated on a majority, given each voter's match index: the value at
     * position {@code quorum - 1} when sorted from highest to lowest.
     */
    public static long committedIndex(long[] matchIndexes) {
        if (matchIndexes.length == 0) {
            throw new IllegalArgumentException("no voters");
        }
        long[] sorted = matchIndexes.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length - size(sorted.length)];
    }

    /** Whether {@code granted} votes out of {@code voters} win. */
    public static boolean isWon(int granted, int voters) {
        return granted >= size(voters);
    }

    /** Whether {@code rejected} votes out of {@code voters} make winning impossible. */
    public static boolean isLost(int rejected, int voters) {
        return voters - rejected < size(voters);
    }
}
