package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * A follower asks the leader for a read index on behalf of its own clients (thesis §6.4).
 *
 * @param requestId chosen by the follower, echoed in the reply; unique per follower
 */
public record ReadIndexRequest(NodeId from, NodeId to, long term, long requestId) implements RaftMessage {
}
