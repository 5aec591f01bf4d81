package io.raftkit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CounterExampleTest {

    @Test
    void theReadmeCounterSumsOneToTenOnEveryNode() throws Exception {
        assertThat(CounterExample.run()).isEqualTo(55);
    }

    @Test
    void theReadmeShowsThisExampleVerbatim() throws IOException {
        Path readme = Path.of("..", "README.md");
        String example = Files.readString(Path.of("src/test/java/io/raftkit/examples/CounterExample.java"));
        String body = example.substring(example.indexOf("/** A replicated counter"));
        assertThat(Files.readString(readme)).as("README.md must show CounterExample.java from its Javadoc on").contains(body.strip());
    }
}
