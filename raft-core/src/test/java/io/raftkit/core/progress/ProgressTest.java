package io.raftkit.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void aProbingFollowerGetsOneAppendEntriesAtATime() {
        Progress pr = new Progress(5, 4, 1000);
        assertThat(pr.isPaused()).isFalse();
        pr.sent(6, 10);
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
        pr.sent(3, 10);
        assertThat(pr.nextIndex()).isEqualTo(4);
        pr.sent(6, 10);
        assertThat(pr.isPaused()).isTrue();
        assertThat(pr.maybeUpdate(3)).isTrue();
        assertThat(pr.isPaused()).isFalse();
        assertThat(pr.matchIndex()).isEqualTo(3);
    }

    @Test
    void replicationPausesWhenInflightBytesReachTheLimit() {
        Progress pr = new Progress(1, 100, 50);
        pr.becomeReplicate();
        pr.sent(1, 30);
        assertThat(pr.isPaused()).isFalse();
        pr.sent(2, 30);
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
}
