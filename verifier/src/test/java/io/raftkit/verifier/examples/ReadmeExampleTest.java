package io.raftkit.verifier.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's verification example is the test the build runs, word for word. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheCounterVerificationVerbatim() throws IOException {
        String example = Files.readString(Path.of("src/test/java/io/raftkit/verifier/examples/CounterVerifyTest.java"));
        String body = example.substring(example.indexOf("/** The README"));
        assertThat(Files.readString(Path.of("..", "README.md"))).as("README.md must show CounterVerifyTest.java from its Javadoc on")
                .contains(body.strip());
    }
}
