package io.raftkit.verifier.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.nemesis.Members.Reply;
import io.raftkit.verifier.nemesis.MembershipChange.Kind;
import io.raftkit.verifier.nemesis.MembershipChange.Outcome;
import io.raftkit.verifier.nemesis.MembershipChange.Status;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Each membership change's steps against a fake cluster ({@link FakeMembers}): their order (above
 * all: no wipe before the removal is answered 200), retries through refusals and silence, and how a
 * change that cannot finish gives up and says where.
 */
class MembershipChangeTest {

    private final FakeMembers cluster = new FakeMembers();

    private final MembershipChange.Hands hands = new MembershipChange.Hands() {
        @Override
        public void wipe(String node) {
            cluster.wipe(node);
        }

        @Override
        public void join(String node, String memberId, String via) {
            cluster.join(node, memberId, via);
        }

        @Override
        public boolean exited(String node) {
            return !cluster.down.contains(node) && !cluster.running(node);
        }
    };

    private Outcome run(Kind kind, String node, String freshId, Duration limit) throws InterruptedException {
        return new MembershipChange(kind, node, freshId, cluster, cluster, hands, 1, () -> false,
                System.nanoTime() + limit.toNanos(), new SplittableRandom(3)).run();
    }

    /** The first {@code times} requests that start with {@code prefix} get {@code reply}. */
    private static java.util.function.Function<String, Reply> first(int times, String prefix, Reply reply) {
        AtomicInteger seen = new AtomicInteger();
        return request -> request.startsWith(prefix) && seen.incrementAndGet() <= times ? reply : null;
    }

    @Test
    void rejoinWipesTheNodeOnlyOnceItsRemovalIsAnsweredThenJoinsItEmptyAndPromotesIt() throws Exception {
        cluster.before = first(3, "remove", new Reply(409, "another change is in flight"));
        Outcome outcome = run(Kind.REJOIN, "n3", null, Duration.ofSeconds(5));

        assertThat(outcome.status()).as(outcome.toString()).isEqualTo(Status.DONE);
        assertThat(cluster.log).containsSubsequence("remove n3: HTTP 409 another change is in flight", "removed n3", "wipe n3",
                "join n3 in n3 via n1", "added n3", "promoted n3");
        assertThat(cluster.log.indexOf("wipe n3")).isGreaterThan(cluster.log.indexOf("removed n3"));
        assertThat(cluster.voters).containsExactly("n1", "n2", "n3", "n4", "n5");
        assertThat(cluster.learners).isEmpty();
    }

    @Test
    void aRemovalNeverAnsweredLeavesTheNodeAndItsDataAloneAndTimesOut() throws Exception {
        cluster.before = request -> request.startsWith("remove") ? new Reply(Reply.NO_ANSWER, "timed out") : null;
        Outcome outcome = run(Kind.REJOIN, "n3", null, Duration.ofMillis(200));

        assertThat(outcome.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(outcome.detail()).contains("remove n3").contains("timed out");
        assertThat(cluster.log).noneMatch(e -> e.startsWith("wipe") || e.startsWith("join"));
        assertThat(cluster.vacant).isEmpty();
    }

    @Test
    void replaceGivesTheSlotAFreshIdAndRemovesTheDeadIdOnlyOnceTheNewOneVotes() throws Exception {
        cluster.before = first(2, "promote", new Reply(409, "n6 is 500 entries behind"));
        Outcome outcome = run(Kind.REPLACE, "n2", "n6", Duration.ofSeconds(5));

        assertThat(outcome.status()).as(outcome.toString()).isEqualTo(Status.DONE);
        assertThat(cluster.log).containsSubsequence("wipe n2", "join n6 in n2 via n1", "added n6",
                "promote n6: HTTP 409 n6 is 500 entries behind", "promoted n6", "removed n2");
        assertThat(cluster.memberId("n2")).isEqualTo("n6");
        assertThat(cluster.voters).containsExactly("n1", "n3", "n4", "n5", "n6");
    }

    @Test
    void aLearnerIsPromotedOnlyOnceItHasCaughtUp() throws Exception {
        cluster.behind.add("n3");
        Thread unblock = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (cluster) {
                cluster.log.add("caught up");
                cluster.behind.clear();
            }
        });
        unblock.start();
        Outcome outcome = run(Kind.REJOIN, "n3", null, Duration.ofSeconds(5));
        unblock.join();

        assertThat(outcome.status()).as(outcome.toString()).isEqualTo(Status.DONE);
        assertThat(cluster.log).containsSubsequence("added n3", "caught up", "promoted n3");
    }

    @Test
    void aJoiningNodeThatExitsBeforeItIsAddedIsStartedAgainEmpty() throws Exception {
        cluster.joinersThatExit = 2;
        Outcome outcome = run(Kind.REJOIN, "n4", null, Duration.ofSeconds(5));

        assertThat(outcome.status()).as(outcome.toString()).isEqualTo(Status.DONE);
        assertThat(cluster.log).containsSubsequence("removed n4", "wipe n4", "join n4 in n4 via n1", "n4 exited", "wipe n4",
                "join n4 in n4 via n1", "n4 exited", "wipe n4", "join n4 in n4 via n1", "added n4", "promoted n4");
    }

    @Test
    void aJoiningNodeHeldDownByAKillIsLeftToTheKillAndNotStartedAgain() throws Exception {
        cluster.joinersKilled = 1;
        Outcome outcome = run(Kind.REJOIN, "n4", null, Duration.ofMillis(300));

        assertThat(outcome.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(cluster.log.stream().filter(e -> e.equals("wipe n4")).count()).isEqualTo(1);
    }

    @Test
    void moveLeaderHandsTheLeadershipToAnotherVoterThroughSilence() throws Exception {
        cluster.before = first(2, "lead", new Reply(Reply.NO_ANSWER, "connection refused"));
        Outcome outcome = run(Kind.MOVE_LEADER, null, null, Duration.ofSeconds(5));

        assertThat(outcome.status()).as(outcome.toString()).isEqualTo(Status.DONE);
        assertThat(cluster.leader).isNotEqualTo("n1").isIn(cluster.voters);
        assertThat(outcome.detail()).isEqualTo("n1 -> " + cluster.leader);
    }

    @Test
    void aTransferRefusedUntilTheDeadlineEndsRefusedWithTheNodesReason() throws Exception {
        cluster.before = request -> request.startsWith("lead") ? new Reply(409, "the target is 40 entries behind") : null;
        Outcome outcome = run(Kind.MOVE_LEADER, null, null, Duration.ofMillis(200));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(outcome.detail()).contains("the target is 40 entries behind");
        assertThat(cluster.leader).isEqualTo("n1");
    }

    @Test
    void aBadRequestIsNotRetried() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        cluster.before = request -> request.startsWith("remove") && asked.incrementAndGet() > 0 ? new Reply(400, "bad id") : null;
        Outcome outcome = run(Kind.REJOIN, "n5", null, Duration.ofSeconds(5));

        assertThat(outcome.status()).isEqualTo(Status.REFUSED);
        assertThat(asked.get()).isEqualTo(1);
        assertThat(cluster.vacant).isEmpty();
    }

    @Test
    void anAbortedChangeStopsAtItsNextAttempt() throws Exception {
        cluster.before = request -> new Reply(503, "no leader");
        Outcome outcome = new MembershipChange(Kind.REJOIN, "n2", null, cluster, cluster, hands, 1, () -> true,
                System.nanoTime() + Duration.ofSeconds(5).toNanos(), new SplittableRandom(3)).run();

        assertThat(outcome.status()).isEqualTo(Status.ABORTED);
        assertThat(cluster.log).noneMatch(e -> e.startsWith("wipe"));
    }

    @Test
    void theFinalHealRestoresEveryNodeAsAVoterWhateverTheChangesLeftHalfDone() throws Exception {
        // n3 not a member, its process exited (a joining node that gave up), n2 replaced by n6 which is
        // still a learner and n2 still a voter, n4 wiped and not joined yet.
        cluster.voters.remove("n3");
        cluster.exited.add("n3");
        cluster.memberIds.put("n2", "n6");
        cluster.learners.add("n6");
        cluster.vacant.add("n4");
        cluster.voters.remove("n4");
        cluster.before = first(3, "promote", new Reply(409, "another change is in flight"));

        String failure = new MembershipRestore(cluster, cluster, hands, 1).run(System.nanoTime() + Duration.ofSeconds(10).toNanos());

        assertThat(failure).isNull();
        assertThat(cluster.voters).containsExactly("n1", "n3", "n4", "n5", "n6");
        assertThat(cluster.learners).isEmpty();
        assertThat(cluster.vacant).isEmpty();
        assertThat(cluster.log).contains("removed n2", "join n4 in n4 via n1", "wipe n3", "join n3 in n3 via n1");
    }

    @Test
    void aRestoreThatCannotFinishSaysWhatIsMissing() throws Exception {
        cluster.voters.remove("n2");
        cluster.memberIds.put("n2", "n6");
        cluster.learners.add("n6");
        cluster.before = request -> new Reply(409, "learner n6 is 9000 entries behind");

        String failure = new MembershipRestore(cluster, cluster, hands, 1).run(System.nanoTime() + Duration.ofMillis(200).toNanos());

        assertThat(failure).contains("not restored").contains("9000 entries behind");
    }

    @Test
    void theMembersDocumentIsReadAsTheKvStoreWritesItAJointOneIsNotSettled() throws Exception {
        // The shape of MemberRoutes.document during a replacement: n2 leaving, n6 entering.
        String joint = "{\"leader\":\"n1\",\"leaderHttp\":\"http://127.0.0.1:8001\",\"joint\":true,\"members\":["
                + "{\"id\":\"n1\",\"role\":\"voter\",\"raft\":\"127.0.0.1:7001\",\"http\":\"http://127.0.0.1:8001\",\"matchIndex\":40},"
                + "{\"id\":\"n2\",\"role\":\"voter\",\"raft\":\"127.0.0.1:7002\",\"http\":null,\"outgoing\":true},"
                + "{\"id\":\"n6\",\"role\":\"voter\",\"raft\":\"127.0.0.1:7006\",\"http\":\"http://127.0.0.1:8006\",\"incoming\":true},"
                + "{\"id\":\"n7\",\"role\":\"learner\",\"raft\":\"127.0.0.1:7007\",\"http\":null}]}";
        Members.View view = MembersHttp.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(joint));

        assertThat(view.leader()).contains("n1");
        assertThat(view.joint()).isTrue();
        assertThat(view.ids()).containsExactly("n1", "n2", "n6", "n7");
        assertThat(view.voters()).containsExactly("n1", "n6");
        assertThat(view.member("n7").orElseThrow().voter()).isFalse();
        assertThat(view.settledOn(Set.of("n1", "n6"))).isFalse();
        Members.View settled = MembersHttp.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"leader\":null,\"joint\":false,\"members\":[{\"id\":\"n1\",\"role\":\"voter\"},{\"id\":\"n6\",\"role\":\"voter\"}]}"));
        assertThat(settled.leader()).isEmpty();
        assertThat(settled.settledOn(Set.of("n1", "n6"))).isTrue();
        assertThat(settled.settledOn(Set.of("n1", "n2"))).isFalse();
    }

    @Test
    void planNamesABadChangeAndRejectsAnEmptyList() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MembershipPlan(List.of("rejoin", "grow"), Duration.ofSeconds(1)))
                .hasMessageContaining("'grow'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MembershipPlan(List.of(), Duration.ofSeconds(1)))
                .hasMessageContaining("at least one");
        assertThat(new MembershipPlan(List.of("replace", "move-leader"), Duration.ofSeconds(1)).kind(3)).isEqualTo(Kind.MOVE_LEADER);
        assertThat(Set.of(Kind.values())).hasSize(3);
    }

}
