package io.raftkit.core.server;

/**
 * What a {@link RaftServer} did with snapshots, published by its loop; cheap to read from any thread.
 *
 * @param enabled            whether this server takes snapshots (a SnapshotStore and a state machine that supports them)
 * @param latestIndex        the newest durable snapshot's last included index (taken or installed), 0 if none
 * @param latestTerm         its term, 0 if none
 * @param latestSizeBytes    its transfer stream's size in bytes, 0 if none
 * @param lastDurationMillis how long the last snapshot this node took needed from capture to durable
 * @param snapshotsTaken     snapshots this node took and made durable
 * @param installsSent       snapshots this node, as leader, sent to followers that installed them
 * @param installsReceived   snapshots this node received from a leader and installed
 * @param logFirstIndex      the first index the LogStore still holds (compaction moves it)
 */
public record SnapshotStats(boolean enabled, long latestIndex, long latestTerm, long latestSizeBytes,
                            long lastDurationMillis, long snapshotsTaken, long installsSent, long installsReceived,
                            long logFirstIndex) {

    static final SnapshotStats NONE = new SnapshotStats(false, 0, 0, 0, 0, 0, 0, 0, 1);
}
