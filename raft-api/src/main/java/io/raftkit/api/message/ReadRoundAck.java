package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * A follower's acknowledgement of a leader's read round (thesis §6.4), sent as soon as an
 * {@link AppendEntries} carrying a new {@code readRound} is accepted, ahead of the
 * {@link AppendReply}. The AppendReply must wait until the follower's log is durable; this
 * promises nothing about the follower's disk, only that in {@code term} it still took the sender
 * of the round as its leader, which is all ReadIndex needs. Without it a linearizable read waits
 * for the followers' fsyncs whenever writes are in flight.
 *
 * @param readRound the {@code readRound} of the AppendEntries being acknowledged
 */
public record ReadRoundAck(NodeId from, NodeId to, long term, long readRound) implements RaftMessage {
}
