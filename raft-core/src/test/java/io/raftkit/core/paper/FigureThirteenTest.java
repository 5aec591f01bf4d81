package io.raftkit.core.paper;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.SnapshotKind;
import io.raftkit.api.SnapshotMeta;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.InstallSnapshot;
import io.raftkit.api.message.InstallSnapshotReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.core.RaftNode;
import io.raftkit.core.Ready;
import io.raftkit.core.Role;
import io.raftkit.core.SnapshotChunk;
import io.raftkit.core.progress.SnapshotSend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The InstallSnapshot RPC (Figure 13 of the paper, §7; thesis §5.3), one test per rule, on the pure node. */
class FigureThirteenTest {

    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final ClusterConfig THREE = ClusterConfig.ofVoters(List.of(N1, N2, N3));
    private static final RaftConfig CONFIG = RaftConfig.builder().electionTimeoutTicks(10, 20)
            .heartbeatIntervalTicks(2).preVote(false).checkQuorum(false).maxInflightAppends(2).build();
    /** A 100-byte snapshot of entries 1..10, all of term 1. */
    private static final SnapshotMeta SNAPSHOT = new SnapshotMeta("10-1-00000000", 10, 1, THREE, SnapshotKind.BYTES, 100, 0);

    private static List<LogEntry> log(int from, int to, long term) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(LogEntry.command(i, term, new byte[] {(byte) i}));
        }
        return out;
    }

    private static RaftNode follower(long term, long commit, List<LogEntry> log) {
        return new RaftNode(N2, THREE, CONFIG, new SplittableRandom(1), new HardState(term, null, commit), log, 0, 0);
    }

    private static InstallSnapshot chunk(long term, long offset, int length) {
        return new InstallSnapshot(N1, N2, term, SNAPSHOT, offset, new byte[length], offset + length == SNAPSHOT.sizeBytes());
    }

    private static List<RaftMessage> sent(Ready r) {
        List<RaftMessage> all = new ArrayList<>(r.messagesBeforePersist());
        all.addAll(r.messages());
        return all;
    }

    @Test
    void replyImmediatelyIfTermLessThanCurrentTerm() {
        RaftNode f = follower(5, 0, log(1, 3, 1));
        f.step(chunk(4, 0, 50));
        Ready r = f.ready();
        assertThat(r.snapshotChunksReceived()).as("nothing is written").isEmpty();
        assertThat(sent(r)).singleElement().satisfies(m -> {
            InstallSnapshotReply reply = (InstallSnapshotReply) m;
            assertThat(reply.term()).as("the newer term deposes the sender").isEqualTo(5);
            assertThat(reply.installed()).isFalse();
        });
    }

    @Test
    void aSnapshotAtOrBelowTheCommitIndexIsAnsweredInstalledWithoutWritingIt() {
        RaftNode f = follower(1, 12, log(1, 12, 1));
        f.step(chunk(1, 0, 50));
        Ready r = f.ready();
        assertThat(r.snapshotChunksReceived()).isEmpty();
        assertThat(r.installedSnapshot()).isNull();
        assertThat(sent(r)).singleElement().satisfies(m -> assertThat(((InstallSnapshotReply) m).installed()).isTrue());
        assertThat(f.lastIndex()).as("the log is kept").isEqualTo(12);
    }

    @Test
    void chunksOfTheCurrentLeaderAreHandedToTheDriverAndAnsweredWithTheReceiversOffset() {
        RaftNode f = follower(1, 0, log(1, 3, 1));
        InstallSnapshot first = chunk(1, 0, 50);
        f.step(first);
        Ready r = f.ready();
        assertThat(r.snapshotChunksReceived()).containsExactly(first);
        assertThat(sent(r)).as("no answer before the driver wrote it").isEmpty();
        f.advance(r);
        f.snapshotChunkWritten(first, 50);
        assertThat(sent(f.ready())).singleElement().satisfies(m -> {
            InstallSnapshotReply reply = (InstallSnapshotReply) m;
            assertThat(reply.nextOffset()).isEqualTo(50);
            assertThat(reply.installed()).isFalse();
        });
    }

    @Test
    void ifExistingEntryHasSameIndexAndTermAsSnapshotsLastIncludedEntryRetainLogEntriesFollowingIt() {
        RaftNode f = follower(1, 0, log(1, 14, 1));
        InstallSnapshot last = chunk(1, 50, 50);
        f.snapshotInstalled(last, SNAPSHOT);
        Ready r = f.ready();
        assertThat(r.installedSnapshot()).as("no reset, no restore: the log goes on from the snapshot").isNull();
        assertThat(f.lastIndex()).isEqualTo(14);
        assertThat(f.commitIndex()).isEqualTo(10);
        assertThat(r.committedEntries()).as("the matching entries are applied from the log").hasSize(10);
        assertThat(r.messages()).singleElement().satisfies(m -> assertThat(((InstallSnapshotReply) m).installed()).isTrue());
    }

    @Test
    void otherwiseDiscardTheEntireLogAndResetTheStateMachineUsingTheSnapshot() {
        RaftNode f = follower(2, 0, log(1, 12, 2)); // term 2 at index 10: conflicts with the snapshot's term 1
        f.snapshotInstalled(chunk(1, 50, 50), SNAPSHOT);
        Ready r = f.ready();
        assertThat(r.installedSnapshot()).isEqualTo(SNAPSHOT);
        assertThat(r.committedEntries()).as("nothing up to the snapshot is applied from the log").isEmpty();
        assertThat(f.firstIndex()).isEqualTo(11);
        assertThat(f.lastIndex()).isEqualTo(10);
        assertThat(f.commitIndex()).isEqualTo(10);
        assertThat(r.messages()).as("installed is said after the Ready's writes, the log's reset among them")
                .singleElement().satisfies(m -> assertThat(((InstallSnapshotReply) m).installed()).isTrue());
        assertThat(r.messagesBeforePersist()).isEmpty();
    }

    /** A three-node leader whose log was compacted to 10 and whose follower n2 is still at 0. */
    private static RaftNode leaderBehindCompaction() {
        RaftNode n = new RaftNode(N1, THREE, CONFIG, new SplittableRandom(3), new HardState(1, null, 10),
                log(11, 12, 1), 10, 1, SNAPSHOT, 30);
        for (int i = 0; i < 40 && n.role() != Role.LEADER; i++) {
            n.tick();
            for (RaftMessage m : sent(drain(n))) {
                if (m instanceof io.raftkit.api.message.RequestVote rv && !rv.preVote()) {
                    n.step(new io.raftkit.api.message.VoteReply(N3, N1, rv.term(), true, false));
                }
            }
        }
        assertThat(n.role()).isEqualTo(Role.LEADER);
        drain(n);
        return n;
    }

    private static Ready drain(RaftNode n) {
        Ready r = n.ready();
        n.advance(r);
        return r;
    }

    @Test
    void aLeaderSendsTheSnapshotInABoundedWindowOfChunksToAFollowerWhoseNextEntryWasCompacted() {
        RaftNode leader = leaderBehindCompaction();
        leader.step(new AppendReply(N2, N1, leader.term(), false, 0, 0, 1, 0, 12)); // n2's log is empty
        List<SnapshotChunk> chunks = drain(leader).snapshotChunks();
        assertThat(chunks).as("two chunks of 30 bytes in flight").hasSize(2);
        assertThat(chunks.get(0).offset()).isZero();
        assertThat(chunks.get(1).offset()).isEqualTo(30);
        leader.step(new InstallSnapshotReply(N2, N1, leader.term(), SNAPSHOT.id(), 10, 30, false));
        assertThat(drain(leader).snapshotChunks()).singleElement().satisfies(c -> assertThat(c.offset()).isEqualTo(60));
    }

    @Test
    void aLostChunkIsResentFromTheFollowersOffsetAfterAStall() {
        RaftNode leader = leaderBehindCompaction();
        leader.step(new AppendReply(N2, N1, leader.term(), false, 0, 0, 1, 0, 12));
        drain(leader); // chunks at 0 and 30, both lost
        List<SnapshotChunk> resent = new ArrayList<>();
        for (int i = 0; i < 10 && resent.isEmpty(); i++) {
            leader.tick();
            resent.addAll(drain(leader).snapshotChunks());
        }
        assertThat(resent).extracting(SnapshotChunk::offset).containsExactly(0L, 30L);
    }

    @Test
    void theTransferEndsWhenTheFollowerSaysInstalledAndReplicationResumesAfterTheSnapshot() {
        RaftNode leader = leaderBehindCompaction();
        leader.step(new AppendReply(N2, N1, leader.term(), false, 0, 0, 1, 0, 12));
        drain(leader);
        leader.step(new InstallSnapshotReply(N2, N1, leader.term(), SNAPSHOT.id(), 10, 100, true));
        Ready r = drain(leader);
        assertThat(r.snapshotChunks()).isEmpty();
        assertThat(sent(r)).anySatisfy(m -> {
            assertThat(m).isInstanceOf(io.raftkit.api.message.AppendEntries.class);
            assertThat(((io.raftkit.api.message.AppendEntries) m).prevLogIndex()).isEqualTo(10);
        });
        assertThat(leader.snapshotInstallsSent()).isEqualTo(1);
    }

    @Test
    void aTermChangeCancelsTheTransfer() {
        RaftNode leader = leaderBehindCompaction();
        leader.step(new AppendReply(N2, N1, leader.term(), false, 0, 0, 1, 0, 12));
        drain(leader);
        leader.step(new InstallSnapshotReply(N2, N1, leader.term() + 1, SNAPSHOT.id(), 10, 30, false));
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        for (int i = 0; i < 5; i++) {
            leader.tick();
            assertThat(drain(leader).snapshotChunks()).isEmpty();
        }
    }

    @Test
    void aStaleAnswerDoesNotMoveTheWindowBackButTheLatestAnswerIsWhereAStallResends() {
        SnapshotSend send = new SnapshotSend(SNAPSHOT, 30, 2, 0);
        send.nextChunk();
        send.nextChunk();
        send.answered(60, 1);
        send.answered(30, 2); // overtaken by the answer to the later chunk
        assertThat(send.acked()).isEqualTo(60);
        assertThat(send.nextChunk().offset()).isEqualTo(60);
        send.answered(0, 3); // the follower discarded the transfer (a checksum that failed)
        assertThat(send.rewindIfStalled(4, 5)).isFalse();
        assertThat(send.rewindIfStalled(6, 5)).isTrue();
        assertThat(send.nextChunk().offset()).as("starts over").isZero();
    }

    @Test
    void aFollowerThatInstalledASnapshotTheLeaderCompactedPastGetsTheNewestOne() {
        RaftNode leader = leaderBehindCompaction();
        leader.step(new AppendReply(N2, N1, leader.term(), false, 0, 0, 1, 0, 12));
        drain(leader); // the transfer of the snapshot at 10 is under way
        SnapshotMeta newer = new SnapshotMeta("12-1-00000000", 12, 1, THREE, SnapshotKind.BYTES, 40, 0);
        leader.snapshotTaken(newer);
        leader.compact(12);
        leader.step(new InstallSnapshotReply(N2, N1, leader.term(), SNAPSHOT.id(), 10, 100, true));
        List<SnapshotChunk> chunks = drain(leader).snapshotChunks();
        assertThat(chunks).as("the newest snapshot, from its first byte").isNotEmpty()
                .allSatisfy(c -> assertThat(c.snapshot()).isEqualTo(newer));
        assertThat(chunks.get(0).offset()).isZero();
    }
}
