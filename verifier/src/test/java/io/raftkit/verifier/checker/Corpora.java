package io.raftkit.verifier.checker;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared corpus of Knossos histories: {@code shared/corpora} beside the repository. */
final class Corpora {

    private Corpora() {
    }

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpora").resolve("knossos");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("the corpus shared/corpora/knossos was not found beside the repository or above "
                + Path.of("").toAbsolutePath() + "; the conformance test needs it (CI clones main with shared/ beside it)");
    }
}
