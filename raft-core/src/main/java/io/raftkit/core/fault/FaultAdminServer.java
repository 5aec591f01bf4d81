package io.raftkit.core.fault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.raftkit.api.NodeId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;

/**
 * The fault-injection admin endpoint, on loopback only and only when the {@code admin-port} option
 * is set: {@code PUT /faults?dropFrom=n2,n3&dropTo=n4&delayMillis=20} replaces the rules,
 * {@code DELETE /faults} heals, {@code GET /faults} shows them. Plain query parameters keep
 * raft-core free of a JSON library. Bad parameters answer 400 naming the parameter; the rules
 * stay as they were.
 */
public final class FaultAdminServer implements AutoCloseable {

    private final HttpServer server;

    public FaultAdminServer(int port, FaultRules rules) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "raft-fault-admin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/faults", exchange -> handle(exchange, rules));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
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
        Map<String, String> params = new HashMap<>();
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!Set.of("dropFrom", "dropTo", "delayMillis").contains(name)) {
                    throw new IllegalArgumentException("unknown parameter '" + name + "': use dropFrom, dropTo, delayMillis");
                }
                params.put(name, value);
            }
        }
        long delay;
        try {
            delay = Long.parseLong(params.getOrDefault("delayMillis", "0").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("delayMillis = '" + params.get("delayMillis") + "' is not a whole number");
        }
        return new FaultRules.Snapshot(ids("dropTo", params.get("dropTo")), ids("dropFrom", params.get("dropFrom")), delay);
    }

    private static Set<NodeId> ids(String name, String list) {
        Set<NodeId> ids = new TreeSet<>();
        if (list == null || list.isBlank()) {
            return ids;
        }
        for (String id : list.split(",")) {
            try {
                ids.add(NodeId.of(id.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }
        return ids;
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
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
