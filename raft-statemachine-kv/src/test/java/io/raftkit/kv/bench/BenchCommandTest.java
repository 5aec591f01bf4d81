package io.raftkit.kv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.kv.cli.Main;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The load tool against a stub node that keeps sessions as the state machine does. */
class BenchCommandTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    @Test
    void aVirtualClientWhoseFirstWriteFailedStartsANewSessionInsteadOfFailingForever() {
        // The first writes are refused unapplied (as by a node not yet ready to lead); their sessions
        // then do not exist, and the node refuses the later sequences of those ids (409).
        Map<String, Long> sessions = new ConcurrentHashMap<>();
        AtomicInteger refusals = new AtomicInteger(2);
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            String self = "http://127.0.0.1:" + req.localAddress().port();
            if (req.path().equals("/v1/status")) {
                req.response().end(new JsonObject().put("leaderHttp", self).encode());
                return;
            }
            String client = req.getHeader("X-Client-Id");
            long sequence = Long.parseLong(req.getHeader("X-Sequence"));
            if (refusals.getAndDecrement() > 0) {
                req.response().setStatusCode(503).end(new JsonObject().put("error", "no-leader").put("outcome", "not-applied").encode());
            } else if (!sessions.containsKey(client) && sequence > 1) {
                req.response().setStatusCode(409).end(new JsonObject().put("error", "session-expired").encode());
            } else {
                sessions.put(client, sequence);
                req.response().end(new JsonObject().put("key", "k").put("version", 1).encode());
            }
        }).listen(0, "127.0.0.1").await();
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int status;
        System.setOut(new PrintStream(captured, true));
        try {
            status = Main.run("bench", "--endpoints", "http://127.0.0.1:" + server.actualPort(), "--clients", "2",
                    "--seconds", "2", "--warmup", "1", "--mode", "put");
        } finally {
            System.setOut(out);
        }
        String[] lines = captured.toString().strip().split("\n");
        assertThat(status).as(captured.toString()).isZero();
        JsonObject summary = new JsonObject(lines[lines.length - 1]);
        assertThat(summary.getLong("ops_per_sec")).as(captured.toString()).isGreaterThan(10);
        assertThat(summary.getLong("errors")).as("after the warm-up, which saw the refusals").isZero();
    }
}
