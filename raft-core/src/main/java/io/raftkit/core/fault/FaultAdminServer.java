package io.raftkit.core.fault;

import static io.raftkit.core.fault.AdminEndpoint.ids;
import static io.raftkit.core.fault.AdminEndpoint.reply;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * The fault-injection admin endpoint, on loopback only and only when the {@code admin-port} option
 * is set: {@code PUT /faults?dropFrom=n2,n3&dropTo=n4&delayMillis=20} replaces the rules,
 * {@code DELETE /faults} heals, {@code GET /faults} shows them. Plain query parameters keep
 * raft-core free of a JSON library. Bad parameters answer 400 naming the parameter; the rules
 * stay as they were.
 */
public final class FaultAdminServer implements AutoCloseable {

    private static final Set<String> PARAMETERS = Set.of("dropFrom", "dropTo", "delayMillis");

    private final AdminEndpoint endpoint;

    public FaultAdminServer(int port, FaultRules rules) throws IOException {
        endpoint = new AdminEndpoint(port, "raft-fault-admin", "/faults", exchange -> handle(exchange, rules));
    }

    public int port() {
        return endpoint.port();
    }

    private static void handle(HttpExchange exchange, FaultRules rules) throws IOException {
        try (exchange) {
            switch (exchange.getRequestMethod()) {
                case "GET" -> reply(exchange, 200, rules.current().toString());
                case "DELETE" -> {
                    rules.clear();
                    reply(exchange, 200, rules.current().toString());
                }
                case "PUT", "POST" -> {
                    FaultRules.Snapshot next;
                    try {
                        next = parse(exchange.getRequestURI());
                    } catch (IllegalArgumentException e) {
                        reply(exchange, 400, e.getMessage());
                        return;
                    }
                    rules.set(next);
                    reply(exchange, 200, next.toString());
                }
                default -> reply(exchange, 405, "use GET, PUT or DELETE");
            }
        }
    }

    static FaultRules.Snapshot parse(URI uri) {
        Map<String, String> params = AdminEndpoint.parameters(uri, PARAMETERS);
        return new FaultRules.Snapshot(ids("dropTo", params.get("dropTo")), ids("dropFrom", params.get("dropFrom")),
                AdminEndpoint.number(params, "delayMillis"));
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
