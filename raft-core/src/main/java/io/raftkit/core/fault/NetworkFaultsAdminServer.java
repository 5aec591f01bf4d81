package io.raftkit.core.fault;

import static io.raftkit.core.fault.AdminEndpoint.ids;
import static io.raftkit.core.fault.AdminEndpoint.number;
import static io.raftkit.core.fault.AdminEndpoint.reply;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

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

    private final AdminEndpoint endpoint;

    NetworkFaultsAdminServer(int port, FaultRules partitions, PacketFaultTransport packets) throws IOException {
        endpoint = new AdminEndpoint(port, "raft-network-fault-admin", "/faults", exchange -> handle(exchange, partitions, packets));
    }

    int port() {
        return endpoint.port();
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
        Map<String, String> params = AdminEndpoint.parameters(uri, PARAMETERS);
        FaultRules.Snapshot partition = new FaultRules.Snapshot(ids("dropTo", params.get("dropTo")),
                ids("dropFrom", params.get("dropFrom")), 0);
        LinkFaults link = new LinkFaults((int) number(params, "lossPercent"), (int) number(params, "duplicatePercent"),
                number(params, "delayMillis"), number(params, "jitterMillis"));
        return new Rules(partition, link);
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
