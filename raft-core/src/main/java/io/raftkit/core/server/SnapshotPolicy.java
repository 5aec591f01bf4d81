package io.raftkit.core.server;

/**
 * When a {@link RaftServer} takes a snapshot and how much log it keeps (§7).
 *
 * @param entriesBetween  take a snapshot once this many entries were applied since the last one; 0: never by count
 * @param logBytesBetween take one once the entries applied since the last one hold this many payload
 *                        bytes; 0: never by size
 * @param keptEntries     entries kept below the snapshot when the log is compacted, so a follower
 *                        slightly behind still catches up from the log rather than by InstallSnapshot
 * @param chunkBytes      the size of one InstallSnapshot chunk a leader sends, 1 to {@link #MAX_CHUNK_BYTES};
 *                        the leader keeps at most {@code RaftConfig.maxInflightAppends} of them in flight
 * @param minLogFraction  a snapshot triggered by either count waits until the entries applied since
 *                        the last one hold at least this fraction of that snapshot's size; 0: no wait
 */
public record SnapshotPolicy(long entriesBetween, long logBytesBetween, long keptEntries, int chunkBytes,
                             double minLogFraction) {

    /**
     * Every 10,000 entries or 16 MiB of log, but not before the log since the last snapshot holds a
     * tenth of its size; 1,000 entries kept, 256 KiB chunks.
     *
     * <p>Why the tenth: a snapshot rewrites the whole state, so on counts alone a node holding 1 M
     * keys (a 140 MB snapshot) rewrote it every 10,000 puts, some 14 KB of snapshot a 140-byte put,
     * back to back, and took half the puts a second it took without (docs/benchmarks.md). Sizing
     * the interval by the snapshot (thesis §5.1.1) bounds that at ten bytes of snapshot a byte of
     * log whatever the state's size, and keeps what a restart replays at a tenth of the state.
     * A small state is unaffected: its tenth is reached long before the counts are.
     */
    public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(10_000, 16L << 20, 1_000, 256 * 1024, 0.1);

    /**
     * The largest chunk: an InstallSnapshot must fit a transport frame with its metadata, and the
     * vertx-tcp transport's default frame limit is 16 MiB.
     */
    public static final int MAX_CHUNK_BYTES = 8 << 20;

    /** A policy on counts alone (no {@code minLogFraction}), as before that was added. */
    public SnapshotPolicy(long entriesBetween, long logBytesBetween, long keptEntries, int chunkBytes) {
        this(entriesBetween, logBytesBetween, keptEntries, chunkBytes, 0);
    }

    public SnapshotPolicy {
        if (!(minLogFraction >= 0) || minLogFraction > 1_000) {
            throw new IllegalArgumentException("snapshot policy: minLogFraction must be 0 to 1000 (0 turns it off), was "
                    + minLogFraction);
        }
        if (entriesBetween < 0 || logBytesBetween < 0) {
            throw new IllegalArgumentException("snapshot policy: entriesBetween and logBytesBetween must be >= 0 (0 turns"
                    + " that trigger off), were " + entriesBetween + " and " + logBytesBetween);
        }
        if (keptEntries < 0) {
            throw new IllegalArgumentException("snapshot policy: keptEntries must be >= 0, was " + keptEntries);
        }
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("snapshot policy: chunkBytes must be 1 to " + MAX_CHUNK_BYTES + " (8 MiB), was "
                    + chunkBytes);
        }
    }

    /** Only operator-requested snapshots ({@link RaftServer#takeSnapshot()}). */
    public static SnapshotPolicy manualOnly() {
        return new SnapshotPolicy(0, 0, DEFAULT.keptEntries, DEFAULT.chunkBytes, 0);
    }

    public SnapshotPolicy withEntriesBetween(long value) {
        return new SnapshotPolicy(value, logBytesBetween, keptEntries, chunkBytes, minLogFraction);
    }

    public SnapshotPolicy withLogBytesBetween(long value) {
        return new SnapshotPolicy(entriesBetween, value, keptEntries, chunkBytes, minLogFraction);
    }

    public SnapshotPolicy withKeptEntries(long value) {
        return new SnapshotPolicy(entriesBetween, logBytesBetween, value, chunkBytes, minLogFraction);
    }

    public SnapshotPolicy withChunkBytes(int value) {
        return new SnapshotPolicy(entriesBetween, logBytesBetween, keptEntries, value, minLogFraction);
    }

    public SnapshotPolicy withMinLogFraction(double value) {
        return new SnapshotPolicy(entriesBetween, logBytesBetween, keptEntries, chunkBytes, value);
    }

    /** Whether {@code entries} applied entries holding {@code bytes} payload bytes call for a snapshot, with none taken yet. */
    boolean due(long entries, long bytes) {
        return due(entries, bytes, 0);
    }

    /**
     * Whether {@code entries} applied entries holding {@code bytes} payload bytes since the last
     * snapshot, which took {@code lastSnapshotBytes}, call for the next one.
     */
    boolean due(long entries, long bytes, long lastSnapshotBytes) {
        boolean counted = (entriesBetween > 0 && entries >= entriesBetween) || (logBytesBetween > 0 && bytes >= logBytesBetween);
        return counted && bytes >= minLogFraction * lastSnapshotBytes;
    }
}
