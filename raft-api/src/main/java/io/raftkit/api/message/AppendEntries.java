package io.raftkit.api.message;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import java.util.List;

/**
 * Replicates log entries; with no entries it is the heartbeat (§5.3, §5.2).
 *
 * @param readRound the leader's latest ReadIndex round when it sent this message, echoed in the
 *                  reply, so a reply proves leadership for every read registered up to that
 *                  round and no earlier message can be mistaken for the confirmation (thesis §6.4)
 */
public record AppendEntries(NodeId from, NodeId to, long term, long prevLogIndex, long prevLogTerm,
                            List<LogEntry> entries, long leaderCommit, long readRound)
        implements RaftMessage {

    public AppendEntries {
        entries = List.copyOf(entries);
    }

    /** The index of the last entry carried, or {@code prevLogIndex} for a heartbeat. */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }
}
