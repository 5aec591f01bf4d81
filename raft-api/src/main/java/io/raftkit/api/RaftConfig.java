package io.raftkit.api;

/**
 * Timing and flow-control settings of one Raft peer. Time inside the protocol is counted in ticks;
 * the driver turns one tick into {@code tickMillis} of wall time.
 *
 * <p>Every field is checked at construction; a bad value is rejected with a message that names the
 * field, its value and the allowed range, so a typo in a config file never reaches a running node.
 *
 * @param tickMillis                wall-clock length of one tick, used only by the driver
 * @param electionTimeoutMinTicks   lower bound of the randomized election timeout (§5.2)
 * @param electionTimeoutMaxTicks   upper bound (exclusive) of the randomized election timeout
 * @param heartbeatIntervalTicks    how often a leader sends AppendEntries to an idle follower
 * @param maxEntriesPerAppend       most entries in one AppendEntries
 * @param maxBytesPerAppend         most payload bytes in one AppendEntries (one entry is always allowed)
 * @param maxInflightAppends        AppendEntries sent to one follower and not yet answered (pipelining)
 * @param preVote                   run a PreVote round before a real election (thesis §9.6)
 * @param checkQuorum               a leader that has not heard from a quorum for an election timeout steps down
 * @param maxPromotionLagEntries    a membership change that makes a node a voter is refused while that node's
 *                                  log is more than this many entries behind the leader's: a voter that must
 *                                  first catch up leaves the cluster less available (thesis §4.2.1)
 * @param logCacheEntries           most durable, applied entries the in-memory log keeps as a cache for followers
 *                                  that lag a little; older ones are read back from the LogStore when needed
 * @param logCacheBytes             most payload bytes of that cache (one entry above the limit may stay)
 */
public record RaftConfig(
        int tickMillis,
        int electionTimeoutMinTicks,
        int electionTimeoutMaxTicks,
        int heartbeatIntervalTicks,
        int maxEntriesPerAppend,
        int maxBytesPerAppend,
        int maxInflightAppends,
        boolean preVote,
        boolean checkQuorum,
        long maxPromotionLagEntries,
        int logCacheEntries,
        long logCacheBytes) {

    public RaftConfig {
        requireRange("tickMillis", tickMillis, 1, 60_000);
        requireRange("electionTimeoutMinTicks", electionTimeoutMinTicks, 2, 1_000_000);
        requireRange("electionTimeoutMaxTicks", electionTimeoutMaxTicks, electionTimeoutMinTicks + 1, 2_000_000);
        requireRange("heartbeatIntervalTicks", heartbeatIntervalTicks, 1, electionTimeoutMinTicks - 1);
        requireRange("maxEntriesPerAppend", maxEntriesPerAppend, 1, 1_000_000);
        requireRange("maxBytesPerAppend", maxBytesPerAppend, 1, 256 * 1024 * 1024);
        requireRange("maxInflightAppends", maxInflightAppends, 1, 10_000);
        requireRange("maxPromotionLagEntries", maxPromotionLagEntries, 0, Long.MAX_VALUE);
        requireRange("logCacheEntries", logCacheEntries, 0, 100_000_000);
        requireRange("logCacheBytes", logCacheBytes, 0, Long.MAX_VALUE);
    }

    /** The settings of releases before the log cache existed: the default cache. */
    public RaftConfig(int tickMillis, int electionTimeoutMinTicks, int electionTimeoutMaxTicks, int heartbeatIntervalTicks,
                      int maxEntriesPerAppend, int maxBytesPerAppend, int maxInflightAppends, boolean preVote,
                      boolean checkQuorum, long maxPromotionLagEntries) {
        this(tickMillis, electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatIntervalTicks, maxEntriesPerAppend,
                maxBytesPerAppend, maxInflightAppends, preVote, checkQuorum, maxPromotionLagEntries,
                Builder.DEFAULT_LOG_CACHE_ENTRIES, Builder.DEFAULT_LOG_CACHE_BYTES);
    }

    /** The settings of releases before membership changes existed: the default promotion lag. */
    public RaftConfig(int tickMillis, int electionTimeoutMinTicks, int electionTimeoutMaxTicks, int heartbeatIntervalTicks,
                      int maxEntriesPerAppend, int maxBytesPerAppend, int maxInflightAppends, boolean preVote,
                      boolean checkQuorum) {
        this(tickMillis, electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatIntervalTicks, maxEntriesPerAppend,
                maxBytesPerAppend, maxInflightAppends, preVote, checkQuorum, Builder.DEFAULT_MAX_PROMOTION_LAG_ENTRIES);
    }

    /** Defaults for a LAN: 10 ms ticks, elections after 150 to 300 ms, heartbeats every 30 ms. */
    public static RaftConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .tickMillis(tickMillis)
                .electionTimeoutTicks(electionTimeoutMinTicks, electionTimeoutMaxTicks)
                .heartbeatIntervalTicks(heartbeatIntervalTicks)
                .maxEntriesPerAppend(maxEntriesPerAppend)
                .maxBytesPerAppend(maxBytesPerAppend)
                .maxInflightAppends(maxInflightAppends)
                .preVote(preVote)
                .checkQuorum(checkQuorum)
                .maxPromotionLagEntries(maxPromotionLagEntries)
                .logCache(logCacheEntries, logCacheBytes);
    }

    private static void requireRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    field + " = " + value + " is out of range: allowed " + min + " to " + max);
        }
    }

    /** A mutable builder; {@link #build()} validates. */
    public static final class Builder {
        /** About a second of writes at a few thousand a second: a learner this close catches up at once. */
        static final long DEFAULT_MAX_PROMOTION_LAG_ENTRIES = 1_000;
        private int tickMillis = 10;
        private int electionTimeoutMinTicks = 15;
        private int electionTimeoutMaxTicks = 30;
        private int heartbeatIntervalTicks = 3;
        private int maxEntriesPerAppend = 1024;
        private int maxBytesPerAppend = 1024 * 1024;
        private int maxInflightAppends = 8;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        /**
         * Several seconds of writes at a few thousand a second, and the size of one full AppendEntries
         * eight times over: a follower that lags that little is served from memory.
         */
        static final int DEFAULT_LOG_CACHE_ENTRIES = 8_192;
        static final long DEFAULT_LOG_CACHE_BYTES = 8L * 1024 * 1024;
        private long maxPromotionLagEntries = DEFAULT_MAX_PROMOTION_LAG_ENTRIES;
        private int logCacheEntries = DEFAULT_LOG_CACHE_ENTRIES;
        private long logCacheBytes = DEFAULT_LOG_CACHE_BYTES;

        private Builder() {
        }

        public Builder tickMillis(int value) {
            tickMillis = value;
            return this;
        }

        /** Election timeouts are drawn uniformly from {@code [min, max)} ticks. */
        public Builder electionTimeoutTicks(int min, int max) {
            electionTimeoutMinTicks = min;
            electionTimeoutMaxTicks = max;
            return this;
        }

        public Builder heartbeatIntervalTicks(int value) {
            heartbeatIntervalTicks = value;
            return this;
        }

        public Builder maxEntriesPerAppend(int value) {
            maxEntriesPerAppend = value;
            return this;
        }

        public Builder maxBytesPerAppend(int value) {
            maxBytesPerAppend = value;
            return this;
        }

        public Builder maxInflightAppends(int value) {
            maxInflightAppends = value;
            return this;
        }

        public Builder preVote(boolean value) {
            preVote = value;
            return this;
        }

        public Builder checkQuorum(boolean value) {
            checkQuorum = value;
            return this;
        }

        public Builder maxPromotionLagEntries(long value) {
            maxPromotionLagEntries = value;
            return this;
        }

        /**
         * The in-memory log's cache of durable, applied entries: at most {@code entries} of them and
         * {@code bytes} of payload. Entries not yet durable or not yet applied are always kept.
         */
        public Builder logCache(int entries, long bytes) {
            logCacheEntries = entries;
            logCacheBytes = bytes;
            return this;
        }

        public RaftConfig build() {
            return new RaftConfig(tickMillis, electionTimeoutMinTicks, electionTimeoutMaxTicks,
                    heartbeatIntervalTicks, maxEntriesPerAppend, maxBytesPerAppend, maxInflightAppends,
                    preVote, checkQuorum, maxPromotionLagEntries, logCacheEntries, logCacheBytes);
        }
    }
}
