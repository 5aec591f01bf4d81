package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import io.raftkit.verifier.backend.ClusterBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's liveness side: a cluster that never answers again must fail the run (its history of
 * failures alone is linearizable), and clients must not flood a node that is down.
 */
class RecoveryTest {

    @TempDir
    Path dir;

    private RunOptions options(int clients, Duration recovery) {
        return new RunOptions(1, Duration.ofSeconds(3), clients, 2, 1000, "register", List.of(), 7, dir,
                Duration.ofSeconds(1000), Duration.ZERO, Duration.ofSeconds(2), PlantedBug.NONE, recovery);
    }

    /** What docker-proxy does for a stopped container: accept, then close without a byte. */
    @Test
    void aClusterThatNeverAnswersFailsTheRunAndIsNotFlooded() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Runner runner = KvRunners.register(oneNode(server.getLocalPort()), options(4, Duration.ofSeconds(2)), 2, quiet());
            History history = runner.run();

            assertThat(runner.recoveryFailure()).contains("no read of r0-0 succeeded within 2 s");
            // 4 clients for 3 s, pausing 100 ms after each unanswered request: about 120 requests,
            // plus the final reads every 250 ms. Without the pause it was thousands.
            assertThat(connections.get()).isBetween(20, 250);
            assertThat(history.events()).noneMatch(e -> e.type().equals("ok"));
        }
    }

    @Test
    void aServingClusterPassesAndEveryKeyIsReadAtTheEnd() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = (exchange.getRequestMethod().equals("GET") ? "{\"value\":null}" : "{\"succeeded\":true}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Runner runner = KvRunners.register(oneNode(server.getAddress().getPort()), options(2, Duration.ofSeconds(2)), 2, quiet());
            History history = runner.run();

            assertThat(runner.recoveryFailure()).isNull();
            List<Recorded> finals = history.events().stream()
                    .filter(e -> e.process() instanceof Integer p && p == Integer.MAX_VALUE / 2).toList();
            assertThat(finals).extracting(Recorded::type, Recorded::key)
                    .as("every key read before the resends and again after them")
                    .containsExactly(tuple("invoke", "r0-0"), tuple("ok", "r0-0"), tuple("invoke", "r1-0"), tuple("ok", "r1-0"),
                            tuple("invoke", "r0-0"), tuple("ok", "r0-0"), tuple("invoke", "r1-0"), tuple("ok", "r1-0"));
        } finally {
            server.stop(0);
        }
    }

    /**
     * The KV store refuses every later sequence of a client whose first request was never applied
     * (409 session-expired, not applied). A runner that kept the client id failed every write of
     * that process for the rest of the run; it now starts a new session and its writes succeed.
     */
    @Test
    void aProcessWhoseSessionTheStoreDoesNotKeepStartsANewOne() throws Exception {
        java.util.Set<String> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger startingUp = new AtomicInteger(2); // the first two writes find no leader yet
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String client = exchange.getRequestHeaders().getFirst("X-Client-Id");
            String sequence = exchange.getRequestHeaders().getFirst("X-Sequence");
            int status = 200;
            String body = "{\"value\":null}";
            if (!exchange.getRequestMethod().equals("GET")) {
                body = "{\"succeeded\":true}";
                if (startingUp.getAndDecrement() > 0) {
                    status = 503; // each client's first request, as the cluster starts: not applied
                    body = "{\"error\":\"no-leader\",\"message\":\"no leader\",\"outcome\":\"not-applied\"}";
                } else if ("1".equals(sequence)) {
                    sessions.add(client);
                } else if (!sessions.contains(client)) {
                    status = 409;
                    body = "{\"error\":\"session-expired\",\"message\":\"no session\",\"outcome\":\"not-applied\"}";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            Runner runner = KvRunners.register(oneNode(server.getAddress().getPort()), options(2, Duration.ofSeconds(2)), 2, quiet());
            History history = runner.run();
            long okWrites = history.events().stream()
                    .filter(e -> e.type().equals("ok") && "write".equals(e.f()) && e.process() instanceof Integer p
                            && p < Integer.MAX_VALUE / 2)
                    .count();
            assertThat(sessions).as("sessions the store started").hasSizeGreaterThanOrEqualTo(2);
            assertThat(okWrites).as("writes applied after the first refusal").isGreaterThan(5);
        } finally {
            server.stop(0);
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    private static ClusterBackend oneNode(int port) {
        return new OneNodeBackend("http://127.0.0.1:" + port, Optional.empty());
    }
}
