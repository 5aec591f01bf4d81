package io.raftkit.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.ClusterConfig;
import io.raftkit.api.HardState;
import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.RaftConfig;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.VoteReply;
import io.raftkit.core.LogRead;
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
 * Issue 16: a leader whose log keeps no applied entries in memory (a cache of none) serves a
 * lagging follower through LogStore reads it asks its driver for, and sends an answer only while
 * it is still what the follower needs and matches the log.
 */
class EvictedEntriesTest {

    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final ClusterConfig THREE = ClusterConfig.ofVoters(List.of(N1, N2, N3));
    private static final RaftConfig NO_CACHE = RaftConfig.builder().electionTimeoutTicks(10, 20)
            .heartbeatIntervalTicks(2).preVote(false).checkQuorum(false).logCache(0, 0).build();

    private static List<LogEntry> log(long... terms) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            out.add(LogEntry.command(i + 1, terms[i], new byte[] {(byte) i}));
        }
        return out;
    }

    private static Ready step(RaftNode node) {
        Ready r = node.ready();
        node.advance(r); // durable at once
        return r;
    }

    /** n1 leads term 2 over entries 1..5 of term 1 and its no-op at 6, all committed, applied and evicted. */
    private static RaftNode leaderWithEverythingEvicted() {
        RaftNode n1 = new RaftNode(N1, THREE, NO_CACHE, new SplittableRandom(1), new HardState(1, null, 0), log(1, 1, 1, 1, 1), 0, 0);
        for (int i = 0; i < 40 && n1.role() != Role.CANDIDATE; i++) {
            n1.tick();
        }
        step(n1);
        n1.step(new VoteReply(N2, N1, 2, true, false));
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        step(n1);
        n1.step(new AppendReply(N2, N1, 2, true, 6, 0, 0, 0, 5));
        Ready applied = step(n1);
        assertThat(applied.committedEntries()).hasSize(6);
        assertThat(n1.logEntriesInMemory()).as("a cache of none keeps nothing applied").isZero();
        return n1;
    }

    /** n3 answers that its log is empty: the leader must send from index 1, which only the store holds. */
    private static LogRead followerNeedsEvictedEntries(RaftNode n1) {
        n1.step(new AppendReply(N3, N1, 2, false, 0, 0, 1, 0, 5));
        Ready r = step(n1);
        assertThat(appendsTo(r, N3)).as("nothing sent before the store answers").isEmpty();
        assertThat(r.logReads()).hasSize(1);
        return r.logReads().get(0);
    }

    private static List<AppendEntries> appendsTo(Ready r, NodeId to) {
        return r.messagesBeforePersist().stream().filter(m -> m instanceof AppendEntries && m.to().equals(to))
                .map(AppendEntries.class::cast).filter(ae -> !ae.entries().isEmpty()).toList();
    }

    @Test
    void aLaggingFollowerGetsTheEvictedEntriesOnceTheDriverReadThemFromTheStore() {
        RaftNode n1 = leaderWithEverythingEvicted();
        LogRead read = followerNeedsEvictedEntries(n1);
        assertThat(read.peer()).isEqualTo(N3);
        assertThat(read.from()).isEqualTo(1);
        assertThat(read.to()).isEqualTo(6);
        n1.step(new AppendReply(N3, N1, 2, false, 0, 0, 1, 0, 5)); // a duplicate rejection
        assertThat(step(n1).logReads()).as("the same read is not asked twice").isEmpty();
        n1.entriesRead(read, log(1, 1, 1));
        List<AppendEntries> sent = appendsTo(step(n1), N3);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).prevLogIndex()).isZero();
        assertThat(sent.get(0).entries()).extracting(LogEntry::index).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anAnswerThatDoesNotMatchTheLogIsDroppedAndAskedAgain() {
        RaftNode n1 = leaderWithEverythingEvicted();
        LogRead read = followerNeedsEvictedEntries(n1);
        n1.entriesRead(read, log(1, 1, 7)); // index 3 of term 7: not this log's entry there
        Ready r = step(n1);
        assertThat(appendsTo(r, N3)).isEmpty();
        assertThat(r.logReads()).extracting(LogRead::from).containsExactly(1L);
    }

    @Test
    void anAnswerOvertakenByTheFollowersProgressIsDroppedThoughTheMutantSendsIt() throws Exception {
        for (Mutant mutant : List.of(Mutant.NONE, Mutant.LOG_READ_ANSWER_TRUSTED)) {
            MutantScope.with(mutant, () -> {
                RaftNode n1 = leaderWithEverythingEvicted();
                LogRead read = followerNeedsEvictedEntries(n1);
                // Meanwhile n3 caught up by other means (a snapshot, say) and says so.
                n1.step(new AppendReply(N3, N1, 2, true, 6, 0, 0, 0, 6));
                step(n1);
                n1.entriesRead(read, log(1, 1, 1));
                List<AppendEntries> sent = appendsTo(step(n1), N3);
                if (mutant == Mutant.NONE) {
                    assertThat(sent).as("entries n3 no longer needs").isEmpty();
                } else {
                    assertThat(sent).as("the mutant sends the stale answer").hasSize(1);
                }
            });
        }
    }

    @Test
    void anAnswerFromAnEarlierTermIsDropped() {
        RaftNode n1 = leaderWithEverythingEvicted();
        LogRead read = followerNeedsEvictedEntries(n1);
        n1.step(new AppendReply(N2, N1, 3, false, 0, 0, 0, 0, 0)); // deposed
        assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
        step(n1);
        n1.entriesRead(read, log(1, 1, 1));
        assertThat(appendsTo(step(n1), N3)).isEmpty();
    }
}
