package io.raftkit.core.fault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@link FaultInjectingLogStore}'s admin endpoint, on loopback only and only when the store's
 * {@code admin-port} option is set: {@code POST /crash} puts the store back to what it synced and
 * then ends the process at once with status 137 (as {@code kill -9} would: no shutdown hook runs,
 * nothing more is written); {@code GET /crash} shows what is synced. The verifier's nemesis calls
 * it in place of a plain kill, on the host or through {@code docker exec curl}.
 */
final class DiskFaultAdminServer implements AutoCloseable {

    /** The status a SIGKILLed JVM exits with, which the verifier's backends read as "killed". */
    static final int KILLED_STATUS = 137;

    /** Ends the process; a test replaces it. */
    interface Halt {
        void halt(int status);
    }

    private final HttpServer server;

    DiskFaultAdminServer(int port, FaultInjectingLogStore store, Halt halt) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "raft-disk-fault-admin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/crash", exchange -> handle(exchange, store, halt));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, FaultInjectingLogStore store, Halt halt) throws IOException {
        try (exchange) {
            switch (exchange.getRequestMethod()) {
                case "GET" -> reply(exchange, 200, store.describe());
                case "POST" -> {
                    String dropped;
                    try {
                        dropped = store.crash();
                    } catch (IOException e) {
                        // The revert could not be written: end anyway, as the power would have gone anyway.
                        dropped = "the revert failed (" + e.getMessage() + "); ending the process anyway";
                    }
                    System.err.println("fault-injecting log store: simulated power loss: " + dropped);
                    reply(exchange, 200, "crashed: " + dropped);
                    exchange.close();
                    halt.halt(KILLED_STATUS);
                }
                default -> reply(exchange, 405, "use GET or POST");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
