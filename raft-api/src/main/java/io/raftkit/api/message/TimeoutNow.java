package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/** Tells an up-to-date follower to start an election at once (leadership transfer, thesis §3.10). */
public record TimeoutNow(NodeId from, NodeId to, long term) implements RaftMessage {
}
