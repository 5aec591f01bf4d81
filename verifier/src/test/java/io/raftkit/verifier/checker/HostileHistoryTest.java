package io.raftkit.verifier.checker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Histories that break the shape the Knossos reading needs are refused with the line named, as
 * Knossos refuses them. Before, a second invoke silently replaced the first and a completion with
 * no invoke was dropped, and both gave false verdicts.
 */
class HostileHistoryTest {

    @TempDir
    Path dir;

    private Object read(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return HistoryFiles.read(file);
    }

    private static CheckResult check(Object events) {
        return new Checker("cas-register", 0L, Duration.ofSeconds(10)).check(events);
    }

    @Test
    void aSecondInvokeOnAProcessWithAnOpenOperationIsRefusedNamingBothLines() throws Exception {
        // Read as "the second invoke replaces the first", this was a false invalid: the write of 1 vanished.
        Object events = read("double.edn", """
                [{:process 0 :type :invoke :f :write :value 1}
                 {:process 0 :type :invoke :f :read :value nil}
                 {:process 0 :type :ok :f :read :value 1}]
                """);
        assertThatThrownBy(() -> check(events)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2 (event 1): process 0 invokes :read while its :write invoked at line 1 (event 0) is still open")
                .hasMessageContaining("double invoke");
    }

    @Test
    void aCompletionWithNoInvocationIsRefusedNamingTheLine() throws Exception {
        Object events = read("orphan.jsonl", """
                {"process":0,"type":"invoke","f":"write","value":1}
                {"process":0,"type":"ok","f":"write","value":1}
                {"process":1,"type":"ok","f":"read","value":0}
                """);
        assertThatThrownBy(() -> check(events)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3 (event 2): process 1 completes :read (ok) with no open invocation");
    }

    @Test
    void aCompletionOfAnotherFunctionThanInvokedIsRefused() throws Exception {
        Object events = read("mismatch.edn", """
                [{:process 0 :type :invoke :f :write :value 1}
                 {:process 0 :type :ok :f :read :value 1}]
                """);
        assertThatThrownBy(() -> check(events)).hasMessage("line 2 (event 1): process 0 completes :read but invoked :write at line 1 (event 0)");
    }

    @Test
    void anUnknownTypeIsRefusedNamingTheLine() throws Exception {
        assertThatThrownBy(() -> read("type.jsonl", """
                {"process":0,"type":"invoke","f":"read","value":null}
                {"process":0,"type":"done","f":"read","value":0}
                """)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2 (event 1) has no valid :type (invoke, ok, fail, info)");
    }

    @Test
    void aFunctionTheModelDoesNotKnowIsRefusedRatherThanReadAsInconsistent() throws Exception {
        Object events = read("f.edn", """
                [{:process 0 :type :invoke :f :increment :value 1}
                 {:process 0 :type :ok :f :increment :value 1}]
                """);
        assertThatThrownBy(() -> check(events))
                .hasMessage("line 1 (event 0): :f :increment is not an operation of the cas-register model (:cas :read :write)");
    }

    @Test
    void theNemesisMayInterleaveFreelyAndIsNotChecked() throws Exception {
        Object events = read("nemesis.edn", """
                [{:process :nemesis :type :info :f :start :value "partition"}
                 {:process 0 :type :invoke :f :write :value 1}
                 {:process :nemesis :type :info :f :stop :value nil}
                 {:process :nemesis :type :info :f :stop :value nil}
                 {:process 0 :type :ok :f :write :value 1}]
                """);
        org.assertj.core.api.Assertions.assertThat(check(events).verdict()).isEqualTo(Verdict.VALID);
    }

    @Test
    void textAfterTheHistoryIsRefusedNamingItsLine() {
        assertThatThrownBy(() -> read("trailing.edn", "[{:process 0 :type :invoke :f :read :value nil}]\n\n{:process 1}"))
                .hasMessageContaining("line 3: text after the end of the history");
    }
}
