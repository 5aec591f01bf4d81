package io.raftkit.core;

import io.raftkit.api.NodeId;
import java.util.Optional;

/** What {@link RaftNode#propose} did with a command. Callers must handle every case. */
public sealed interface ProposeResult permits ProposeResult.Accepted, ProposeResult.NotLeader, ProposeResult.Rejected {

    /**
     * Appended to the leader's log at {@code index} in {@code term}. It is committed, and its result
     * known, when the entry at {@code index} with this term is applied; if a different term's entry is
     * applied there, this proposal was discarded and never took effect.
     */
    record Accepted(long index, long term) implements ProposeResult {
    }

    /** This peer is not the leader; {@code leaderHint} is the leader it last heard from, if any. */
    record NotLeader(Optional<NodeId> leaderHint) implements ProposeResult {
    }

    /** The leader refused, for example while it transfers leadership (thesis §3.10). Nothing was appended. */
    record Rejected(String reason) implements ProposeResult {
    }
}
