package io.raftkit.core.quorum;

import io.raftkit.api.NodeId;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** A majority of the voters of one configuration (§5.2, §5.3). */
public record Majority(Set<NodeId> voters) implements Quorum {

    public Majority {
        voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a majority of no voters");
        }
    }

    @Override
    public long committedIndex(ToLongFunction<NodeId> acked) {
        long[] values = new long[voters.size()];
        int i = 0;
        for (NodeId voter : voters) {
            values[i++] = acked.applyAsLong(voter);
        }
        return committedIndex(values);
    }

    @Override
    public VoteResult voteResult(Function<NodeId, Boolean> vote) {
        int granted = 0;
        int rejected = 0;
        for (NodeId voter : voters) {
            Boolean v = vote.apply(voter);
            if (Boolean.TRUE.equals(v)) {
                granted++;
            } else if (Boolean.FALSE.equals(v)) {
                rejected++;
            }
        }
        if (isWon(granted, voters.size())) {
            return VoteResult.WON;
        }
        return isLost(rejected, voters.size()) ? VoteResult.LOST : VoteResult.PENDING;
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
