package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * The answer to {@link RequestVote}. For a PreVote the term echoes the request's term when granted,
 * and is the voter's own term when refused.
 */
public record VoteReply(NodeId from, NodeId to, long term, boolean granted, boolean preVote)
        implements RaftMessage {
}
