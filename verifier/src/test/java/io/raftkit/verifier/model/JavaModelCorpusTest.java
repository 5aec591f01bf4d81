package io.raftkit.verifier.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.checker.Verdict;
import io.raftkit.verifier.spi.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java cas-register and mutex models give every Knossos corpus history of their kind its known
 * verdict, through the same search as the Clojure models but without their pruning: the Java step
 * function is what decides each step.
 */
class JavaModelCorpusTest {

    static Stream<Arguments> histories() throws IOException {
        Path root = corpus();
        Stream.Builder<Arguments> all = Stream.builder();
        add(all, root, "cas-register/good", Verdict.VALID);
        add(all, root, "cas-register/bad", Verdict.INVALID);
        add(all, root, "mutex/bad", Verdict.INVALID);
        return all.build();
    }

    private static void add(Stream.Builder<Arguments> all, Path root, String dir, Verdict expected) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve(dir))) {
            files.filter(p -> p.toString().endsWith(".edn")).sorted()
                    .forEach(p -> all.add(Arguments.of(root.relativize(p).toString(), expected)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histories")
    void eachCorpusHistoryGetsItsKnownVerdictFromTheJavaModel(String file, Verdict expected) throws IOException {
        Model<?> model = file.startsWith("mutex") ? new MutexModel() : new CasRegisterModel(0L);
        CheckResult result = new Checker(model, Duration.ofSeconds(30)).check(HistoryFiles.read(corpus().resolve(file)));
        assertThat(result.verdict()).as(file + ": " + result.explain()).isEqualTo(expected);
    }

    private static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpora").resolve("knossos");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("the corpus shared/corpora/knossos was not found above " + Path.of("").toAbsolutePath());
    }
}
