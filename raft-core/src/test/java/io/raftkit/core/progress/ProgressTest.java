package io.raftkit.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void aProbingFollowerGetsOneAppendEntriesAtATime() {
        Progress pr = new Progress(5, 4, 1000);
        assertThat(pr.isPaused()).isFalse();
        pr.sent(6, 10, 0);
        assertThat(pr.isPaused()).isTrue();
        assertThat(pr.nextIndex()).as("probing does not advance nextIndex optimistically").isEqualTo(5);
        pr.resumeProbe();
        assertThat(pr.isPaused()).isFalse();
    }

    @Test
    void replicationPipelinesUpToTheInflightCountAndReleasesOnAcknowledgement() {
        Progress pr = new Progress(1, 2, 1000);
        pr.maybeUpdate(0);
        pr.becomeReplicate();
        pr.sent(3, 10, 0);
        assertThat(pr.nextIndex()).isEqualTo(4);
        pr.sent(6, 10, 0);
        assertThat(pr.isPaused()).isTrue();
        assertThat(pr.maybeUpdate(3)).isTrue();
        assertThat(pr.isPaused()).isFalse();
        assertThat(pr.matchIndex()).isEqualTo(3);
    }

    @Test
    void replicationPausesWhenInflightBytesReachTheLimit() {
        Progress pr = new Progress(1, 100, 50);
        pr.becomeReplicate();
        pr.sent(1, 30, 0);
        assertThat(pr.isPaused()).isFalse();
        pr.sent(2, 30, 0);
        assertThat(pr.isPaused()).isTrue();
    }

    @Test
    void fallingBackToProbeNeverGoesBelowMatchIndexPlusOne() {
        Progress pr = new Progress(10, 4, 1000);
        pr.maybeUpdate(7);
        pr.becomeProbe(3);
        assertThat(pr.nextIndex()).isEqualTo(8);
        assertThat(pr.state()).isEqualTo(Progress.State.PROBE);
    }

    @Test
    void aDuplicateOrStaleSuccessIsNotNewsAndReleasesNothing() {
        Progress pr = new Progress(1, 2, 1000);
        pr.becomeReplicate();
        pr.sent(3, 10, 0);
        pr.sent(6, 10, 0);
        assertThat(pr.maybeUpdate(3)).isTrue();
        assertThat(pr.maybeUpdate(3)).as("the same reply again").isFalse();
        assertThat(pr.maybeUpdate(2)).as("an older reply").isFalse();
        assertThat(pr.state()).isEqualTo(Progress.State.REPLICATE);
        assertThat(pr.nextIndex()).isEqualTo(7);
    }

    @Test
    void aReplicatingFollowerIgnoresARejectionAtOrBelowWhatItAlreadyAcknowledged() {
        Progress pr = new Progress(1, 4, 1000);
        pr.maybeUpdate(5);
        pr.becomeReplicate();
        pr.sent(8, 10, 0);
        assertThat(pr.maybeDecrTo(5, 3)).as("a stale rejection of a message anchored at 5").isFalse();
        assertThat(pr.state()).isEqualTo(Progress.State.REPLICATE);
        assertThat(pr.maybeDecrTo(7, 7)).as("a rejection of the message anchored at 7").isTrue();
        assertThat(pr.state()).isEqualTo(Progress.State.PROBE);
        assertThat(pr.nextIndex()).isEqualTo(7);
    }

    @Test
    void aProbingFollowerActsOnlyOnTheRejectionOfItsOutstandingProbe() {
        Progress pr = new Progress(10, 4, 1000);
        pr.sent(12, 10, 0); // probe anchored at 9
        assertThat(pr.maybeDecrTo(6, 4)).as("an older probe's rejection").isFalse();
        assertThat(pr.nextIndex()).isEqualTo(10);
        assertThat(pr.maybeDecrTo(9, 4)).isTrue();
        assertThat(pr.nextIndex()).isEqualTo(4);
        assertThat(pr.isPaused()).as("the next probe may go").isFalse();
        assertThat(pr.maybeDecrTo(9, 4)).as("the same rejection, duplicated").isFalse();
    }

    @Test
    void anAppendEntriesUnacknowledgedSinceATickIsReportedForARetry() {
        Progress pr = new Progress(1, 4, 1000);
        pr.becomeReplicate();
        pr.sent(2, 10, 5);
        pr.sent(3, 10, 7);
        assertThat(pr.unacknowledgedSince(4)).isFalse();
        assertThat(pr.unacknowledgedSince(5)).isTrue();
        pr.maybeUpdate(2);
        assertThat(pr.unacknowledgedSince(5)).as("the one from tick 5 was acknowledged").isFalse();
        assertThat(pr.unacknowledgedSince(7)).isTrue();
    }
}
