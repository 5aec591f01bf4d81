package io.raftkit.transport.vertx;

import io.raftkit.api.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loopback addresses on free ports for test clusters. */
public final class Ports {

    private Ports() {
    }

    public static Map<NodeId, String> loopbackAddresses(List<NodeId> ids) {
        Map<NodeId, String> addresses = new LinkedHashMap<>();
        for (NodeId id : ids) {
            addresses.put(id, "127.0.0.1:" + freePort());
        }
        return addresses;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
