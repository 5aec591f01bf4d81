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
 */
public record SnapshotPolicy(long entriesBetween, long logBytesBetween, long keptEntries, int chunkBytes) {

    /**
     * Every 10,000 entries or 16 MiB of log, 1,000 entries kept, 256 KiB chunks. The heap holds the
     * log back to the snapshot before the newest (compaction never passes it), so about two of
     * these intervals: some 32 MiB of payload at most, well inside a 256 MiB heap.
     */
    public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(10_000, 16L << 20, 1_000, 256 * 1024);

    /**
     * The largest chunk: an InstallSnapshot must fit a transport frame with its metadata, and the
     * vertx-tcp transport's default frame limit is 16 MiB.
     */
    public static final int MAX_CHUNK_BYTES = 8 << 20;

    public SnapshotPolicy {
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
        return new SnapshotPolicy(0, 0, DEFAULT.keptEntries, DEFAULT.chunkBytes);
    }

    public SnapshotPolicy withEntriesBetween(long value) {
        return new SnapshotPolicy(value, logBytesBetween, keptEntries, chunkBytes);
    }

    public SnapshotPolicy withLogBytesBetween(long value) {
        return new SnapshotPolicy(entriesBetween, value, keptEntries, chunkBytes);
    }

    public SnapshotPolicy withKeptEntries(long value) {
        return new SnapshotPolicy(entriesBetween, logBytesBetween, value, chunkBytes);
    }

    public SnapshotPolicy withChunkBytes(int value) {
        return new SnapshotPolicy(entriesBetween, logBytesBetween, keptEntries, value);
    }

    /** Whether {@code entries} applied entries holding {@code bytes} payload bytes call for a snapshot. */
    boolean due(long entries, long bytes) {
        return (entriesBetween > 0 && entries >= entriesBetween) || (logBytesBetween > 0 && bytes >= logBytesBetween);
    }
}
