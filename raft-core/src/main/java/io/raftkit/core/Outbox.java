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
    /** The newest term whose hard state the driver has made durable. */
    private long durableTerm;

    Outbox(long durableTerm) {
        this.durableTerm = durableTerm;
    }

    /** The driver made a hard state of {@code term} durable. */
    void termDurable(long term) {
        durableTerm = Math.max(durableTerm, term);
    }

    boolean isTermDurable(long term) {
        return term <= durableTerm || Mutant.isActive(Mutant.APPEND_BEFORE_TERM_DURABLE);
    }

    void add(RaftMessage m) {
        // Only a leader sends AppendEntries, and they promise nothing about the leader's own disk;
        // a ReadRoundAck promises only whom the follower follows now. Every other message (votes,
        // replies) promises state that must be durable first.
        boolean early = m instanceof AppendEntries || m instanceof ReadRoundAck;
        // And no message carrying a term leaves before that term (with this node's vote in it) is
        // durable. Otherwise a node that crashes first restarts in its old term and can win the
        // new one again: a lone voter elects itself at once and would send a second, different
        // entry with the same index and term as one a learner already holds.
        if (early && (m.term() <= durableTerm || Mutant.isActive(Mutant.APPEND_BEFORE_TERM_DURABLE))) {
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
