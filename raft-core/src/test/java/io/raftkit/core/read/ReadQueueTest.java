package io.raftkit.core.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.core.quorum.Majority;
import org.junit.jupiter.api.Test;

class ReadQueueTest {

    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final NodeId N1 = NodeId.of("n1");
    private static final Majority THREE = new Majority(java.util.Set.of(N1, N2, N3));

    @Test
    void readsArrivingWhileARoundIsInFlightShareTheNextRoundWhichGoesOutOnceTheFirstIsConfirmed() {
        ReadQueue q = new ReadQueue();
        q.add(1, null, 10);
        assertThat(q.needsBroadcast()).isTrue();
        q.broadcastSent();
        long first = q.round();

        q.add(2, null, 11);
        q.add(3, null, 12);
        assertThat(q.round()).isEqualTo(first + 1);
        assertThat(q.needsBroadcast()).as("round %d still waits for its quorum", first).isFalse();

        q.ack(N2, first);
        assertThat(q.confirmed(THREE, N1)).extracting(ReadQueue.PendingRead::requestId).containsExactly(1L);
        assertThat(q.needsBroadcast()).isTrue();
        q.broadcastSent();
        q.ack(N3, first + 1);
        assertThat(q.confirmed(THREE, N1)).extracting(ReadQueue.PendingRead::requestId).containsExactly(2L, 3L);
        assertThat(q.needsBroadcast()).isFalse();
    }

    @Test
    void aLostAnswerIsRecoveredByTheNextHeartbeatCarryingTheNewestRound() {
        ReadQueue q = new ReadQueue();
        q.add(1, null, 10);
        q.broadcastSent(); // the answers to this round are lost
        q.add(2, null, 10);
        assertThat(q.needsBroadcast()).isFalse();
        q.broadcastSent(); // the periodic heartbeat carries the newest round
        q.ack(N2, q.round());
        assertThat(q.confirmed(THREE, N1)).extracting(ReadQueue.PendingRead::requestId).containsExactly(1L, 2L);
    }

    /** Issue 15, bug 1: the invariant is that every message carrying round r left after every read of round r. */
    @Test
    void aReadArrivingAfterAMessageCarriedTheOpenRoundWaitsForALaterRound() {
        ReadQueue q = new ReadQueue();
        q.add(1, null, 10);
        long carried = q.carry(); // an AppendEntries leaves with read 1's round
        q.add(2, null, 12);       // read 2 arrives afterwards
        q.ack(N2, carried);
        q.ack(N3, carried);
        assertThat(q.confirmed(THREE, N1)).as("answers to the earlier message confirm read 1 only")
                .extracting(ReadQueue.PendingRead::requestId).containsExactly(1L);
        q.ack(N2, q.carry());
        assertThat(q.confirmed(THREE, N1)).extracting(ReadQueue.PendingRead::requestId).containsExactly(2L);
    }
}
