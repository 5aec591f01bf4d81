package io.raftkit.verifier.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.net.httpserver.HttpServer;
import io.raftkit.verifier.backend.ClusterBackend;
import io.raftkit.verifier.backend.NetworkState;
import io.raftkit.verifier.workload.Workload;
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
            Runner runner = new Runner(new OneNode(server.getLocalPort()), options(4, Duration.ofSeconds(2)),
                    Workload.named("register", 2), quiet());
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
            Runner runner = new Runner(new OneNode(server.getAddress().getPort()), options(2, Duration.ofSeconds(2)),
                    Workload.named("register", 2), quiet());
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

    private static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    /** A one-node "cluster" at a fixed port with no faults to inject. */
    private record OneNode(int port) implements ClusterBackend {
        @Override
        public List<String> nodes() {
            return List.of("n1");
        }

        @Override
        public String endpoint(String node) {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void start() {
        }

        @Override
        public Optional<String> leader() {
            return Optional.empty();
        }

        @Override
        public void kill(String node) {
        }

        @Override
        public void restart(String node) {
        }

        @Override
        public void pause(String node) {
        }

        @Override
        public void resume(String node) {
        }

        @Override
        public void crash(String node) {
        }

        @Override
        public void network(NetworkState state) {
        }

        @Override
        public void close() {
        }
    }
}
