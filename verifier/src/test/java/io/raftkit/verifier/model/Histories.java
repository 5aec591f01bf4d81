package io.raftkit.verifier.model;

import io.raftkit.verifier.checker.CheckResult;
import io.raftkit.verifier.checker.Checker;
import io.raftkit.verifier.checker.HistoryFiles;
import io.raftkit.verifier.spi.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Checks a small EDN history against a Java model through the real file reader and the Clojure search. */
final class Histories {

    private Histories() {
    }

    static CheckResult check(Path dir, Model<?> model, String edn) {
        try {
            Path file = Files.createTempFile(dir, "history", ".edn");
            Files.writeString(file, edn);
            return new Checker(model, Duration.ofSeconds(20)).check(HistoryFiles.read(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
