package io.raftkit.verifier.backend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free loopback ports, all distinct: every socket stays open until the last port is taken. Taken
 * one at a time (open, read the port, close), the kernel handed out the same port twice in a
 * 20-port cluster, and a node's fault endpoint collided with another's.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static List<Integer> take(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress());
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
