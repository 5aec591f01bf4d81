package io.raftkit.kv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad flags or configuration exit 2 with a message naming the problem. */
class MainTest {

    private static String[] run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            int status = Main.run(args);
            return new String[]{Integer.toString(status), captured.toString()};
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void nettysFlightRecorderEventsAreOffUnlessTheOperatorSaysOtherwise() {
        String before = System.getProperty(Main.NETTY_JFR);
        try {
            System.clearProperty(Main.NETTY_JFR);
            Main.quietNettyFlightRecorder();
            assertThat(System.getProperty(Main.NETTY_JFR)).isEqualTo("false");
            System.setProperty(Main.NETTY_JFR, "true");
            Main.quietNettyFlightRecorder();
            assertThat(System.getProperty(Main.NETTY_JFR)).isEqualTo("true");
        } finally {
            if (before == null) {
                System.clearProperty(Main.NETTY_JFR);
            } else {
                System.setProperty(Main.NETTY_JFR, before);
            }
        }
    }

    @Test
    void anUnknownFlagExits2NamingIt() {
        String[] r = run("server", "--no-such-flag");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--no-such-flag");
    }

    @Test
    void aServerWithoutPeersExits2NamingTheSetting() {
        String[] r = run("server", "--id", "n1", "--data-dir", "/tmp/x");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("peers is required");
    }

    @Test
    void anUnknownPluginExits2ListingTheAvailableOnes() {
        String[] r = run("server", "--id", "n1", "--peer", "n1=127.0.0.1:1,127.0.0.1:2", "--log-store", "memory",
                "--transport", "carrier-pigeon");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("carrier-pigeon").contains("vertx-tcp");
    }

    @Test
    void anUnknownSnapshotStoreExits2ListingTheAvailableOnes(@TempDir Path dir) {
        String[] r = run("server", "--id", "n1", "--peer", "n1=127.0.0.1:1,127.0.0.1:2", "--log-store", "memory",
                "--data-dir", dir.toString(), "--snapshot-store", "floppy");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("floppy").contains("mapdb");
        String[] range = run("server", "--id", "n1", "--peer", "n1=127.0.0.1:1,127.0.0.1:2", "--log-store", "memory",
                "--snapshot-every-entries", "0");
        assertThat(range[0]).isEqualTo("2");
        assertThat(range[1]).contains("snapshot-every-entries = 0 is out of range");
    }

    @Test
    void aMisspeltPluginOptionExits2NamingItAndTheKnownOnes(@TempDir Path dir) {
        String[] store = run("server", "--id", "n1", "--peer", "n1=127.0.0.1:1,127.0.0.1:2", "--data-dir", dir.toString(),
                "--set", "log-store.segment-megs=16");
        assertThat(store[0]).isEqualTo("2");
        assertThat(store[1]).contains("unknown option 'segment-megs' for the mapdb log store; it knows [read-cache-batches, segment-mb]");
        String[] transport = run("server", "--id", "n1", "--peer", "n1=127.0.0.1:1,127.0.0.1:2", "--log-store", "memory",
                "--set", "transport.queue-sise=16");
        assertThat(transport[0]).isEqualTo("2");
        assertThat(transport[1]).contains("unknown option 'queue-sise' for vertx-tcp");
    }

    @Test
    void aServerListeningBeyondLoopbackWithoutPeerAuthenticationExits2NamingTheChoices() {
        // Were it to start, it would run until killed: fail instead of hanging the build.
        String[] r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run("server", "--id", "n1",
                "--peer", "n1=127.0.0.1:1,127.0.0.1:2", "--log-store", "memory", "--bind-host", "0.0.0.0"));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("beyond loopback").contains("secret-file").contains("insecure-peers");
    }

    @Test
    void thePeerFlagsReachTheSettings() {
        ServerCommand command = new ServerCommand();
        new picocli.CommandLine(command).parseArgs("--insecure-peers", "--peer-secret-file", "/etc/s");
        assertThat(command.settings()).containsEntry("insecure-peers", "true").containsEntry("peer-secret-file", "/etc/s");
        ServerCommand plain = new ServerCommand();
        new picocli.CommandLine(plain).parseArgs();
        assertThat(plain.settings()).doesNotContainKey("insecure-peers").doesNotContainKey("peer-secret-file");
    }

    @Test
    void aMissingConfigFileExits2NamingIt() {
        String[] r = run("server", "--config", "/nonexistent/raft-kv.properties");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("/nonexistent/raft-kv.properties");
    }

    @Test
    void aHistogramLogThatCannotBeWrittenExits2NamingIt() {
        String[] r = run("bench", "--endpoints", "http://127.0.0.1:1", "--seconds", "1",
                "--histogram-log", "/nonexistent-dir/latency.hlog");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--histogram-log").contains("/nonexistent-dir/latency.hlog").doesNotContain("\tat ");
    }

    @Test
    void anEndpointWithoutSchemeExits2NamingItWithoutAStackTrace() {
        String[] r = run("put", "--endpoints", "localhost:29999", "k", "v");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--endpoints").contains("localhost:29999").doesNotContain("\tat ");
        String[] bench = run("bench", "--endpoints", "localhost:29999", "--seconds", "1");
        assertThat(bench[0]).isEqualTo("2");
        assertThat(bench[1]).contains("--endpoints").doesNotContain("\tat ");
    }

    @Test
    void aCasWithBothExpectationsExits2() {
        String[] r = run("cas", "--endpoints", "http://127.0.0.1:1", "k", "v", "--expected", "x", "--absent");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--expected").contains("--absent");
    }

    @Test
    void anUnknownBenchModeExits2() {
        String[] r = run("bench", "--endpoints", "http://127.0.0.1:1", "--mode", "sideways");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("sideways");
    }

    @Test
    void aCasWhoseComparisonFailsExits3AndOneThatSucceedsExits0() {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            // A stub leader: a CAS succeeds only when it expects "old".
            io.vertx.core.http.HttpServer stub = vertx.createHttpServer().requestHandler(req -> {
                String self = "http://127.0.0.1:" + req.localAddress().port();
                if (req.path().equals("/v1/status")) {
                    req.response().end(new io.vertx.core.json.JsonObject().put("leaderHttp", self).encode());
                    return;
                }
                if (req.path().equals("/v1/stream")) {
                    req.response().setStatusCode(404).end(); // a node of the JSON API only
                    return;
                }
                req.body().onSuccess(body -> req.response().end(new io.vertx.core.json.JsonObject().put("key", "k")
                        .put("succeeded", "old".equals(body.toJsonObject().getString("expected"))).encode()));
            }).listen(0, "127.0.0.1").await();
            String url = "http://127.0.0.1:" + stub.actualPort();
            assertThat(run("cas", "--endpoints", url, "k", "v", "--expected", "other")[0]).isEqualTo("3");
            assertThat(run("cas", "--endpoints", url, "k", "v", "--expected", "old")[0]).isEqualTo("0");
        } finally {
            vertx.close().await();
        }
    }
}
