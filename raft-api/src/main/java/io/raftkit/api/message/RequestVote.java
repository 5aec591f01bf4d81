package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * Asks for a vote (§5.2), or with {@code preVote} asks whether a vote would be granted without
 * anyone changing term (thesis §9.6). A PreVote carries the term the candidate would campaign in.
 *
 * @param leadershipTransfer set when the candidate campaigns because the leader sent it TimeoutNow
 *                           (thesis §3.10): voters then ignore the "I heard from a leader recently"
 *                           rule that otherwise protects a healthy leader
 */
public record RequestVote(NodeId from, NodeId to, long term, long lastLogIndex, long lastLogTerm,
                          boolean preVote, boolean leadershipTransfer) implements RaftMessage {
}
