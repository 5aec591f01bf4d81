package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * The answer to {@link AppendEntries}.
 *
 * @param success       whether the follower's log matched at {@code prevLogIndex} (§5.3)
 * @param matchIndex    on success, the index up to which the follower's log now matches the leader's
 * @param conflictTerm  on failure, the term of the follower's entry at {@code prevLogIndex}, or 0 when
 *                      its log is shorter than that
 * @param conflictIndex on failure, the first index the follower holds for {@code conflictTerm}, or its
 *                      last index + 1 when its log is too short; lets the leader skip a whole
 *                      term per round trip (§5.3, "the leader can decrement nextIndex to bypass")
 * @param readRound     the {@code readRound} of the AppendEntries being answered
 * @param prevLogIndex  the {@code prevLogIndex} of the AppendEntries being answered, so the leader can
 *                      tell a rejection of the message it waits on from a stale or duplicated one
 */
public record AppendReply(NodeId from, NodeId to, long term, boolean success, long matchIndex,
                          long conflictTerm, long conflictIndex, long readRound, long prevLogIndex)
        implements RaftMessage {
}
