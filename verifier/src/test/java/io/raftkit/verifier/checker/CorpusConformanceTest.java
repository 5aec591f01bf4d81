package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** All 122 corpus histories give their known verdicts, and the known failures are the ones reported. */
class CorpusConformanceTest {

    static Stream<Arguments> histories() throws IOException {
        Path root = Corpora.root();
        Stream.Builder<Arguments> all = Stream.builder();
        add(all, root.resolve("cas-register/good"), "cas-register", "0", Verdict.VALID);
        add(all, root.resolve("cas-register/bad"), "cas-register", "0", Verdict.INVALID);
        add(all, root.resolve("multi-register/good"), "multi-register", "{:x 0 :y 0}", Verdict.VALID);
        add(all, root.resolve("mutex/bad"), "mutex", "nil", Verdict.INVALID);
        return all.build();
    }

    private static void add(Stream.Builder<Arguments> all, Path dir, String model, String initial, Verdict expected)
            throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.toString().endsWith(".edn")).sorted()
                    .forEach(p -> all.add(Arguments.of(Corpora.root().relativize(p).toString(), model, initial, expected)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void eachCorpusHistoryGetsItsKnownVerdict(String file, String model, String initial, Verdict expected) throws IOException {
        Object events = HistoryFiles.read(Corpora.root().resolve(file));
        CheckResult result = new Checker(model, HistoryFiles.parseInitial(initial), Duration.ofSeconds(30)).check(events);
        assertThat(result.verdict()).as(file + ": " + result.explain()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "cas-register/bad/bad-analysis.edn        | 21 | 14 | 19 | 11",
        "cas-register/bad/cas-failure.edn         | 70 | 491| 74 | 478",
        "cas-register/bad/immediate-failure.edn   | 1  | 3  | -  | -",
        "cas-register/bad/rethink-fail-minimal.edn| 1  | 4  | ?  | ?",
        "cas-register/bad/rethink-fail-smaller.edn| 12 | 217| ?  | ?",
    })
    @SuppressWarnings("unchecked")
    void theReportedFailureIsTheOperationKnossosNames(String file, long process, long position, String lastProcess,
                                                     String lastPosition) throws IOException {
        Object events = HistoryFiles.read(Corpora.root().resolve(file.trim()));
        CheckResult result = new Checker("cas-register", 0L, Duration.ofSeconds(30)).check(events);
        KeyResult bad = result.worst();
        Map<String, Object> op = (Map<String, Object>) bad.detail().get("op");
        assertThat(op.get("process")).as(bad.explain()).isEqualTo(process);
        assertThat(op.get("complete-position")).as(bad.explain()).isEqualTo(position);
        Object last = bad.detail().get("last-op");
        if (lastProcess == null) {
            assertThat(last).as("no operation could be linearized: " + bad.explain()).isNull();
        } else if (!lastProcess.equals("?")) { // "?": the corpus README names no last operation
            Map<String, Object> lastOp = (Map<String, Object>) last;
            assertThat(lastOp.get("process")).as(bad.explain()).isEqualTo(Long.parseLong(lastProcess.trim()));
            assertThat(lastOp.get("complete-position")).as(bad.explain()).isEqualTo(Long.parseLong(lastPosition.trim()));
        }
        assertThat((java.util.List<?>) bad.detail().get("states")).isNotEmpty().hasSizeLessThanOrEqualTo(10);
    }
}
