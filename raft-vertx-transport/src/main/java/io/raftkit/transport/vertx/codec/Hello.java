package io.raftkit.transport.vertx.codec;

import io.raftkit.api.NodeId;

/**
 * The handshake frame a connecting node sends first: its own id and the id it believes it reached,
 * so a receiver can refuse strangers and misconfigured peers before reading any Raft message.
 */
public record Hello(NodeId from, NodeId to) {
}
