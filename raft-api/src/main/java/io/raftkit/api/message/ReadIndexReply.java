package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * The leader's answer to {@link ReadIndexRequest}: once {@code ok}, the follower may serve the read
 * after applying up to {@code readIndex}.
 */
public record ReadIndexReply(NodeId from, NodeId to, long term, long requestId, boolean ok, long readIndex)
        implements RaftMessage {
}
