package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a stranger can make a node hold before it has named itself: one small frame, and one of a
 * bounded number of slots that a member's connection can always win back.
 */
class HandshakeLimitsTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private Map<NodeId, String> addresses;
    private int portOfB;
    private LiveNode b;
    private final List<RawPeer> strangers = new ArrayList<>();

    @BeforeEach
    void startB() throws Exception {
        addresses = Ports.loopbackAddresses(List.of(A, B));
        portOfB = Integer.parseInt(addresses.get(B).split(":")[1]);
        // A long handshake timeout, so no slot frees itself while a test runs.
        b = new LiveNode(B, addresses, Map.of("handshake-timeout-millis", "60000"));
    }

    @AfterEach
    void stop() throws Exception {
        for (RawPeer s : strangers) {
            s.close();
        }
        b.close();
    }

    @Test
    void aFirstFrameLongerThanAnyHandshakeIsRefusedAtOnceWithoutWaitingForItsBytes() throws Exception {
        try (RawPeer stranger = RawPeer.connect(portOfB)) {
            // 1 MB is under max-frame-bytes, but no handshake is that long.
            stranger.write(Buffer.buffer().appendInt(1_000_000).appendBytes(new byte[100]));
            assertThat(stranger.closedWithin(Duration.ofSeconds(3))).as("closed at once").isTrue();
        }
        assertThat(b.counter("raftkit.transport.decode.errors")).isEqualTo(1);
    }

    @Test
    void idleSocketsFromAStrangerHostCannotLockOutARestartedMember() throws Exception {
        InetAddress strangerHost = InetAddress.getByName("127.0.0.2");
        for (int i = 0; i < 80; i++) {
            strangers.add(RawPeer.connectFrom(strangerHost, portOfB));
        }
        assertMemberGetsThrough();
    }

    @Test
    void idleSocketsFromTheMembersOwnHostCannotLockItOutEither() throws Exception {
        for (int i = 0; i < 80; i++) {
            strangers.add(RawPeer.connect(portOfB));
        }
        assertMemberGetsThrough();
    }

    @Test
    void theOldestConnectionStillInItsHandshakeGivesWayToTheNextFromTheSameAddress() throws Exception {
        Map<NodeId, String> view = Ports.loopbackAddresses(List.of(A, NodeId.of("c")));
        try (LiveNode c = new LiveNode(NodeId.of("c"), view, Map.of("max-pending-handshakes-per-host", "3",
                "handshake-timeout-millis", "60000"))) {
            InetAddress host = InetAddress.getByName("127.0.0.5");
            for (int i = 0; i < 3; i++) {
                strangers.add(RawPeer.connectFrom(host, port(view, "c")));
                Thread.sleep(50); // keep the arrival order
            }
            strangers.add(RawPeer.connectFrom(host, port(view, "c")));
            assertThat(strangers.get(0).closedWithin(Duration.ofSeconds(5))).as("the oldest gives way").isTrue();
            assertThat(strangers.get(1).closedWithin(Duration.ofMillis(200))).as("the others stay").isFalse();
            assertThat(c.counter("raftkit.transport.connections.refused")).isEqualTo(1);
        }
    }

    @Test
    void aConnectionThatSaysNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        Map<NodeId, String> view = Ports.loopbackAddresses(List.of(A, NodeId.of("c")));
        try (LiveNode c = new LiveNode(NodeId.of("c"), view, Map.of("handshake-timeout-millis", "200"));
             RawPeer silent = RawPeer.connect(port(view, "c"))) {
            assertThat(silent.closedWithin(Duration.ofSeconds(5))).isTrue();
            assertThat(Await.until(Duration.ofSeconds(2), () -> c.counter("raftkit.transport.decode.errors") == 1)).isTrue();
        }
    }

    @Test
    void aMemberThatConnectsAgainReplacesItsOlderConnection() throws Exception {
        PeerSecret secret = PeerSecret.read(PeerSecret.defaultFile());
        try (RawPeer older = RawPeer.connect(portOfB).handshakeAs(A, B, secret);
             RawPeer newer = RawPeer.connect(portOfB).handshakeAs(A, B, secret)) {
            assertThat(older.closedWithin(Duration.ofSeconds(5))).as("the older connection is closed").isTrue();
            newer.send(new TimeoutNow(A, B, 3));
            assertThat(Await.until(Duration.ofSeconds(5), () -> b.inbox.contains(new TimeoutNow(A, B, 3)))).isTrue();
            assertThat(newer.closedWithin(Duration.ofMillis(200))).as("the newer one stays").isFalse();
        }
    }

    private static int port(Map<NodeId, String> view, String id) {
        return Integer.parseInt(view.get(NodeId.of(id)).split(":")[1]);
    }

    private void assertMemberGetsThrough() throws Exception {
        Thread.sleep(200); // b has accepted the flood
        try (LiveNode a = new LiveNode(A, addresses, Map.of("backoff-max-millis", "200"))) {
            boolean delivered = Await.until(Duration.ofSeconds(5), () -> {
                a.transport.send(new TimeoutNow(A, B, 5));
                return b.inbox.contains(new TimeoutNow(A, B, 5));
            });
            assertThat(delivered).as("the member got through while strangers hold sockets open").isTrue();
        }
    }
}
