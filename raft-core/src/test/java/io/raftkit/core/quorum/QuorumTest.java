package io.raftkit.core.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.NodeId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuorumTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");
    private static final NodeId E = NodeId.of("e");

    /** C(old={a,b,c}, new={c,d,e}). */
    private static final ClusterConfig JOINT = new ClusterConfig(Set.of(C, D, E), Set.of(), Set.of(A, B, C));

    private static long match(Map<NodeId, Long> m, NodeId id) {
        return m.getOrDefault(id, 0L);
    }

    @Test
    void aSimpleConfigurationIsAMajorityOfItsVotersAndIgnoresLearners() {
        Quorum q = Quorum.of(new ClusterConfig(Set.of(A, B, C), Set.of(D, E)));
        assertThat(q).isInstanceOf(Majority.class);
        assertThat(q.voters()).containsExactly(A, B, C);
        // Learners d and e hold index 9; they do not count, so only a and b's 5 is on a majority.
        Map<NodeId, Long> m = Map.of(A, 5L, B, 5L, C, 1L, D, 9L, E, 9L);
        assertThat(q.committedIndex(id -> match(m, id))).isEqualTo(5);
        assertThat(q.isWonBy(id -> id.equals(D) || id.equals(E) || id.equals(A) ? true : null)).isFalse();
    }

    @Test
    void jointCommitNeedsBothMajorities() {
        Quorum q = Quorum.of(JOINT);
        assertThat(q).isInstanceOf(Joint.class);
        assertThat(q.voters()).containsExactly(A, B, C, D, E);
        // The new majority {c,d,e} holds 7 but the old {a,b,c} has only 3 on a majority: 3 is committed.
        Map<NodeId, Long> m = Map.of(A, 3L, B, 1L, C, 7L, D, 7L, E, 7L);
        assertThat(q.committedIndex(id -> match(m, id))).isEqualTo(3);
        // The old majority holds 8 and the new one 2: 2 is committed.
        Map<NodeId, Long> m2 = Map.of(A, 8L, B, 8L, C, 2L, D, 2L, E, 0L);
        assertThat(q.committedIndex(id -> match(m2, id))).isEqualTo(2);
    }

    @Test
    void jointElectionIsWonOnlyWithAMajorityOfEachSideAndLostWhenEitherIsLost() {
        Quorum q = Quorum.of(JOINT);
        // a, b: the old majority; no one of the new side yet.
        assertThat(q.voteResult(id -> id.equals(A) || id.equals(B) ? true : null)).isEqualTo(Quorum.VoteResult.PENDING);
        // d, e: the new majority; the old side has only nothing.
        assertThat(q.voteResult(id -> id.equals(D) || id.equals(E) ? true : null)).isEqualTo(Quorum.VoteResult.PENDING);
        // c counts on both sides: c plus a wins the old side, c plus d the new one.
        assertThat(q.voteResult(id -> id.equals(A) || id.equals(C) || id.equals(D) ? true : null))
                .isEqualTo(Quorum.VoteResult.WON);
        // d and e reject: the new side is lost, whatever the old side says.
        assertThat(q.voteResult(id -> id.equals(D) || id.equals(E) ? false : true)).isEqualTo(Quorum.VoteResult.LOST);
    }

    @Test
    void aMajorityIsLostWhenTooManyRejectAndPendingBefore() {
        Quorum q = new Majority(Set.of(A, B, C, D, E));
        assertThat(q.voteResult(id -> id.equals(A) || id.equals(B) ? false : null)).isEqualTo(Quorum.VoteResult.PENDING);
        assertThat(q.voteResult(id -> id.equals(A) || id.equals(B) || id.equals(C) ? false : null))
                .isEqualTo(Quorum.VoteResult.LOST);
        assertThat(q.voteResult(id -> id.equals(A) || id.equals(B) || id.equals(C) ? true : null))
                .isEqualTo(Quorum.VoteResult.WON);
    }

    @Test
    void aConfigurationRoundTripsThroughItsEntryPayload() {
        ClusterConfig learners = new ClusterConfig(Set.of(A), Set.of(B, C));
        assertThat(ClusterConfig.decode(JOINT.encode())).isEqualTo(JOINT);
        assertThat(ClusterConfig.decode(learners.encode())).isEqualTo(learners);
        assertThat(JOINT.leaveJoint()).isEqualTo(new ClusterConfig(Set.of(C, D, E), Set.of()));
    }
}
