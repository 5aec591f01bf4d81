package io.raftkit.core.paper;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.VoteReply;
import io.raftkit.core.ProposeResult;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Role;
import io.raftkit.core.scenario.Harness;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Membership changes by joint consensus (thesis §4.3), and the pitfalls issue 17 lists, one test each. */
class MembershipChangeTest {

    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final NodeId N4 = NodeId.of("n4");
    private static final NodeId N5 = NodeId.of("n5");
    private static final ClusterConfig THREE = ClusterConfig.ofVoters(List.of(N1, N2, N3));
    private static final RaftConfig CONFIG = RaftConfig.builder().electionTimeoutTicks(10, 20).heartbeatIntervalTicks(2).build();
    private static final RaftConfig NO_EXTRAS = CONFIG.toBuilder().preVote(false).checkQuorum(false).build();

    private static ClusterConfig config(Set<NodeId> voters, Set<NodeId> learners) {
        return new ClusterConfig(voters, learners);
    }

    /** A three-node cluster whose leader n1 has committed an entry of its term. */
    private static Harness threeWithLeader(RaftConfig config) {
        Harness h = new Harness(3, config);
        h.elect("n1");
        h.propose("n1", "a");
        h.deliverAll();
        assertThat(h.node("n1").role()).isEqualTo(Role.LEADER);
        return h;
    }

    /** A fresh node to be added: it starts knowing the members, itself as a learner. */
    private static RaftNode freshLearner(Harness h, NodeId id, RaftConfig config) {
        RaftNode node = new RaftNode(id, config(Set.of(N1, N2, N3), Set.of(id)), config, new SplittableRandom(7),
                HardState.INITIAL, List.of(), 0, 0);
        h.add(node);
        return node;
    }

    private static ProposeResult change(Harness h, String leader, ClusterConfig next) {
        ProposeResult r = h.node(leader).proposeConfiguration(next);
        h.process(h.node(leader));
        return r;
    }

    @Test
    void aLearnerAddedThenPromotedGoesThroughTheJointConfigurationToTheNewOneWithoutAnotherRequest() {
        Harness h = threeWithLeader(CONFIG);
        RaftNode leader = h.node("n1");
        RaftNode n4 = freshLearner(h, N4, CONFIG);
        assertThat(change(h, "n1", config(Set.of(N1, N2, N3), Set.of(N4)))).isInstanceOf(ProposeResult.Accepted.class);
        assertThat(leader.cluster().isJoint()).as("a change of learners alone needs no joint configuration").isFalse();
        h.deliverAll();
        assertThat(n4.lastIndex()).as("the learner receives the log").isEqualTo(leader.lastIndex());
        assertThat(n4.cluster().learners()).containsExactly(N4);

        ClusterConfig four = ClusterConfig.ofVoters(List.of(N1, N2, N3, N4));
        assertThat(change(h, "n1", four)).isInstanceOf(ProposeResult.Accepted.class);
        assertThat(leader.cluster()).as("C(old,new) takes effect on append")
                .isEqualTo(new ClusterConfig(four.voters(), Set.of(), THREE.voters()));
        h.deliverAll();
        h.tick(leader, CONFIG.heartbeatIntervalTicks());
        h.deliverAll();
        for (RaftNode n : h.nodes.values()) {
            assertThat(n.cluster()).as("%s ends in C(new)", n.id()).isEqualTo(four);
            assertThat(n.commitIndex()).as("%s has C(new) committed", n.id()).isEqualTo(leader.lastIndex());
            assertThat(n.configurationIndex()).isEqualTo(leader.lastIndex());
        }
        assertThat(h.propose("n1", "b")).isInstanceOf(ProposeResult.Accepted.class);
        h.deliverAll();
        assertThat(h.applied.get(N4)).containsExactly("a", "b");
    }

    @Test
    void learnersNeverCountTowardCommitment() {
        Harness h = new Harness(3, 2, CONFIG);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "a");
        h.deliverAll();
        long committed = leader.commitIndex();
        h.partition(List.of("n1", "n4", "n5"));
        h.propose("n1", "b");
        h.deliverAll();
        assertThat(h.node("n4").lastIndex()).isEqualTo(leader.lastIndex());
        assertThat(leader.commitIndex()).as("n1 and two learners are three of five, but not a quorum of voters")
                .isEqualTo(committed);
    }

    @Test
    void oneChangeAtATimeASecondIsRefusedWithTheReason() {
        Harness h = threeWithLeader(CONFIG);
        freshLearner(h, N4, CONFIG);
        h.hold("n1", "*"); // the first change cannot commit yet
        assertThat(change(h, "n1", config(Set.of(N1, N2, N3), Set.of(N4)))).isInstanceOf(ProposeResult.Accepted.class);
        ProposeResult second = change(h, "n1", config(Set.of(N1, N2), Set.of(N4)));
        assertThat(second).isInstanceOf(ProposeResult.Rejected.class);
        assertThat(((ProposeResult.Rejected) second).reason()).contains("membership change is in progress");
    }

    /** The single-server-change bug published on raft-dev in 2015 (thesis §4.1, its erratum). */
    @Test
    void aNewLeaderRefusesAChangeUntilAnEntryOfItsTermHasCommitted() {
        RaftNode n1 = new RaftNode(N1, ClusterConfig.ofVoters(List.of(N1)), CONFIG, new SplittableRandom(1),
                new HardState(1, null, 1), List.of(LogEntry.command(1, 1, new byte[] {1})), 0, 0);
        for (int i = 0; i < CONFIG.electionTimeoutMaxTicks() && n1.role() != Role.LEADER; i++) {
            n1.tick();
        }
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        ClusterConfig withLearner = config(Set.of(N1), Set.of(N2));
        ProposeResult refused = n1.proposeConfiguration(withLearner);
        assertThat(refused).as("its no-op is not even durable yet").isInstanceOf(ProposeResult.Rejected.class);
        assertThat(((ProposeResult.Rejected) refused).reason()).contains("has not yet committed an entry of its term 2");
        n1.advance(n1.ready()); // the no-op is durable: a lone voter commits it
        assertThat(n1.commitIndex()).isEqualTo(2);
        assertThat(n1.proposeConfiguration(withLearner)).isInstanceOf(ProposeResult.Accepted.class);
    }

    @Test
    void aConfigurationTakesEffectWhenAppendedAndIsRolledBackWhenItsEntryIsTruncated() {
        RaftNode n2 = new RaftNode(N2, THREE, NO_EXTRAS, new SplittableRandom(1), new HardState(1, null, 0),
                List.of(LogEntry.noOp(1, 1)), 0, 0);
        ClusterConfig joint = THREE.jointWith(ClusterConfig.ofVoters(List.of(N1, N2, N4)));
        n2.step(new AppendEntries(N1, N2, 1, 1, 1, List.of(LogEntry.configuration(2, 1, joint)), 1, 0));
        assertThat(n2.cluster()).as("in effect as soon as it is in the log, uncommitted").isEqualTo(joint);
        // n3 won term 2 without the entry: its own entry at index 2 replaces it.
        n2.step(new AppendEntries(N3, N2, 2, 1, 1, List.of(LogEntry.noOp(2, 2)), 1, 0));
        assertThat(n2.cluster()).as("the configuration before it is back").isEqualTo(THREE);
        assertThat(n2.configurationIndex()).isZero();
    }

    @Test
    void aLeaderRemovedByTheChangeKeepsReplicatingUntilTheNewConfigurationCommitsThenStepsDownForGood() {
        Harness h = threeWithLeader(CONFIG);
        RaftNode n1 = h.node("n1");
        ClusterConfig without = ClusterConfig.ofVoters(List.of(N2, N3));
        assertThat(change(h, "n1", without)).isInstanceOf(ProposeResult.Accepted.class);
        long jointIndex = n1.lastIndex();
        h.hold("n1", "*");
        h.deliverAll();
        assertThat(n1.role()).as("still leading while joint").isEqualTo(Role.LEADER);
        h.release("n1", "*");
        h.deliverAll();
        assertThat(n1.lastIndex()).as("C(new) appended after the joint entry committed").isEqualTo(jointIndex + 1);
        assertThat(n1.cluster()).isEqualTo(without);
        assertThat(n1.commitIndex()).as("C(new) committed by n2 and n3 alone").isEqualTo(jointIndex + 1);
        assertThat(n1.role()).as("then it steps down").isEqualTo(Role.FOLLOWER);
        long term = n1.term();
        h.tick(n1, CONFIG.electionTimeoutMaxTicks() * 5);
        assertThat(n1.role()).as("no longer a voter, it never campaigns").isEqualTo(Role.FOLLOWER);
        assertThat(n1.term()).isEqualTo(term);
        h.deliverAll();
        // n2 and n3 time out on the silent n1 and elect one of themselves.
        for (int i = 0; i < 100 && h.node("n2").role() != Role.LEADER && h.node("n3").role() != Role.LEADER; i++) {
            h.tick(h.node("n2"), 1);
            h.tick(h.node("n3"), 1);
            h.deliverAll();
        }
        String next = h.node("n2").role() == Role.LEADER ? "n2" : "n3";
        assertThat(h.node(next).role()).isEqualTo(Role.LEADER);
        assertThat(h.propose(next, "b")).isInstanceOf(ProposeResult.Accepted.class);
        h.deliverAll();
        assertThat(h.applied.get(N3)).containsExactly("a", "b");
    }

    @Test
    void aRestartInTheMiddleOfAJointConfigurationRestoresItFromTheLog() {
        Harness h = threeWithLeader(CONFIG);
        ClusterConfig next = ClusterConfig.ofVoters(List.of(N1, N2));
        h.hold("n1", "*");
        assertThat(change(h, "n1", next)).isInstanceOf(ProposeResult.Accepted.class);
        h.crash("n1");
        RaftNode restarted = h.restart("n1");
        assertThat(restarted.cluster()).isEqualTo(THREE.jointWith(next));
    }

    @Test
    void aRestartFromASnapshotTakenWhileJointRestoresTheJointConfiguration() {
        ClusterConfig joint = THREE.jointWith(ClusterConfig.ofVoters(List.of(N1, N4, N5)));
        SnapshotMeta meta = new SnapshotMeta("s", 5, 2, joint, SnapshotKind.values()[0], 0, 0);
        RaftNode node = new RaftNode(N1, THREE, NO_EXTRAS, new SplittableRandom(1), new HardState(2, null, 5),
                List.of(), 5, 2, meta, 1024);
        assertThat(node.cluster()).isEqualTo(joint);
        assertThat(node.configurationAt(5)).isEqualTo(joint);
    }

    @Test
    void aJointCandidateNeedsAMajorityOfTheOldVotersAndOfTheNewOnes() {
        ClusterConfig joint = THREE.jointWith(ClusterConfig.ofVoters(List.of(N1, N4, N5)));
        RaftNode n1 = new RaftNode(N1, joint, NO_EXTRAS, new SplittableRandom(1), HardState.INITIAL, List.of(), 0, 0);
        for (int i = 0; i < NO_EXTRAS.electionTimeoutMaxTicks() && n1.role() != Role.CANDIDATE; i++) {
            n1.tick();
        }
        assertThat(n1.role()).isEqualTo(Role.CANDIDATE);
        List<NodeId> asked = n1.ready().messages().stream().filter(m -> m instanceof RequestVote).map(m -> m.to()).toList();
        assertThat(asked).containsExactlyInAnyOrder(N2, N3, N4, N5);
        long term = n1.term();
        n1.step(new VoteReply(N2, N1, term, true, false));
        n1.step(new VoteReply(N3, N1, term, true, false));
        assertThat(n1.role()).as("the old voters alone do not elect").isEqualTo(Role.CANDIDATE);
        n1.step(new VoteReply(N4, N1, term, true, false));
        assertThat(n1.role()).as("n1 and n4 are a majority of the new voters").isEqualTo(Role.LEADER);
    }

    @Test
    void aJointLeaderDoesNotCommitOnTheNewVotersAlone() {
        Harness h = threeWithLeader(CONFIG);
        RaftNode n1 = h.node("n1");
        RaftNode n4 = freshLearner(h, N4, CONFIG);
        RaftNode n5 = freshLearner(h, N5, CONFIG);
        // Both learners first (one change at a time), then swap n2 and n3 for them.
        change(h, "n1", config(Set.of(N1, N2, N3), Set.of(N4)));
        h.deliverAll();
        // n5 was started knowing only n4 as... a learner of its own: add it too.
        change(h, "n1", config(Set.of(N1, N2, N3), Set.of(N4, N5)));
        h.deliverAll();
        assertThat(n5.lastIndex()).isEqualTo(n1.lastIndex());
        long before = n1.commitIndex();
        h.partition(List.of("n1", "n4", "n5")); // the new voters, cut off from the old majority
        assertThat(change(h, "n1", ClusterConfig.ofVoters(List.of(N1, N4, N5)))).isInstanceOf(ProposeResult.Accepted.class);
        h.deliverAll();
        assertThat(n4.lastIndex()).isEqualTo(n1.lastIndex());
        assertThat(n1.commitIndex()).as("a majority of the new voters has it, none of the old but n1").isEqualTo(before);
        assertThat(n1.cluster().isJoint()).isTrue();
        h.heal();
        h.tick(n1, CONFIG.heartbeatIntervalTicks());
        h.deliverAll();
        h.tick(n1, CONFIG.heartbeatIntervalTicks());
        h.deliverAll();
        assertThat(n1.cluster()).isEqualTo(ClusterConfig.ofVoters(List.of(N1, N4, N5)));
        assertThat(n1.commitIndex()).isEqualTo(n1.lastIndex());
    }

    @Test
    void promotionIsRefusedWhileTheLearnerIsTooFarBehind() {
        RaftConfig lag2 = CONFIG.toBuilder().maxPromotionLagEntries(2).build();
        Harness h = threeWithLeader(lag2);
        freshLearner(h, N4, lag2);
        change(h, "n1", config(Set.of(N1, N2, N3), Set.of(N4)));
        h.deliverAll();
        h.hold("n1", "n4");
        for (int i = 0; i < 5; i++) {
            h.propose("n1", "x" + i);
        }
        h.deliverAll();
        ClusterConfig four = ClusterConfig.ofVoters(List.of(N1, N2, N3, N4));
        ProposeResult refused = change(h, "n1", four);
        assertThat(refused).isInstanceOf(ProposeResult.Rejected.class);
        assertThat(((ProposeResult.Rejected) refused).reason()).contains("n4 is 5 entries behind").contains("maxPromotionLagEntries 2");
        h.release("n1", "n4");
        h.tick(h.node("n1"), lag2.heartbeatIntervalTicks() * 3);
        h.deliverAll();
        assertThat(change(h, "n1", four)).isInstanceOf(ProposeResult.Accepted.class);
    }

    @Test
    void promotionOfALearnerThatNeverAnsweredThisLeaderIsRefusedEvenWhenTheLogIsShort() {
        // The log is 3 entries long, well within maxPromotionLagEntries: only the silence refuses it.
        Harness h = threeWithLeader(CONFIG);
        freshLearner(h, N4, CONFIG);
        h.hold("n1", "n4"); // n4 is down (or still starting) from the start
        change(h, "n1", config(Set.of(N1, N2, N3), Set.of(N4)));
        h.deliverAll();
        ClusterConfig four = ClusterConfig.ofVoters(List.of(N1, N2, N3, N4));
        ProposeResult refused = change(h, "n1", four);
        assertThat(refused).isInstanceOf(ProposeResult.Rejected.class);
        assertThat(((ProposeResult.Rejected) refused).reason()).contains("n4 has not acknowledged any entry from this leader");
        assertThat(h.node("n1").cluster().voters()).containsExactlyInAnyOrder(N1, N2, N3);
        h.release("n1", "n4");
        h.tick(h.node("n1"), CONFIG.heartbeatIntervalTicks() * 3);
        h.deliverAll();
        assertThat(change(h, "n1", four)).isInstanceOf(ProposeResult.Accepted.class);
    }

    @Test
    void aRemovedNodeThatNeverLearnedOfItsRemovalCannotDisruptTheCluster() {
        Harness h = threeWithLeader(CONFIG);
        RaftNode n1 = h.node("n1");
        h.partition(List.of("n3"));
        assertThat(change(h, "n1", ClusterConfig.ofVoters(List.of(N1, N2)))).isInstanceOf(ProposeResult.Accepted.class);
        h.deliverAll();
        h.tick(n1, CONFIG.heartbeatIntervalTicks());
        h.deliverAll();
        assertThat(n1.cluster()).isEqualTo(ClusterConfig.ofVoters(List.of(N1, N2)));
        assertThat(n1.commitIndex()).isEqualTo(n1.lastIndex());
        long term = n1.term();
        h.heal();
        RaftNode n3 = h.node("n3");
        for (int i = 0; i < 20; i++) {
            h.tick(n3, CONFIG.electionTimeoutMaxTicks());
            h.tick(n1, CONFIG.heartbeatIntervalTicks());
            h.tick(h.node("n2"), 1);
            h.deliverAll();
        }
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        assertThat(n1.term()).as("PreVote and the leader lease keep n3's campaigns from deposing anyone").isEqualTo(term);
    }

    /**
     * Found by the simulator (seed 951): n2 led the joint configuration that removes it, appended
     * C(new) and crashed before n1 had it. n1, still joint, needs n2's vote, which n2 refuses (its
     * log is newer); so n2, removed by a C(new) not known committed, campaigns, asking C(new)'s
     * voters only, and as leader commits C(new) and steps down.
     */
    @Test
    void aNodeRemovedByAnUncommittedNewConfigurationItHoldsCampaignsSoTheOthersCanGoOn() {
        ClusterConfig two = ClusterConfig.ofVoters(List.of(N1, N2));
        ClusterConfig one = ClusterConfig.ofVoters(List.of(N1));
        List<LogEntry> log = List.of(LogEntry.noOp(1, 1), LogEntry.configuration(2, 1, two.jointWith(one)),
                LogEntry.configuration(3, 1, one));
        RaftNode n2 = new RaftNode(N2, two, NO_EXTRAS, new SplittableRandom(1), new HardState(1, null, 2), log, 0, 0);
        assertThat(n2.cluster()).isEqualTo(one);
        for (int i = 0; i < NO_EXTRAS.electionTimeoutMaxTicks() && n2.role() != Role.CANDIDATE; i++) {
            n2.tick();
        }
        assertThat(n2.role()).isEqualTo(Role.CANDIDATE);
        List<NodeId> asked = n2.ready().messages().stream().filter(m -> m instanceof RequestVote).map(m -> m.to()).toList();
        assertThat(asked).containsExactly(N1);
        n2.step(new VoteReply(N1, N2, n2.term(), true, false));
        assertThat(n2.role()).as("n1's vote is a majority of C(new)").isEqualTo(Role.LEADER);

        RaftNode committed = new RaftNode(N2, two, NO_EXTRAS, new SplittableRandom(1), new HardState(1, null, 3), log, 0, 0);
        for (int i = 0; i < NO_EXTRAS.electionTimeoutMaxTicks() * 3; i++) {
            committed.tick();
        }
        assertThat(committed.role()).as("once it knows C(new) committed it never campaigns").isEqualTo(Role.FOLLOWER);
    }

    /** Found by the simulator (seed 2147): its commands after C(new) could commit only once it had stepped down, unseen. */
    @Test
    void aLeaderThatTheNewConfigurationRemovesRefusesCommandsOnceItHasAppendedIt() {
        Harness h = threeWithLeader(CONFIG);
        RaftNode n1 = h.node("n1");
        ClusterConfig without = ClusterConfig.ofVoters(List.of(N2, N3));
        assertThat(change(h, "n1", without)).isInstanceOf(ProposeResult.Accepted.class);
        assertThat(h.propose("n1", "while joint")).as("still a voter of C(old,new)").isInstanceOf(ProposeResult.Accepted.class);
        while (!n1.cluster().equals(without) && !h.inFlight.isEmpty()) {
            io.raftkit.api.message.RaftMessage m = h.inFlight.remove(0);
            RaftNode to = h.nodes.get(m.to());
            to.step(m);
            h.process(to);
        }
        assertThat(n1.cluster()).isEqualTo(without);
        assertThat(n1.role()).as("C(new) is appended, not committed").isEqualTo(Role.LEADER);
        ProposeResult r = n1.propose(new byte[] {1});
        assertThat(r).isInstanceOf(ProposeResult.Rejected.class);
        assertThat(((ProposeResult.Rejected) r).reason()).contains("leaving the cluster");
    }
}
