package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connections that never name themselves cannot pile up: beyond the cap they are closed at once. */
class HandshakeFloodTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void silentConnectionsBeyondTheCapAreClosedAndTheRestTimeOutSoMembersGetThrough() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        int portOfB = Integer.parseInt(addresses.get(B).split(":")[1]);
        try (LiveNode b = new LiveNode(B, addresses, Map.of("max-pending-handshakes", "3",
                "handshake-timeout-millis", "500"))) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    silent.add(new Socket(InetAddress.getLoopbackAddress(), portOfB));
                }
                Thread.sleep(100);
                try (Socket oneTooMany = new Socket(InetAddress.getLoopbackAddress(), portOfB)) {
                    oneTooMany.setSoTimeout(5000);
                    assertThat(oneTooMany.getInputStream().read()).as("closed at once").isEqualTo(-1);
                }
                assertThat(b.counter("raftkit.transport.connections.refused")).isEqualTo(1);
                // The silent ones hit the handshake timeout, freeing their slots for a real member.
                try (LiveNode a = new LiveNode(A, addresses, Map.of("backoff-max-millis", "200"))) {
                    boolean delivered = Await.until(Duration.ofSeconds(10), () -> {
                        a.transport.send(new TimeoutNow(A, B, 5));
                        return b.inbox.contains(new TimeoutNow(A, B, 5));
                    });
                    assertThat(delivered).isTrue();
                }
                assertThat(b.counter("raftkit.transport.decode.errors")).as("three handshake timeouts").isEqualTo(3);
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }
}
