package io.raftkit.verifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raft-verifier check --model list-append}: exit codes, the anomaly lines, refusals and --help. */
class ListAppendCheckCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private static Run run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.execute(args), bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aSerializableHistoryExitsZeroAndAStaleReadExitsOneNamingItsCycle() throws Exception {
        Path good = write("good.jsonl", """
                {"process":0,"type":"invoke","f":"txn","value":[["append","x",1]]}
                {"process":0,"type":"ok","f":"txn","value":[["append","x",1]]}
                {"process":1,"type":"invoke","f":"txn","value":[["r","x",null]]}
                {"process":1,"type":"ok","f":"txn","value":[["r","x",[1]]]}
                """);
        Path stale = write("stale.edn", """
                [{:process 0 :type :invoke :f :txn :value [[:append :x 1]]}
                 {:process 0 :type :ok :f :txn :value [[:append :x 1]]}
                 {:process 1 :type :invoke :f :txn :value [[:r :x nil]]}
                 {:process 1 :type :ok :f :txn :value [[:r :x []]]}
                 {:process 2 :type :invoke :f :txn :value [[:r :x nil]]}
                 {:process 2 :type :ok :f :txn :value [[:r :x [1]]]}]
                """);
        Run r = run("check", "--model", "list-append", good.toString(), stale.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(good + " valid\n").contains(stale + " invalid G-single-realtime\n")
                .contains("  G-single-realtime (1): T0 -rt-> T2 -rw-> T0; T0 completed (position 1) before T2 was invoked (position 2);"
                        + " T2 read :x as [], without 1, which T0 appended next");
    }

    @Test
    void theElleAliasChecksTheSameWayAndAMalformedMicroOpExitsTwoNamingTheLine() throws Exception {
        Path bad = write("bad.edn", """
                [{:process 0 :type :invoke :f :txn :value [[:append :x 1]]}
                 {:process 0 :type :ok :f :txn :value [[:append :x 1]]}
                 {:process 1 :type :invoke :f :txn :value [[:r :x]]}]
                """);
        Run r = run("check", "--model", "elle-list-append", bad.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains(bad + " unknown: could not be read: " + bad
                + ": line 3 (event 2): micro-op 1 of the transaction, [:r :x], is not [:append key value] or [:r key list]");
    }

    @Test
    void helpNamesTheListAppendModelAndItsAnomalyClasses() {
        Run r = run("check", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("list-append").contains("elle-list-append").contains("G-single").contains("incompatible-order");
    }
}
