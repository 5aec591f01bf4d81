package io.raftkit.core.fault;

import static io.raftkit.core.fault.AdminEndpoint.reply;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

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

    private final AdminEndpoint endpoint;

    DiskFaultAdminServer(int port, FaultInjectingLogStore store, Halt halt) throws IOException {
        endpoint = new AdminEndpoint(port, "raft-disk-fault-admin", "/crash", exchange -> handle(exchange, store, halt));
    }

    int port() {
        return endpoint.port();
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

    @Override
    public void close() {
        endpoint.close();
    }
}
