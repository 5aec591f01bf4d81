package io.raftkit.core;

import io.raftkit.api.NodeId;
import io.raftkit.api.SnapshotMeta;

/**
 * A chunk of a snapshot the leader wants sent to a follower (§7): the driver reads {@code length}
 * bytes at {@code offset} of the snapshot's transfer stream from its SnapshotStore and sends them as
 * an {@link io.raftkit.api.message.InstallSnapshot} of {@code term}. The node does no I/O, so it
 * names the bytes and the driver fetches them.
 */
public record SnapshotChunk(NodeId to, long term, SnapshotMeta snapshot, long offset, int length, boolean done) {
}
