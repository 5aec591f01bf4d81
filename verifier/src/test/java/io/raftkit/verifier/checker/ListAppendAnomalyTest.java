package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-built list-append histories, one per anomaly class the checker reports, each reported as
 * exactly that class (G1b also as the G-single it implies), and histories that are strictly
 * serializable, concurrent or with indeterminate transactions, that must pass. Each history is a
 * few transactions: "T" names a transaction by its invocation's position, as the checker does.
 */
class ListAppendAnomalyTest {

    @TempDir
    Path dir;

    private ListAppendResult check(String edn) throws Exception {
        Path file = dir.resolve("h.edn");
        Files.writeString(file, "[" + edn + "]");
        return new ListAppendChecker().check(file);
    }

    private static String inv(int process, String mops) {
        return "{:process " + process + " :type :invoke :f :txn :value [" + mops + "]}\n";
    }

    private static String ok(int process, String mops) {
        return "{:process " + process + " :type :ok :f :txn :value [" + mops + "]}\n";
    }

    private static String done(int process, String type, String mops) {
        return "{:process " + process + " :type :" + type + " :f :txn :value [" + mops + "]}\n";
    }

    /** A transaction invoked and completed ok with nothing in between. */
    private static String txn(int process, String invoked, String completed) {
        return inv(process, invoked) + ok(process, completed);
    }

    private static void assertOnly(ListAppendResult r, String... classes) {
        assertThat(r.verdict()).as(String.join("\n", r.explain())).isEqualTo(Verdict.INVALID);
        assertThat(r.anomalyClasses()).as(String.join("\n", r.explain())).containsExactly(classes);
    }

    @SuppressWarnings("unchecked")
    private static List<String> cycleTypes(ListAppendResult r, String cls) {
        return ((List<Map<String, Object>>) r.examples(cls).get(0).get("cycle")).stream()
                .map(step -> (String) step.get("type")).toList();
    }

    @Test
    void twoTransactionsAppendingToTwoKeysInOppositeOrdersAreG0() throws Exception {
        ListAppendResult r = check(inv(0, "[:append :x 1] [:append :y 1]") + inv(1, "[:append :x 2] [:append :y 2]")
                + ok(0, "[:append :x 1] [:append :y 1]") + ok(1, "[:append :x 2] [:append :y 2]")
                + txn(2, "[:r :x nil] [:r :y nil]", "[:r :x [1 2]] [:r :y [2 1]]"));
        assertOnly(r, "G0");
        assertThat(cycleTypes(r, "G0")).containsExactly("ww", "ww");
        assertThat(r.explain().get(0)).containsAnyOf("T0 -ww-> T1 -ww-> T0", "T1 -ww-> T0 -ww-> T1")
                .contains("T1 appended 2 to :x right after T0's 1").contains("T0 appended 1 to :y right after T1's 2");
    }

    @Test
    void twoTransactionsEachReadingTheOthersAppendAreG1c() throws Exception {
        ListAppendResult r = check(inv(0, "[:append :x 1] [:r :y nil]") + inv(1, "[:append :y 1] [:r :x nil]")
                + ok(0, "[:append :x 1] [:r :y [1]]") + ok(1, "[:append :y 1] [:r :x [1]]"));
        assertOnly(r, "G1c");
        assertThat(cycleTypes(r, "G1c")).containsExactly("wr", "wr");
    }

    @Test
    void aReadThatSawOneOfATransactionsAppendsButNotTheOtherIsGSingle() throws Exception {
        ListAppendResult r = check(inv(0, "[:r :x nil] [:r :y nil]") + inv(1, "[:append :x 1] [:append :y 1]")
                + ok(1, "[:append :x 1] [:append :y 1]") + ok(0, "[:r :x []] [:r :y [1]]")
                + txn(2, "[:r :x nil]", "[:r :x [1]]"));
        assertOnly(r, "G-single");
        assertThat(cycleTypes(r, "G-single")).containsExactlyInAnyOrder("rw", "wr");
    }

    @Test
    void writeSkewIsG2() throws Exception {
        ListAppendResult r = check(inv(0, "[:r :x nil] [:append :y 1]") + inv(1, "[:r :y nil] [:append :x 1]")
                + ok(0, "[:r :x []] [:append :y 1]") + ok(1, "[:r :y []] [:append :x 1]")
                + txn(2, "[:r :x nil] [:r :y nil]", "[:r :x [1]] [:r :y [1]]"));
        assertOnly(r, "G2");
        assertThat(cycleTypes(r, "G2")).containsExactly("rw", "rw");
    }

    @Test
    void anAppendOrderedBeforeOneThatCompletedEarlierIsG0Realtime() throws Exception {
        ListAppendResult r = check(txn(0, "[:append :x 1]", "[:append :x 1]") + txn(1, "[:append :x 2]", "[:append :x 2]")
                + txn(2, "[:r :x nil]", "[:r :x [2 1]]"));
        assertOnly(r, "G0-realtime");
        assertThat(cycleTypes(r, "G0-realtime")).containsExactlyInAnyOrder("ww", "rt");
    }

    @Test
    void aReadOfAnAppendInvokedOnlyAfterTheReadCompletedIsG1cRealtime() throws Exception {
        ListAppendResult r = check(txn(0, "[:r :x nil]", "[:r :x [1]]") + txn(1, "[:append :x 1]", "[:append :x 1]"));
        assertOnly(r, "G1c-realtime");
        assertThat(cycleTypes(r, "G1c-realtime")).containsExactlyInAnyOrder("wr", "rt");
    }

    @Test
    void aStaleReadAfterAnAcknowledgedAppendIsGSingleRealtime() throws Exception {
        ListAppendResult r = check(txn(0, "[:append :x 1]", "[:append :x 1]") + txn(1, "[:r :x nil]", "[:r :x []]")
                + txn(2, "[:r :x nil]", "[:r :x [1]]"));
        assertOnly(r, "G-single-realtime");
        assertThat(cycleTypes(r, "G-single-realtime")).containsExactlyInAnyOrder("rw", "rt");
        assertThat(r.explain().get(0)).contains("T2 read :x as [], without 1, which T0 appended next")
                .contains("T0 completed (position 1) before T2 was invoked (position 2)");
    }

    @Test
    void twoAntiDependenciesClosedByRealTimeAreG2Realtime() throws Exception {
        // T0 (process 1) appends x and misses y; T1 (process 2) appends y, completes, and only then
        // is T3 (process 0) invoked, which misses x: T3 -rw-> T0 -rw-> T1 -rt-> T3.
        ListAppendResult r = check(inv(1, "[:append :x 1] [:r :y nil]") + txn(2, "[:append :y 1]", "[:append :y 1]")
                + txn(0, "[:r :x nil]", "[:r :x []]") + ok(1, "[:append :x 1] [:r :y []]")
                + txn(3, "[:r :x nil] [:r :y nil]", "[:r :x [1]] [:r :y [1]]"));
        assertOnly(r, "G2-realtime");
        assertThat(cycleTypes(r, "G2-realtime")).containsExactlyInAnyOrder("rw", "rw", "rt");
    }

    @Test
    void readingAnAppendOfAFailedTransactionIsAnAbortedReadG1a() throws Exception {
        ListAppendResult r = check(inv(0, "[:append :x 1]") + done(0, "fail", "[:append :x 1]")
                + txn(1, "[:r :x nil]", "[:r :x [1]]"));
        assertOnly(r, "G1a");
        assertThat(r.explain().get(0)).contains("written by T0 (fail)");
    }

    @Test
    void readingAValueItsWriterAppendedMoreAfterIsAnIntermediateReadG1b() throws Exception {
        ListAppendResult r = check(inv(0, "[:append :x 1] [:append :x 2]") + inv(1, "[:r :x nil]")
                + ok(1, "[:r :x [1]]") + ok(0, "[:append :x 1] [:append :x 2]")
                + txn(2, "[:r :x nil]", "[:r :x [1 2]]"));
        // T1 saw half of T0, which is also a G-single: T0 -wr-> T1 -rw-> T0
        assertOnly(r, "G1b", "G-single");
        assertThat(r.examples("G1b").get(0)).containsEntry("value", "1").containsEntry("final-append", "2");
    }

    @Test
    void aReadThatDisagreesWithTheTransactionsOwnAppendIsInternal() throws Exception {
        ListAppendResult r = check(txn(0, "[:r :x nil] [:append :x 1] [:r :x nil]", "[:r :x []] [:append :x 1] [:r :x []]"));
        assertOnly(r, "internal");
        assertThat(r.examples("internal").get(0)).containsEntry("expected", "[1]").containsEntry("read", "[]");
    }

    @Test
    void aReadThatIsNotAPrefixOfTheLongestIsAnIncompatibleOrder() throws Exception {
        ListAppendResult r = check(txn(0, "[:append :x 1]", "[:append :x 1]") + txn(1, "[:append :x 2]", "[:append :x 2]")
                + txn(2, "[:r :x nil]", "[:r :x [1 2]]") + txn(3, "[:r :x nil]", "[:r :x [2]]"));
        assertOnly(r, "incompatible-order");
        assertThat(r.examples("incompatible-order").get(0)).containsEntry("read", "[2]").containsEntry("longest-read", "[1 2]");
    }

    @Test
    void aValueReadTwiceInOneListIsADuplicate() throws Exception {
        ListAppendResult r = check(txn(0, "[:append :x 1]", "[:append :x 1]") + txn(1, "[:r :x nil]", "[:r :x [1 1]]"));
        assertOnly(r, "duplicate-elements");
    }

    @Test
    void aValueNoOneAppendedIsAGarbageRead() throws Exception {
        ListAppendResult r = check(txn(0, "[:append :x 1]", "[:append :x 1]") + txn(1, "[:r :x nil]", "[:r :x [1 7]]"));
        assertOnly(r, "garbage-read");
        assertThat(r.examples("garbage-read").get(0)).containsEntry("value", "7");
    }

    @Test
    void concurrentTransactionsThatSomeSerialOrderExplainsAreValid() throws Exception {
        // T0 then T1 in serial order, though they overlap: T1 saw x=[1], T0 saw y=[]
        ListAppendResult r = check(inv(0, "[:append :x 1] [:r :y nil]") + inv(1, "[:append :y 1] [:r :x nil]")
                + ok(1, "[:append :y 1] [:r :x [1]]") + ok(0, "[:append :x 1] [:r :y []]")
                + txn(2, "[:r :x nil] [:r :y nil] [:append :x 2] [:r :x nil]", "[:r :x [1]] [:r :y [1]] [:append :x 2] [:r :x [1 2]]"));
        assertThat(r.verdict()).as(String.join("\n", r.explain())).isEqualTo(Verdict.VALID);
        assertThat(r.detail()).containsEntry("edges", 3L); // T0->T1 (wr, rw), T0->T4 (ww, wr, rt), T1->T4 (wr, rt)
    }

    @Test
    void indeterminateAndFailedTransactionsWhoseEffectsAreConsistentAreValid() throws Exception {
        // T0 ends info yet took effect (T3 reads it); T1 ends info and never did; T2 failed and
        // nothing saw it; process 4 never completes at all.
        ListAppendResult r = check(inv(0, "[:append :x 1] [:r :y nil]") + done(0, "info", "[:append :x 1] [:r :y nil]")
                + inv(1, "[:append :x 2]") + done(1, "info", "[:append :x 2]")
                + inv(2, "[:append :y 9]") + done(2, "fail", "[:append :y 9]")
                + inv(4, "[:append :y 5]")
                + txn(3, "[:r :x nil] [:r :y nil]", "[:r :x [1]] [:r :y []]"));
        assertThat(r.verdict()).as(String.join("\n", r.explain())).isEqualTo(Verdict.VALID);
        assertThat(r.detail().get("transactions")).isEqualTo(Map.of("ok", 1L, "info", 3L, "fail", 1L));
    }

    @Test
    void nemesisEventsMayInterleaveAndAreNotTransactions() throws Exception {
        ListAppendResult r = check("{:process :nemesis :type :info :f :start :value \"partition\"}\n" + inv(0, "[:append :x 1]")
                + "{:process :nemesis :type :info :f :stop :value nil}\n" + ok(0, "[:append :x 1]")
                + txn(1, "[:r :x nil]", "[:r :x [1]]"));
        assertThat(r.verdict()).as(String.join("\n", r.explain())).isEqualTo(Verdict.VALID);
        assertThat(r.detail().get("transactions")).isEqualTo(Map.of("ok", 2L, "info", 0L, "fail", 0L));
    }

    @Test
    void aHistoryWithNoCommittedTransactionIsUnknownNotValid() throws Exception {
        ListAppendResult r = check(inv(0, "[:append :x 1]") + done(0, "fail", "[:append :x 1]"));
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.explain()).containsExactly("no transaction committed (:ok), so there is nothing to check");
    }
}
