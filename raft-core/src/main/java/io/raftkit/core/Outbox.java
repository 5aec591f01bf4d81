package io.raftkit.core;

import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadRoundAck;
import java.util.ArrayList;
import java.util.List;

/** What a RaftNode has produced since the last Ready, sorted by when the driver may act on it. */
final class Outbox {

    private List<RaftMessage> beforePersist = new ArrayList<>();
    private List<RaftMessage> afterPersist = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();
    final List<io.raftkit.core.ReadFailure> readFailures = new ArrayList<>();

    void add(RaftMessage m) {
        // Only a leader sends AppendEntries, and they promise nothing about the leader's own disk;
        // a ReadRoundAck promises only whom the follower follows now. Every other message (votes,
        // replies) promises state that must be durable first.
        if (m instanceof AppendEntries || m instanceof ReadRoundAck) {
            beforePersist.add(m);
        } else {
            afterPersist.add(m);
        }
    }

    boolean isEmpty() {
        return beforePersist.isEmpty() && afterPersist.isEmpty() && readStates.isEmpty() && readFailures.isEmpty();
    }

    List<RaftMessage> takeBeforePersist() {
        List<RaftMessage> out = beforePersist;
        beforePersist = new ArrayList<>();
        return out;
    }

    List<RaftMessage> takeAfterPersist() {
        List<RaftMessage> out = afterPersist;
        afterPersist = new ArrayList<>();
        return out;
    }

    List<ReadState> takeReadStates() {
        List<ReadState> out = List.copyOf(readStates);
        readStates.clear();
        return out;
    }

    List<io.raftkit.core.ReadFailure> takeReadFailures() {
        List<io.raftkit.core.ReadFailure> out = List.copyOf(readFailures);
        readFailures.clear();
        return out;
    }
}
