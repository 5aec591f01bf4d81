package io.raftkit.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The simulator's register checker against hand-made histories and a brute-force search. */
class RegisterCheckerTest {

    private static RegisterChecker.Op w(long value, long inv, long resp) {
        return new RegisterChecker.Op(0, true, value, inv, resp);
    }

    private static RegisterChecker.Op r(long value, long inv, long resp) {
        return new RegisterChecker.Op(1, false, value, inv, resp);
    }

    @Test
    void sequentialWritesAndReadsAreLinearizable() {
        assertThat(RegisterChecker.check(List.of(r(0, 0, 1), w(1, 2, 3), r(1, 4, 5), w(2, 6, 7), r(2, 8, 9)))).isEmpty();
    }

    @Test
    void aReadOfAnOverwrittenValueAfterTheNewWriteFinishedIsAStaleRead() {
        assertThat(RegisterChecker.check(List.of(w(1, 0, 1), w(2, 2, 3), r(1, 4, 5)))).isPresent();
    }

    @Test
    void aReadOfTheInitialValueAfterAWriteFinishedIsStale() {
        assertThat(RegisterChecker.check(List.of(w(1, 0, 1), r(0, 2, 3)))).isPresent();
    }

    @Test
    void concurrentOperationsMayTakeEitherOrder() {
        assertThat(RegisterChecker.check(List.of(w(1, 0, 10), r(1, 1, 2), r(0, 3, 4)))).as("0 then 1 is not allowed after a read of 1")
                .isPresent();
        assertThat(RegisterChecker.check(List.of(w(1, 0, 10), r(0, 1, 2), r(1, 3, 4)))).isEmpty();
        assertThat(RegisterChecker.check(List.of(w(1, 0, 10), w(2, 0, 10), r(2, 1, 2), r(1, 3, 4)))).isEmpty();
    }

    @Test
    void aReadThatFinishedBeforeItsWriteBeganIsImpossible() {
        assertThat(RegisterChecker.check(List.of(r(1, 0, 1), w(1, 2, 3)))).get().asString().contains("before");
    }

    @Test
    void aReadOfAValueNeverWrittenIsReported() {
        assertThat(RegisterChecker.check(List.of(r(7, 0, 1)))).get().asString().contains("no write");
    }

    /** Random small histories: the zone check agrees with trying every order. */
    @RepeatedTest(300)
    void agreesWithABruteForceSearchOnSmallHistories(org.junit.jupiter.api.RepetitionInfo info) {
        long seed = info.getCurrentRepetition();
        SplittableRandom random = new SplittableRandom(seed);
        List<RegisterChecker.Op> ops = new ArrayList<>();
        int writes = 1 + random.nextInt(3);
        for (int i = 1; i <= writes; i++) {
            long inv = random.nextInt(20);
            ops.add(new RegisterChecker.Op(i, true, i, inv, inv + random.nextInt(6)));
        }
        int reads = 1 + random.nextInt(4);
        for (int i = 0; i < reads; i++) {
            long inv = random.nextInt(20);
            ops.add(new RegisterChecker.Op(10 + i, false, random.nextInt(writes + 1), inv, inv + random.nextInt(6)));
        }
        boolean expected = bruteForce(ops, new boolean[ops.size()], 0, 0, Long.MIN_VALUE);
        Optional<String> verdict = RegisterChecker.check(ops);
        assertThat(verdict.isEmpty()).as("seed %d: %s -> %s", seed, ops, verdict).isEqualTo(expected);
    }

    /** Tries every order that respects real time: op a goes before b when a completed before b began. */
    private static boolean bruteForce(List<RegisterChecker.Op> ops, boolean[] used, int placed, long value, long unused) {
        if (placed == ops.size()) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i]) {
                continue;
            }
            RegisterChecker.Op op = ops.get(i);
            boolean minimal = true;
            for (int j = 0; j < ops.size(); j++) {
                if (!used[j] && j != i && ops.get(j).completeNanos() < op.invokeNanos()) {
                    minimal = false; // some unplaced op finished before this one began
                }
            }
            if (!minimal || (!op.write() && op.value() != value)) {
                continue;
            }
            used[i] = true;
            if (bruteForce(ops, used, placed + 1, op.write() ? op.value() : value, unused)) {
                used[i] = false;
                return true;
            }
            used[i] = false;
        }
        return false;
    }
}
