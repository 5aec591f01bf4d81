package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * Sends one chunk of a snapshot to a follower whose next entry was compacted away (§7).
 * Declared so the wire formats and codecs reserve it; the core does not send it yet.
 */
public record InstallSnapshot(NodeId from, NodeId to, long term, long lastIncludedIndex,
                              long lastIncludedTerm, long offset, byte[] data, boolean done)
        implements RaftMessage {
}
