package io.raftkit.verifier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --model NAME} finds a Java model through ServiceLoader when no built-in has that name. */
class JavaModelCheckCommandTest {

    @TempDir
    Path dir;

    private static int check(ByteArrayOutputStream out, String... args) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "check";
            System.arraycopy(args, 0, all, 1, args.length);
            return Main.execute(all);
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void theCounterModelChecksAFileAndAStaleReadExitsOne() throws Exception {
        Path good = dir.resolve("good.jsonl");
        Path bad = dir.resolve("bad.jsonl");
        String add = "{\"process\":0,\"type\":\"invoke\",\"f\":\"add\",\"value\":3}\n{\"process\":0,\"type\":\"ok\",\"f\":\"add\",\"value\":3}\n";
        Files.writeString(good, add + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":3}\n");
        Files.writeString(bad, add + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null}\n"
                + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":0}\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(check(out, "--model", "counter", good.toString())).isZero();
        assertThat(check(out, "--model", "counter", bad.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(good + " valid").contains(bad + " invalid cannot linearize process 1 read 0");
    }

    @Test
    void aModelNoOneProvidesIsAUsageErrorNamingTheKnownOnes() throws Exception {
        Path f = dir.resolve("h.edn");
        Files.writeString(f, "[]");
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(check(new ByteArrayOutputStream(), "--model", "no-such", f.toString())).isEqualTo(2);
        } finally {
            System.setErr(original);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown model 'no-such'").contains("counter").contains("queue");
    }
}
