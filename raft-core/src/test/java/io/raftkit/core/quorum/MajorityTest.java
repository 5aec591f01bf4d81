package io.raftkit.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MajorityTest {

    @Test
    void aMajorityIsMoreThanHalfOfTheVoters() {
        assertThat(Majority.size(1)).isEqualTo(1);
        assertThat(Majority.size(2)).isEqualTo(2);
        assertThat(Majority.size(3)).isEqualTo(2);
        assertThat(Majority.size(4)).isEqualTo(3);
        assertThat(Majority.size(5)).isEqualTo(3);
    }

    @Test
    void theCommittedIndexIsTheHighestIndexHeldByAMajority() {
        assertThat(Majority.committedIndex(new long[] {5})).isEqualTo(5);
        assertThat(Majority.committedIndex(new long[] {9, 4, 7})).isEqualTo(7);
        assertThat(Majority.committedIndex(new long[] {1, 9, 2, 8, 3})).isEqualTo(3);
        assertThat(Majority.committedIndex(new long[] {4, 4, 0, 0})).isEqualTo(0);
    }

    @Test
    void anElectionIsWonWithAMajorityAndLostWhenAMajorityRefused() {
        assertThat(Majority.isWon(2, 3)).isTrue();
        assertThat(Majority.isWon(2, 4)).isFalse();
        assertThat(Majority.isLost(2, 3)).isTrue();
        assertThat(Majority.isLost(2, 5)).isFalse();
        assertThat(Majority.isLost(3, 5)).isTrue();
    }
}
