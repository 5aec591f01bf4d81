package io.raftkit.core.paper;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.RequestVote;
import io.raftkit.core.Mutant;
import io.raftkit.core.MutantScope;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Ready;
import io.raftkit.core.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: a fresh cluster should elect once. Two nodes whose PreVotes cross (measured: two nodes
 * of a fresh cluster pre-voting while the third JVM started) each grant the other's; had both gone
 * on, both would be candidates in term 1 and split it. A node that grants a PreVote defers its own
 * campaign instead (a pre-candidate stands down), so the next timeout elects one leader, in term 1.
 */
class PreVoteDuelTest {

    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final ClusterConfig THREE = ClusterConfig.ofVoters(List.of(N1, N2, N3));
    private static final RaftConfig DEFAULTS = RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2).build();

    private static RaftNode fresh(NodeId id, long seed) {
        return new RaftNode(id, THREE, DEFAULTS, new SplittableRandom(seed), new HardState(0, null, 0), List.of(), 0, 0);
    }

    private static List<RaftMessage> sent(RaftNode node) {
        Ready r = node.ready();
        node.advance(r);
        List<RaftMessage> all = new ArrayList<>(r.messagesBeforePersist());
        all.addAll(r.messages());
        return all;
    }

    /** Ticks {@code node} until it pre-votes; returns its PreVote to {@code to}. */
    private static RequestVote preVoteOf(RaftNode node, NodeId to) {
        for (int i = 0; i < 100 && node.role() != Role.PRE_CANDIDATE; i++) {
            node.tick();
        }
        assertThat(node.role()).isEqualTo(Role.PRE_CANDIDATE);
        return sent(node).stream().filter(m -> m instanceof RequestVote rv && rv.preVote() && m.to().equals(to))
                .map(RequestVote.class::cast).findFirst().orElseThrow();
    }

    /** Crosses the two PreVotes and the two replies, as a network would deliver them. */
    private static void duel(RaftNode n2, RaftNode n3) {
        RequestVote fromN2 = preVoteOf(n2, N3);
        RequestVote fromN3 = preVoteOf(n3, N2);
        n3.step(fromN2);
        n2.step(fromN3);
        List<RaftMessage> replies = new ArrayList<>(sent(n2));
        replies.addAll(sent(n3));
        for (RaftMessage m : replies) {
            (m.to().equals(N2) ? n2 : n3).step(m);
        }
    }

    @Test
    void twoNodesWhosePreVotesCrossBothStandDownAndTheNextTimeoutElectsOneLeaderInTermOne() {
        RaftNode n2 = fresh(N2, 2);
        RaftNode n3 = fresh(N3, 3);
        duel(n2, n3);
        assertThat(List.of(n2.role(), n3.role())).containsOnly(Role.FOLLOWER);
        assertThat(List.of(n2.term(), n3.term())).containsOnly(0L);
        sent(n2);
        sent(n3);

        // The next timeout: whoever fires first pre-votes; the other, a follower, grants and defers.
        RaftNode first = null;
        for (int i = 0; i < 100 && first == null; i++) {
            n2.tick();
            n3.tick();
            first = n2.role() == Role.PRE_CANDIDATE ? n2 : n3.role() == Role.PRE_CANDIDATE ? n3 : null;
        }
        assertThat(first).isNotNull();
        RaftNode other = first == n2 ? n3 : n2;
        List<RaftMessage> inFlight = new ArrayList<>(sent(first));
        for (int round = 0; round < 6 && !inFlight.isEmpty(); round++) {
            List<RaftMessage> next = new ArrayList<>();
            for (RaftMessage m : inFlight) {
                RaftNode to = m.to().equals(first.id()) ? first : m.to().equals(other.id()) ? other : null;
                if (to != null) {
                    to.step(m);
                    next.addAll(sent(to));
                }
            }
            inFlight = next;
        }
        assertThat(first.role()).isEqualTo(Role.LEADER);
        assertThat(first.term()).as("elected once: term 1").isEqualTo(1);
        assertThat(other.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void onTheOldRuleBothBecameCandidatesInTermOneAndSplitIt() throws Exception {
        MutantScope.with(Mutant.PRE_VOTES_RACE, () -> {
            RaftNode n2 = fresh(N2, 2);
            RaftNode n3 = fresh(N3, 3);
            duel(n2, n3);
            assertThat(List.of(n2.role(), n3.role())).containsOnly(Role.CANDIDATE);
            assertThat(List.of(n2.term(), n3.term())).containsOnly(1L);
        });
    }
}
