package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Histories generated from a serial execution (concurrent clients, info and failed transactions)
 * must be valid; the same histories with one planted anomaly must be caught, by class. Each case
 * names its seed; rerun one with the seed to see the history.
 */
class ListAppendGeneratedTest {

    @TempDir
    Path dir;

    private ListAppendResult check(ListAppendHistories h) throws Exception {
        Path file = dir.resolve("history.jsonl");
        h.writeJsonl(file);
        return new ListAppendChecker().check(file);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aSerialExecutionWithConcurrentClientsIsValid(long seed) throws Exception {
        ListAppendResult r = check(ListAppendHistories.serial(seed, 2_000, 6, 0.05, 0.05));
        assertThat(r.verdict()).as("seed %d: %s", seed, r.explain()).isEqualTo(Verdict.VALID);
        // not vacuous: most transactions committed, and the graph the verdict rests on is dense
        assertThat((Long) ((java.util.Map<?, ?>) r.detail().get("transactions")).get("ok")).isGreaterThan(1_700L);
        assertThat((Long) r.detail().get("edges")).isGreaterThan(6_000L);
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @CsvSource({
        "LOST_APPEND, 1, incompatible-order", "LOST_APPEND, 2, incompatible-order", "LOST_APPEND, 3, incompatible-order",
        "ABORTED_READ, 1, G1a", "ABORTED_READ, 2, G1a", "ABORTED_READ, 3, G1a",
        "STALE_READ, 1, G-single", "STALE_READ, 2, G-single", "STALE_READ, 3, G-single"})
    void onePlantedAnomalyIsCaughtByItsClass(ListAppendHistories.Plant plant, long seed, String expected) throws Exception {
        ListAppendHistories h = ListAppendHistories.serial(seed, 2_000, 6, 0.05, 0.05);
        String planted = h.plant(plant, seed);
        ListAppendResult r = check(h);
        assertThat(r.verdict()).as("seed %d, planted %s", seed, planted).isEqualTo(Verdict.INVALID);
        if (expected.equals("G-single")) {
            // a stale read is one anti-dependency back in time: closed by real time, or by other dependencies
            assertThat(r.anomalyClasses()).as("seed %d, planted %s: %s", seed, planted, r.explain())
                    .containsAnyOf("G-single", "G-single-realtime");
        } else {
            assertThat(r.anomalyClasses()).as("seed %d, planted %s: %s", seed, planted, r.explain()).contains(expected);
        }
    }
}
