package io.raftkit.verifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private static Run check(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "check";
            System.arraycopy(args, 0, all, 1, args.length);
            return new Run(Main.execute(all), bytes.toString(StandardCharsets.UTF_8));
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
    void aValidHistoryExitsZero() throws Exception {
        Path f = write("ok.edn", "[{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :ok :f :write :value 1}"
                + " {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value 1}]");
        Run r = check("--model", "cas-register", "--initial", "0", f.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains(f + " valid");
    }

    @Test
    void anInvalidHistoryExitsOneAndNamesTheOperation() throws Exception {
        Path good = write("ok.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":0}\n");
        Path bad = write("bad.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1}\n"
                + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":0}\n");
        Run r = check("--initial", "0", good.toString(), bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains(good + " valid").contains(bad + " invalid cannot linearize process 1 read 0 (position 3)");
    }

    @Test
    void aMalformedFileExitsTwoNamingTheFileAndPosition() throws Exception {
        Path edn = write("broken.edn", "[{:process 0 :type :invoke}\n {:process 0 :type :ok");
        Path jsonl = write("broken.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\nnot json\n");
        Path noType = write("notype.edn", "[{:process 0 :f :read}]");
        Run r = check(edn.toString(), jsonl.toString(), noType.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains(edn + " unknown: could not be read").contains("line 2")
                .contains(jsonl + " unknown: could not be read").contains("line 2 is not a JSON object")
                .contains("line 1 (event 0) has no valid :type");
    }

    @Test
    void aMissingFileExitsTwo() {
        Run r = check(dir.resolve("nope.edn").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("nope.edn unknown: no such file");
    }

    @Test
    void theSetModelReportsLostAcknowledgedAdds() throws Exception {
        Path f = write("set.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"add\",\"value\":\"1\"}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"add\",\"value\":\"1\"}\n"
                + "{\"process\":1,\"type\":\"invoke\",\"f\":\"add\",\"value\":\"2\"}\n"
                + "{\"process\":1,\"type\":\"info\",\"f\":\"add\",\"value\":\"2\"}\n"
                + "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":[\"2\",\"9\"]}\n");
        Run r = check("--model", "set", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("acknowledged adds lost: [\"1\"]").contains("never added: [\"9\"]");
    }

    @Test
    void anAddAcknowledgedAfterTheFinalReadBeganMayBeMissingFromItButNotOneAcknowledgedBefore() throws Exception {
        String history = "{\"process\":0,\"type\":\"invoke\",\"f\":\"add\",\"value\":\"1\"}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"add\",\"value\":\"1\"}\n"
                + "{\"process\":0,\"type\":\"invoke\",\"f\":\"add\",\"value\":\"2\"}\n"
                + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"add\",\"value\":\"2\"}\n"
                + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":%s}\n";
        Path concurrent = write("concurrent.jsonl", history.formatted("[\"1\"]"));
        Run r = check("--model", "set", concurrent.toString());
        assertThat(r.exit()).as("2 was still in flight when the read began: " + r.out()).isZero();
        Path lost = write("lost.jsonl", history.formatted("[\"2\"]"));
        r = check("--model", "set", lost.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("acknowledged adds lost: [\"1\"]");
    }

    @Test
    void anIndeterminateWriteMayHaveHappenedOrNot() throws Exception {
        Path f = write("info.edn", "[{:process 0 :type :invoke :f :write :value 1} {:process 0 :type :info :f :write :value 1}"
                + " {:process 1 :type :invoke :f :read :value nil} {:process 1 :type :ok :f :read :value 0}"
                + " {:process 2 :type :invoke :f :read :value nil} {:process 2 :type :ok :f :read :value 1}"
                + " {:process :nemesis :type :info :f :start :value \"partition\"}]");
        assertThat(check("--initial", "0", f.toString()).exit()).isZero();
    }

    @Test
    void aHistoryWithNoClientOperationIsVacuouslyValidAndSaysNothingWasChecked() throws Exception {
        Path empty = write("empty.jsonl", "\n");
        Path nemesisOnly = write("nemesis.edn", "[{:process :nemesis :type :info :f :start :value \"partition\"}"
                + " {:process \"1\" :type :invoke :f :write :value 1} {:process \"1\" :type :ok :f :write :value 1}]");
        for (Path f : new Path[] {empty, nemesisOnly}) {
            Run r = check("--initial", "0", f.toString());
            assertThat(r.exit()).as(r.out()).isZero(); // as Knossos: the corpus has such histories, valid
            assertThat(r.out()).contains("valid (nothing checked: no client operations");
        }
    }

    @Test
    void aReadOfAbsenceAfterAnAcknowledgedWriteIsAnAnomalyOnceAbsenceHasAName() throws Exception {
        Path lost = write("lost.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":\"absent\"}\n"
                + "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":\"1\"}\n"
                + "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":\"1\"}\n"
                + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":\"absent\"}\n");
        Run r = check("--model", "cas-register", "--initial", "\"absent\"", lost.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("cannot linearize process 1 read \"absent\"");
    }

    @Test
    void anUnknownModelOrANonPositiveTimeLimitIsAUsageErrorBeforeAnyFileIsRead() throws Exception {
        Path f = write("one.edn", "[{:process 0 :type :invoke :f :read :value nil} {:process 0 :type :ok :f :read :value nil}]");
        Run model = check("--model", "nosuch", f.toString(), f.toString());
        assertThat(model.exit()).isEqualTo(2);
        assertThat(model.out()).as("no per-file verdict lines").isEmpty();
        assertThat(check("--time-limit", "0", f.toString()).exit()).isEqualTo(2);
    }
}
