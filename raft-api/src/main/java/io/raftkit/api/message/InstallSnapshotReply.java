package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/** Acknowledges an {@link InstallSnapshot} chunk. Declared for the wire formats; not sent yet. */
public record InstallSnapshotReply(NodeId from, NodeId to, long term, long lastIncludedIndex, long offset)
        implements RaftMessage {
}
