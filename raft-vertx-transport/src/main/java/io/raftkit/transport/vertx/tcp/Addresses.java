package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.NodeId;
import io.vertx.core.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the {@code host:port} addresses of a TransportConfig, naming the member whose address is bad. */
final class Addresses {

    private Addresses() {
    }

    static Map<NodeId, SocketAddress> parse(Map<NodeId, String> addresses) {
        Map<NodeId, SocketAddress> out = new LinkedHashMap<>();
        for (Map.Entry<NodeId, String> e : addresses.entrySet()) {
            out.put(e.getKey(), parse(e.getKey(), e.getValue()));
        }
        return out;
    }

    static SocketAddress parse(NodeId id, String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address of " + id + " = '" + address + "' is not host:port"
                    + (address.equals(id.toString()) ? " (no address was given for it: RaftServerBuilder.addresses names every member's)" : ""));
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address of " + id + " = '" + address + "' has a port that is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("address of " + id + " = '" + address + "' has port " + port + " outside 1..65535");
        }
        return SocketAddress.inetSocketAddress(port, host);
    }
}
