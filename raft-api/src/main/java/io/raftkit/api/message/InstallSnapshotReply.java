package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * Answers an {@link InstallSnapshot} chunk (§7).
 *
 * @param snapshotId        the snapshot the reply is about
 * @param lastIncludedIndex its last included index
 * @param nextOffset        the bytes the follower holds: where the next chunk must start (0 after
 *                          a transfer it discarded, such as one that failed its checksum)
 * @param installed         true once the snapshot is durable on the follower: only then may the
 *                          leader advance the follower's matchIndex to {@code lastIncludedIndex}
 */
public record InstallSnapshotReply(NodeId from, NodeId to, long term, String snapshotId, long lastIncludedIndex,
                                   long nextOffset, boolean installed) implements RaftMessage {
}
