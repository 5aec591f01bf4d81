package io.raftkit.kv.server;

import java.io.IOException;
import java.net.ServerSocket;

/** Loopback ports free right now, for tests that start server processes on them. */
public final class FreePorts {

    private FreePorts() {
    }

    /** {@code n} distinct ports: all held open at once, so none is handed out twice, then released. */
    public static int[] take(int n) throws IOException {
        int[] ports = new int[n];
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
