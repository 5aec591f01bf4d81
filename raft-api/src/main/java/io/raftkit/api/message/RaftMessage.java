package io.raftkit.api.message;

import io.raftkit.api.NodeId;

/**
 * Every message two Raft peers exchange. Each carries its sender, its recipient and the sender's
 * term, which is all the core needs to apply the term rules of §5.1 before looking at the type.
 *
 * <p>Messages are immutable values; the byte arrays inside entries are never modified once sent.
 */
public sealed interface RaftMessage
        permits RequestVote, VoteReply, AppendEntries, AppendReply, ReadRoundAck, TimeoutNow,
                ReadIndexRequest, ReadIndexReply, InstallSnapshot, InstallSnapshotReply {

    NodeId from();

    NodeId to();

    long term();
}
