package io.raftkit.core.fault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What the fault-injection admin servers share: one loopback-only JDK HTTP server on one daemon
 * thread (a test harness's control port must never be reachable from elsewhere, and raft-core
 * takes no HTTP library), plain-text replies, and query parameters parsed strictly so that a bad
 * request changes nothing and says which parameter was wrong.
 */
final class AdminEndpoint implements AutoCloseable {

    private final HttpServer server;

    AdminEndpoint(int port, String threadName, String path, HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }));
        server.createContext(path, handler);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The query's parameters; one not in {@code allowed} is refused, naming it and the allowed ones. */
    static Map<String, String> parameters(URI uri, Set<String> allowed) {
        Map<String, String> params = new HashMap<>();
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("unknown parameter '" + name + "': use " + new TreeSet<>(allowed));
            }
            params.put(name, value);
        }
        return params;
    }

    /** A whole number parameter, 0 when absent or empty. */
    static long number(Map<String, String> params, String name) {
        String raw = params.getOrDefault(name, "0").trim();
        try {
            return Long.parseLong(raw.isEmpty() ? "0" : raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " = '" + raw + "' is not a whole number");
        }
    }

    /** A comma-separated list of node ids; empty when absent. */
    static Set<NodeId> ids(String name, String list) {
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

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
