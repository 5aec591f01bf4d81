package io.raftkit.core.paper;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.ReadRoundAck;
import io.raftkit.api.message.RequestVote;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.message.VoteReply;
import io.raftkit.core.Mutant;
import io.raftkit.core.MutantScope;
import io.raftkit.core.ProposeResult;
import io.raftkit.core.RaftNode;
import io.raftkit.core.ReadState;
import io.raftkit.core.Ready;
import io.raftkit.core.Role;
import io.raftkit.core.scenario.Harness;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One test per rule of the paper's Figure 2 (and the thesis extensions we implement), named by the rule. */
class FigureTwoTest {

    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final ClusterConfig THREE = ClusterConfig.ofVoters(List.of(N1, N2, N3));
    private static final RaftConfig NO_EXTRAS = RaftConfig.builder().electionTimeoutTicks(10, 20)
            .heartbeatIntervalTicks(2).preVote(false).checkQuorum(false).build();

    private static RaftNode follower(NodeId id, long term, List<LogEntry> log) {
        return new RaftNode(id, THREE, NO_EXTRAS, new SplittableRandom(1), new HardState(term, null, 0), log, 0, 0);
    }

    private static List<LogEntry> log(long... terms) {
        LogEntry[] out = new LogEntry[terms.length];
        for (int i = 0; i < terms.length; i++) {
            out[i] = LogEntry.command(i + 1, terms[i], new byte[] {(byte) i});
        }
        return List.of(out);
    }

    private static List<RaftMessage> sent(RaftNode node) {
        Ready r = node.ready();
        node.advance(r);
        List<RaftMessage> all = new java.util.ArrayList<>(r.messagesBeforePersist());
        all.addAll(r.messages());
        return all;
    }

    /** Registers read {@code requestId} on {@code leader}, takes its Ready, and returns what it sends {@code to}. */
    private static List<AppendEntries> startReadRound(RaftNode leader, long requestId, NodeId to) {
        leader.readIndex(requestId);
        Ready ready = leader.ready();
        leader.advance(ready);
        return ready.messagesBeforePersist().stream()
                .filter(m -> m instanceof AppendEntries && m.to().equals(to)).map(AppendEntries.class::cast).toList();
    }

    @Test
    void ifRpcRequestOrResponseContainsTermGreaterThanCurrentTermSetCurrentTermAndConvertToFollower() {
        Harness h = new Harness(3, NO_EXTRAS);
        RaftNode leader = h.elect("n1");
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        leader.step(new AppendReply(N2, N1, leader.term() + 5, false, 0, 0, 0, 0, 0));
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(leader.term()).isEqualTo(6);
    }

    @Test
    void appendEntriesRepliesFalseIfTermLessThanCurrentTerm() {
        RaftNode f = follower(N2, 5, log(1, 2));
        f.step(new AppendEntries(N1, N2, 4, 2, 2, List.of(), 2, 0));
        List<RaftMessage> out = sent(f);
        assertThat(out).singleElement().isInstanceOfSatisfying(AppendReply.class, r -> {
            assertThat(r.success()).isFalse();
            assertThat(r.term()).isEqualTo(5);
        });
        assertThat(f.commitIndex()).isZero();
    }

    @Test
    void appendEntriesRepliesFalseIfLogDoesNotContainAnEntryAtPrevLogIndexWhoseTermMatchesPrevLogTerm() {
        RaftNode f = follower(N2, 3, log(1, 1, 2));
        f.step(new AppendEntries(N1, N2, 3, 3, 3, List.of(LogEntry.command(4, 3, new byte[0])), 0, 0));
        List<RaftMessage> out = sent(f);
        assertThat(out).singleElement().isInstanceOfSatisfying(AppendReply.class, r -> {
            assertThat(r.success()).isFalse();
            assertThat(r.conflictTerm()).as("conflict hint: the term at prevLogIndex").isEqualTo(2);
            assertThat(r.conflictIndex()).as("conflict hint: first index of that term").isEqualTo(3);
        });
        assertThat(f.lastIndex()).isEqualTo(3);
    }

    @Test
    void ifAnExistingEntryConflictsWithANewOneDeleteTheExistingEntryAndAllThatFollowIt() {
        RaftNode f = follower(N2, 3, log(1, 1, 2, 2));
        f.step(new AppendEntries(N1, N2, 3, 2, 1, List.of(LogEntry.command(3, 3, new byte[0])), 0, 0));
        sent(f);
        assertThat(f.lastIndex()).isEqualTo(3);
        assertThat(f.termAt(3)).isEqualTo(3);
    }

    @Test
    void ifLeaderCommitGreaterThanCommitIndexSetCommitIndexToMinOfLeaderCommitAndIndexOfLastNewEntry() {
        RaftNode f = follower(N2, 1, log());
        f.step(new AppendEntries(N1, N2, 1, 0, 0, log(1, 1), 9, 0));
        assertThat(f.commitIndex()).isEqualTo(2);
    }

    @Test
    void requestVoteRepliesFalseIfVotedForIsAnotherCandidateInThisTerm() {
        RaftNode voter = follower(N3, 1, log(1));
        voter.step(new RequestVote(N1, N3, 2, 1, 1, false, false));
        voter.step(new RequestVote(N2, N3, 2, 1, 1, false, false));
        List<RaftMessage> out = sent(voter);
        assertThat(out).extracting(m -> ((VoteReply) m).granted()).containsExactly(true, false);
        assertThat(voter.votedFor()).contains(N1);
    }

    @Test
    void requestVoteGrantsOnlyIfCandidatesLogIsAtLeastAsUpToDateAsReceiversLog() {
        RaftNode voter = follower(N3, 2, log(1, 2));
        voter.step(new RequestVote(N1, N3, 3, 5, 1, false, false));
        assertThat(sent(voter)).singleElement().isInstanceOfSatisfying(VoteReply.class, r -> assertThat(r.granted()).isFalse());
        voter.step(new RequestVote(N2, N3, 3, 2, 2, false, false));
        assertThat(sent(voter)).singleElement().isInstanceOfSatisfying(VoteReply.class, r -> assertThat(r.granted()).isTrue());
    }

    @Test
    void voteRepliesLeaveOnlyAfterVotedForIsDurable() {
        RaftNode voter = follower(N3, 1, log());
        voter.step(new RequestVote(N1, N3, 2, 0, 0, false, false));
        Ready r = voter.ready();
        assertThat(r.hardState()).isEqualTo(new HardState(2, N1, 0));
        assertThat(r.messagesBeforePersist()).isEmpty();
        assertThat(r.messages()).singleElement().isInstanceOf(VoteReply.class);
    }

    @Test
    void leaderCommitsOnlyEntriesFromItsCurrentTermByCountingReplicas() {
        // §5.4.2 / Figure 8: n1 holds an old-term entry; as leader of term 4 it must not commit
        // index 2 because a majority stores it, only once its own term-4 entry is on a majority.
        RaftNode n1 = new RaftNode(N1, THREE, NO_EXTRAS, new SplittableRandom(1), new HardState(3, null, 0), log(1, 2), 0, 0);
        for (int i = 0; i < 20 && n1.role() != Role.CANDIDATE; i++) {
            n1.tick();
        }
        sent(n1);
        n1.step(new VoteReply(N2, N1, 4, true, false));
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        sent(n1); // persists the no-op at index 3, term 4
        n1.step(new AppendReply(N2, N1, 4, true, 2, 0, 0, 0, 1));
        assertThat(n1.commitIndex()).as("index 2 is on a majority but from term 2").isZero();
        n1.step(new AppendReply(N2, N1, 4, true, 3, 0, 0, 0, 2));
        assertThat(n1.commitIndex()).isEqualTo(3);
    }

    @Test
    void aLeaderCountsItsOwnEntriesOnlyOnceTheDriverMadeThemDurable() {
        RaftNode solo = new RaftNode(N1, ClusterConfig.ofVoters(List.of(N1)), NO_EXTRAS, new SplittableRandom(1),
                HardState.INITIAL, List.of(), 0, 0);
        for (int i = 0; i < 20 && solo.role() != Role.LEADER; i++) {
            solo.tick();
        }
        sent(solo);
        ProposeResult r = solo.propose(new byte[] {7});
        assertThat(r).isInstanceOf(ProposeResult.Accepted.class);
        long before = solo.commitIndex();
        Ready ready = solo.ready();
        assertThat(solo.commitIndex()).as("not durable yet").isEqualTo(before);
        solo.advance(ready);
        assertThat(solo.commitIndex()).isEqualTo(2);
    }

    @Test
    void preVoteKeepsAPartitionedNodeFromRaisingItsTerm() {
        Harness h = new Harness(3);
        h.elect("n1");
        long term = h.node("n1").term();
        h.partition(List.of("n3"));
        h.tick(h.node("n3"), 200);
        h.deliverAll();
        assertThat(h.node("n3").term()).isEqualTo(term);
        h.heal();
        h.tick(h.node("n1"), 4);
        h.deliverAll();
        assertThat(h.node("n1").role()).as("the healed node does not depose the leader").isEqualTo(Role.LEADER);
    }

    @Test
    void withCheckQuorumALeaderThatHearsFromNoMajorityForAnElectionTimeoutStepsDown() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.partition(List.of("n1"));
        h.tick(leader, h.config().electionTimeoutMinTicks() * 2 + 1);
        h.deliverAll();
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void readIndexServesOnlyAfterAQuorumConfirmedLeadershipInAHeartbeatRound() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "x");
        h.deliverAll();
        leader.readIndex(42);
        h.process(leader);
        assertThat(h.events).noneMatch(e -> e.contains("read 42"));
        h.deliverAll();
        assertThat(h.events).contains("n1 read 42 ready at index " + leader.commitIndex());
    }

    @Test
    void aFollowerAcknowledgesAReadRoundBeforeItsPendingWriteIsDurableAndTheAckConfirmsTheRead() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "x");
        h.deliverAll();
        RaftNode follower = h.node("n2");
        leader.propose("y".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<AppendEntries> toN2 = startReadRound(leader, 42, N2);
        long round = toN2.stream().mapToLong(AppendEntries::readRound).max().orElseThrow();
        assertThat(round).isPositive();

        toN2.forEach(follower::step);
        Ready fromFollower = follower.ready(); // its write of "y" is not durable: not advanced

        ReadRoundAck ack = new ReadRoundAck(N2, N1, leader.term(), round);
        assertThat(fromFollower.entries()).isNotEmpty();
        assertThat(fromFollower.messagesBeforePersist()).containsExactly(ack);
        assertThat(fromFollower.messages()).isNotEmpty().allMatch(m -> m instanceof AppendReply);
        leader.step(ack);
        assertThat(leader.ready().readStates()).extracting(ReadState::requestId).containsExactly(42L);

        toN2.forEach(follower::step); // the same round again (a duplicate, or a heartbeat before the next round)
        assertThat(follower.ready().messagesBeforePersist()).noneMatch(m -> m instanceof ReadRoundAck);
    }

    @Test
    void aFollowerWithNothingToPersistAnswersAReadRoundWithItsAppendReplyAlone() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "x");
        h.deliverAll();
        RaftNode follower = h.node("n2");
        startReadRound(leader, 42, N2).forEach(follower::step);

        Ready fromFollower = follower.ready();

        assertThat(fromFollower.entries()).isEmpty();
        assertThat(fromFollower.messagesBeforePersist()).isEmpty();
        assertThat(fromFollower.messages()).singleElement().isInstanceOfSatisfying(AppendReply.class,
                r -> assertThat(r.readRound()).isPositive());
    }

    @Test
    void aReadRoundAckFromAnEarlierTermConfirmsNothing() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "x");
        h.deliverAll();
        long round = startReadRound(leader, 42, N2).stream().mapToLong(AppendEntries::readRound).max().orElseThrow();

        leader.step(new ReadRoundAck(N2, N1, leader.term() - 1, round));
        leader.step(new ReadRoundAck(N3, N1, leader.term() - 1, round));

        assertThat(leader.hasReady() ? leader.ready().readStates() : List.<ReadState>of()).isEmpty();
    }

    /**
     * Found by the simulator (seed 122): the rejection of an older term's AppendEntries carries the
     * rejecting node's term. Had it echoed the old message's read round, a leader elected in that
     * term after a restart (its rounds counting from 0 again) would take the old, higher round as an
     * acknowledgement of its new reads.
     */
    @Test
    void aRejectionOfAnOlderTermsAppendEntriesAcknowledgesNoReadRound() {
        RaftNode f = follower(N2, 5, log(1, 2));
        f.step(new AppendEntries(N1, N2, 4, 2, 2, List.of(), 2, 37));
        assertThat(sent(f)).singleElement().isInstanceOfSatisfying(AppendReply.class, r -> {
            assertThat(r.term()).isEqualTo(5);
            assertThat(r.readRound()).as("acknowledges nothing").isZero();
        });
    }

    @Test
    void onTheOldRuleTheRejectionEchoedTheOldRound() throws Exception {
        MutantScope.with(Mutant.STALE_TERM_REJECTION_ACKS, () -> org.assertj.core.api.Assertions.assertThatThrownBy(
                this::aRejectionOfAnOlderTermsAppendEntriesAcknowledgesNoReadRound).isInstanceOf(AssertionError.class));
    }

    @Test
    void aFollowerForwardsReadIndexToTheLeader() {
        Harness h = new Harness(3);
        h.elect("n1");
        h.propose("n1", "x");
        h.deliverAll();
        RaftNode follower = h.node("n2");
        follower.readIndex(7);
        h.process(follower);
        h.deliverAll();
        assertThat(h.events).contains("n2 read 7 ready at index " + h.node("n1").commitIndex());
    }

    @Test
    void leadershipTransferSendsTimeoutNowToACaughtUpTargetWhichThenWins() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "x");
        h.deliverAll();
        leader.transferLeadership(N3);
        assertThat(leader.propose(new byte[0])).isInstanceOf(ProposeResult.Rejected.class);
        h.process(leader);
        assertThat(h.inFlight).anyMatch(m -> m instanceof TimeoutNow && m.to().equals(N3));
        h.deliverAll();
        assertThat(h.node("n3").role()).isEqualTo(Role.LEADER);
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void aFollowerWhoseAppendRepliesWereLostLearnsTheCommitIndexFromHeartbeatsWithoutNewProposals() {
        Harness h = new Harness(3);
        RaftNode leader = h.elect("n1");
        h.propose("n1", "a");
        h.deliverAll();
        // n3's replies to the next entry are lost: it holds the entry but the leader never hears so.
        h.propose("n1", "b");
        RaftNode n3 = h.node("n3");
        while (!h.inFlight.isEmpty()) {
            RaftMessage m = h.inFlight.remove(0);
            if (m.from().equals(N3) || (m.to().equals(N3) && m instanceof AppendEntries ae && ae.entries().isEmpty())) {
                continue; // lost: n3's replies, and the leader's commit-carrying empty appends to it
            }
            RaftNode to = h.nodes.get(m.to());
            to.step(m);
            h.process(to);
        }
        assertThat(n3.lastIndex()).isEqualTo(leader.lastIndex());
        long committed = leader.commitIndex();
        h.tick(leader, h.config().heartbeatIntervalTicks() * 3);
        h.deliverAll();
        assertThat(n3.commitIndex()).as("n3 learns the commit index with no new proposal").isEqualTo(committed);
    }

    @Test
    void messagesForOtherNodesAreIgnored() {
        RaftNode f = follower(N2, 1, log());
        f.step(new AppendEntries(N1, N3, 9, 0, 0, List.of(), 0, 0));
        f.step(new AppendEntries(N2, N2, 9, 0, 0, List.of(), 0, 0));
        assertThat(f.term()).isEqualTo(1);
        assertThat(f.hasReady()).isFalse();
    }

    /**
     * Thesis §4.3: a member whose log lags behind a membership change must still follow a leader
     * that change added, or it could never catch up to learn of it. Issue 17 changed this: before,
     * a sender outside the node's configuration was ignored.
     */
    @Test
    void aLeaderOutsideTheFollowersConfigurationIsFollowedSoTheFollowerCanCatchUp() {
        RaftNode f = follower(N2, 1, log());
        NodeId added = NodeId.of("n4");
        f.step(new AppendEntries(added, N2, 9, 0, 0, List.of(), 0, 0));
        assertThat(f.term()).isEqualTo(9);
        assertThat(f.leader()).contains(added);
    }
}
