package io.raftkit.verifier.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link BrokenCounterVerification} (the counter whose front end acknowledges before commit)
 * through the JUnit Platform, as a build would run it, and asserts that the {@code @Verify} test
 * failed because the checker found the history not linearizable: the failure names the operation
 * the search could not place and the report, and the report's results.json says invalid.
 */
class BrokenCounterIsCaughtTest {

    @Test
    void theAckBeforeCommitCounterFailsTheSameVerifyTestWithTheAnomalyAndTheReportPath() throws Exception {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(BrokenCounterVerification.class)).build(), listener);
        TestExecutionSummary summary = listener.getSummary();

        assertThat(summary.getTestsFoundCount()).isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).as("the broken counter must fail its @Verify test").isEqualTo(1);
        List<TestExecutionSummary.Failure> failures = summary.getFailures();
        Throwable why = failures.get(0).getException();
        assertThat(why).isInstanceOf(AssertionError.class);
        assertThat(why.getMessage()).startsWith("not linearizable: cannot linearize process")
                .contains("report: ").contains(Path.of("target", "verify", "BrokenCounterVerification", "counterIsLinearizable").toString());

        Path results = Path.of("target", "verify", "BrokenCounterVerification", "counterIsLinearizable", "results.json");
        JsonNode json = new ObjectMapper().readTree(Files.readString(results));
        assertThat(json.get("valid").asText()).isEqualTo("invalid");
        assertThat(json.get("model").asText()).isEqualTo("counter");
        assertThat(Files.size(results.resolveSibling("history.jsonl"))).isPositive();
        assertThat(results.resolveSibling("timeline.html")).exists();
    }
}
