package io.raftkit.verifier.process;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.raftkit.api.NodeId;
import io.raftkit.core.server.RaftException;
import io.raftkit.core.server.RaftServer;
import io.raftkit.core.server.RaftStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback HTTP endpoint through which the verifier's clients reach a {@link RaftServer} in a
 * node process ({@link ProcessNode} is the other end). Bytes in, bytes out:
 * <ul>
 *   <li>{@code POST /v1/verifier/propose}: the body is a command for {@link RaftServer#propose};
 *       200 with what {@code apply} returned (header {@code X-Null: true} for null); 409 with
 *       {@code X-Outcome: not-applied} when the server says the command certainly was not applied
 *       ({@link RaftException#certainlyNotApplied()}), else {@code X-Outcome: unknown};</li>
 *   <li>{@code POST /v1/verifier/read}: {@link RaftServer#read} (ReadIndex), 200 or 409
 *       {@code not-applied} (a read changes nothing, however it failed);</li>
 *   <li>{@code GET /v1/verifier/status}: {@code role term leader} on one line, for finding the leader.</li>
 * </ul>
 */
public final class NodeEndpoint implements AutoCloseable {

    /** Longer than any request timeout a server keeps: the server answers first unless it is stopped. */
    private static final long WAIT_SECONDS = 60;

    private final RaftServer server;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "verifier-endpoint");
        t.setDaemon(true);
        return t;
    });

    private NodeEndpoint(RaftServer server, int port) throws IOException {
        this.server = server;
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        http.createContext("/v1/verifier/propose", e -> {
            byte[] command = body(e);
            if (command != null) {
                answer(e, server.propose(command), true);
            }
        });
        http.createContext("/v1/verifier/read", e -> {
            byte[] query = body(e);
            if (query != null) {
                answer(e, server.read(query), false);
            }
        });
        http.createContext("/v1/verifier/status", this::status);
        http.setExecutor(threads);
        http.start();
    }

    /** Serves {@code server} on 127.0.0.1:{@code port} until closed. */
    public static NodeEndpoint serve(RaftServer server, int port) throws IOException {
        return new NodeEndpoint(server, port);
    }

    private static byte[] body(HttpExchange e) throws IOException {
        if (!e.getRequestMethod().equals("POST")) {
            send(e, 405, "not-applied", ("use POST, not " + e.getRequestMethod()).getBytes(StandardCharsets.UTF_8));
            return null;
        }
        return e.getRequestBody().readAllBytes();
    }

    private static void answer(HttpExchange e, CompletableFuture<byte[]> future, boolean write) throws IOException {
        try {
            byte[] result = future.get(WAIT_SECONDS, TimeUnit.SECONDS);
            if (result == null) {
                e.getResponseHeaders().set("X-Null", "true");
            }
            send(e, 200, null, result == null ? new byte[0] : result);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            boolean notApplied = !write || cause instanceof RaftException re && re.certainlyNotApplied();
            send(e, 409, notApplied ? "not-applied" : "unknown", String.valueOf(cause).getBytes(StandardCharsets.UTF_8));
        } catch (TimeoutException timedOut) {
            send(e, 504, write ? "unknown" : "not-applied", "no answer from the server".getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            send(e, 503, write ? "unknown" : "not-applied", "interrupted".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void status(HttpExchange e) throws IOException {
        RaftStatus s = server.status();
        String line = s.role() + " " + s.term() + " " + s.leader().map(NodeId::value).orElse("-") + "\n";
        send(e, 200, null, line.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange e, int status, String outcome, byte[] body) throws IOException {
        if (outcome != null) {
            e.getResponseHeaders().set("X-Outcome", outcome);
        }
        e.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
