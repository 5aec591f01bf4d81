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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code network-faults} transport's admin endpoint, on loopback only and only when the
 * {@code admin-port} option is set. {@code PUT /faults?dropFrom=n2&dropTo=n3&lossPercent=10&duplicatePercent=5&delayMillis=20&jitterMillis=40}
 * replaces every rule (a parameter left out is off), {@code DELETE /faults} heals, {@code GET /faults}
 * shows them. A bad parameter answers 400 naming it, and the rules stay as they were.
 */
final class NetworkFaultsAdminServer implements AutoCloseable {

    private static final Set<String> PARAMETERS = Set.of("dropFrom", "dropTo", "lossPercent", "duplicatePercent",
            "delayMillis", "jitterMillis");

    /** Both parts of the rules, parsed together so that a bad request changes neither. */
    record Rules(FaultRules.Snapshot partition, LinkFaults link) {
        @Override
        public String toString() {
            return partition.toString().replace(" delayMillis=0", "") + " " + link;
        }
    }

    private final HttpServer server;

    NetworkFaultsAdminServer(int port, FaultRules partitions, PacketFaultTransport packets) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "raft-network-fault-admin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/faults", exchange -> handle(exchange, partitions, packets));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, FaultRules partitions, PacketFaultTransport packets) throws IOException {
        try (exchange) {
            switch (exchange.getRequestMethod()) {
                case "GET" -> reply(exchange, 200, new Rules(partitions.current(), packets.faults()) + " " + packets.counts());
                case "DELETE" -> {
                    partitions.clear();
                    packets.setFaults(LinkFaults.NONE);
                    reply(exchange, 200, new Rules(partitions.current(), packets.faults()).toString());
                }
                case "PUT", "POST" -> {
                    Rules next;
                    try {
                        next = parse(exchange.getRequestURI());
                    } catch (IllegalArgumentException e) {
                        reply(exchange, 400, e.getMessage());
                        return;
                    }
                    partitions.set(next.partition());
                    packets.setFaults(next.link());
                    reply(exchange, 200, next.toString());
                }
                default -> reply(exchange, 405, "use GET, PUT or DELETE");
            }
        }
    }

    static Rules parse(URI uri) {
        Map<String, String> params = new HashMap<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!PARAMETERS.contains(name)) {
                    throw new IllegalArgumentException("unknown parameter '" + name + "': use " + new TreeSet<>(PARAMETERS));
                }
                params.put(name, value);
            }
        }
        FaultRules.Snapshot partition = new FaultRules.Snapshot(ids("dropTo", params.get("dropTo")),
                ids("dropFrom", params.get("dropFrom")), 0);
        LinkFaults link = new LinkFaults((int) number(params, "lossPercent"), (int) number(params, "duplicatePercent"),
                number(params, "delayMillis"), number(params, "jitterMillis"));
        return new Rules(partition, link);
    }

    private static long number(Map<String, String> params, String name) {
        String raw = params.getOrDefault(name, "0").trim();
        try {
            return Long.parseLong(raw.isEmpty() ? "0" : raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " = '" + raw + "' is not a whole number");
        }
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
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
