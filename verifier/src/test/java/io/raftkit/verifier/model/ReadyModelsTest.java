package io.raftkit.verifier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Verdict;
import io.raftkit.verifier.spi.Models;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each ready-made Java model, run by the Clojure WGL search, accepts a small history that has a
 * linearization and rejects one that has none. The invalid ones are built so that every operation
 * is legal on its own in some state: only the real-time order makes them impossible, so a model that
 * ignored its state, or a checker that ignored the order, would pass them.
 */
class ReadyModelsTest {

    @TempDir
    Path dir;

    private CheckResult check(String model, String edn) {
        return Histories.check(dir, Models.named(model), edn);
    }

    @Test
    void everyReadyModelIsFoundByName() {
        assertThat(Models.names()).contains("register", "cas-register", "counter", "set", "queue", "mutex");
        assertThatThrownBy(() -> Models.named("no-such")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no model named 'no-such'").hasMessageContaining("counter");
    }

    @Test
    void everyReadyWorkloadIsFoundByNameWithItsModel() {
        for (String name : java.util.List.of("counter", "cas-register", "queue", "set")) {
            io.raftkit.verifier.spi.Workload w = io.raftkit.verifier.spi.Workloads.named(name);
            assertThat(w.name()).isEqualTo(name);
            assertThat(w.model().name()).isEqualTo(name);
            assertThat(w.model().functions()).contains(w.next(new java.util.SplittableRandom(1)).f());
        }
        assertThatThrownBy(() -> io.raftkit.verifier.spi.Workloads.named("no-such")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no workload named 'no-such'");
    }

    @Test
    void aCounterReadConcurrentWithAnAddMaySeeEitherSum() {
        CheckResult r = check("counter", """
                [{:process 0 :type :invoke :f :add :value 2}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value 2}
                 {:process 0 :type :ok :f :add :value 2}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value 2}]
                """);
        assertThat(r.verdict()).as(r.explain()).isEqualTo(Verdict.VALID);
    }

    @Test
    void aCounterReadThatMissesACompletedAddIsInvalid() {
        // 0 was a legal sum once, but not after the add of 2 completed: a stale read.
        CheckResult r = check("counter", """
                [{:process 0 :type :invoke :f :add :value 2}
                 {:process 0 :type :ok :f :add :value 2}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value 0}]
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(r.explain()).contains("cannot linearize process 1 read 0").contains("possible states there: [\"2\"]");
    }

    @Test
    void aCounterAddThatEndedUnknownMayOrMayNotHaveCounted() {
        CheckResult r = check("counter", """
                [{:process 0 :type :invoke :f :add :value 5}
                 {:process 0 :type :info :f :add :value 5}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value 0}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value 5}]
                """);
        assertThat(r.verdict()).as(r.explain()).isEqualTo(Verdict.VALID);
    }

    @Test
    void aCounterThatCountsAnAddTwiceIsInvalid() {
        CheckResult r = check("counter", """
                [{:process 0 :type :invoke :f :add :value 1}
                 {:process 0 :type :ok :f :add :value 1}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value 2}]
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aRegisterReadsTheLastWriteAndNotAnOverwrittenOne() {
        String base = """
                [{:process 0 :type :invoke :f :write :value 1}
                 {:process 0 :type :ok :f :write :value 1}
                 {:process 0 :type :invoke :f :write :value 2}
                 {:process 0 :type :ok :f :write :value 2}
                 {:process 1 :type :invoke :f :read :value nil}
                 {:process 1 :type :ok :f :read :value %d}]
                """;
        assertThat(check("register", base.formatted(2)).verdict()).isEqualTo(Verdict.VALID);
        assertThat(check("register", base.formatted(1)).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aCasRegisterCasSucceedsOnlyFromItsExpectedValue() {
        String base = """
                [{:process 0 :type :invoke :f :write :value 1}
                 {:process 0 :type :ok :f :write :value 1}
                 {:process 1 :type :invoke :f :cas :value [%d 3]}
                 {:process 1 :type :ok :f :cas :value [%d 3]}
                 {:process 0 :type :invoke :f :read :value nil}
                 {:process 0 :type :ok :f :read :value 3}]
                """;
        assertThat(check("cas-register", base.formatted(1, 1)).verdict()).isEqualTo(Verdict.VALID);
        assertThat(check("cas-register", base.formatted(2, 2)).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aSetReadMustHoldExactlyTheAddsBeforeIt() {
        String base = """
                [{:process 0 :type :invoke :f :add :value 1}
                 {:process 0 :type :ok :f :add :value 1}
                 {:process 1 :type :invoke :f :add :value 2}
                 {:process 2 :type :invoke :f :read :value nil}
                 {:process 2 :type :ok :f :read :value %s}
                 {:process 1 :type :ok :f :add :value 2}
                 {:process 2 :type :invoke :f :read :value nil}
                 {:process 2 :type :ok :f :read :value %s}]
                """;
        // the concurrent add may or may not be seen by the first read, but must be by the second
        assertThat(check("set", base.formatted("[1]", "[2 1]")).verdict()).isEqualTo(Verdict.VALID);
        assertThat(check("set", base.formatted("[1 2]", "[1 2]")).verdict()).isEqualTo(Verdict.VALID);
        // the second read lost 1, which was acknowledged before it began
        assertThat(check("set", base.formatted("[1 2]", "[2]")).verdict()).isEqualTo(Verdict.INVALID);
        // an element seen, then unseen: no order explains it
        assertThat(check("set", base.formatted("[1 2]", "[1]")).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aQueueHandsOutElementsInTheOrderTheyWereEnqueued() {
        String base = """
                [{:process 0 :type :invoke :f :enqueue :value 1}
                 {:process 0 :type :ok :f :enqueue :value 1}
                 {:process 0 :type :invoke :f :enqueue :value 2}
                 {:process 0 :type :ok :f :enqueue :value 2}
                 {:process 1 :type :invoke :f :dequeue :value nil}
                 {:process 1 :type :ok :f :dequeue :value [%d]}
                 {:process 1 :type :invoke :f :dequeue :value nil}
                 {:process 1 :type :ok :f :dequeue :value [%d]}
                 {:process 1 :type :invoke :f :dequeue :value nil}
                 {:process 1 :type :ok :f :dequeue :value []}]
                """;
        assertThat(check("queue", base.formatted(1, 2)).verdict()).isEqualTo(Verdict.VALID);
        assertThat(check("queue", base.formatted(2, 1)).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aQueueThatSaysEmptyWhileHoldingAnAcknowledgedElementIsInvalid() {
        CheckResult r = check("queue", """
                [{:process 0 :type :invoke :f :enqueue :value 7}
                 {:process 0 :type :ok :f :enqueue :value 7}
                 {:process 1 :type :invoke :f :dequeue :value nil}
                 {:process 1 :type :ok :f :dequeue :value []}]
                """);
        assertThat(r.verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aMutexIsHeldByOneProcessAtATime() {
        String overlapping = """
                [{:process 0 :type :invoke :f :acquire :value nil}
                 {:process 0 :type :ok :f :acquire :value nil}
                 {:process 1 :type :invoke :f :acquire :value nil}
                 {:process 1 :type :ok :f :acquire :value nil}
                 {:process 0 :type :invoke :f :release :value nil}
                 {:process 0 :type :ok :f :release :value nil}]
                """;
        String inTurn = """
                [{:process 0 :type :invoke :f :acquire :value nil}
                 {:process 0 :type :ok :f :acquire :value nil}
                 {:process 1 :type :invoke :f :acquire :value nil}
                 {:process 0 :type :invoke :f :release :value nil}
                 {:process 0 :type :ok :f :release :value nil}
                 {:process 1 :type :ok :f :acquire :value nil}]
                """;
        assertThat(check("mutex", inTurn).verdict()).isEqualTo(Verdict.VALID);
        assertThat(check("mutex", overlapping).verdict()).isEqualTo(Verdict.INVALID);
    }

    @Test
    void operationsOnDifferentKeysAreCheckedAsIndependentObjects() {
        // One counter could not read 0 after an add of 2 completed; two counters can.
        String twoKeys = """
                [{:process 0 :type :invoke :f :add :value 2 :key "a"}
                 {:process 0 :type :ok :f :add :value 2 :key "a"}
                 {:process 1 :type :invoke :f :read :value nil :key "b"}
                 {:process 1 :type :ok :f :read :value 0 :key "b"}
                 {:process 1 :type :invoke :f :read :value nil :key "a"}
                 {:process 1 :type :ok :f :read :value %d :key "a"}]
                """;
        CheckResult valid = check("counter", twoKeys.formatted(2));
        assertThat(valid.verdict()).as(valid.explain()).isEqualTo(Verdict.VALID);
        assertThat(valid.keys()).hasSize(2);
        CheckResult invalid = check("counter", twoKeys.formatted(0));
        assertThat(invalid.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(invalid.explain()).startsWith("key a: cannot linearize process 1 read 0");
    }

    @Test
    void aFunctionTheModelDoesNotKnowIsRefusedBeforeTheSearch() {
        assertThatThrownBy(() -> check("counter", """
                [{:process 0 :type :invoke :f :write :value 1}
                 {:process 0 :type :ok :f :write :value 1}]
                """)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":f :write is not an operation of the counter model");
    }
}
