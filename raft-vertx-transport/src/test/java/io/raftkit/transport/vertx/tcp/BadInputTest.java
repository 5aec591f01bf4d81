package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import io.raftkit.transport.vertx.auth.PeerSecret;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Accepted;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import io.raftkit.transport.vertx.codec.WireFormat;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Bad bytes at a live vertx-tcp node close only the offending connection, add one to the decode
 * error counter, log one WARN line naming the remote address, and leave the node serving members.
 */
class BadInputTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    /** A member that is not running: the raw connections speak as it, so they replace no real link. */
    private static final NodeId C = NodeId.of("c");

    private LiveNode a;
    private LiveNode b;
    private int portOfB;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger connectionLog = (Logger) LoggerFactory.getLogger(InboundConnection.class);

    @BeforeEach
    void startTwoMembers() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B, C));
        portOfB = Integer.parseInt(addresses.get(B).split(":")[1]);
        b = new LiveNode(B, addresses, Map.of("max-frame-bytes", "65536"));
        a = new LiveNode(A, addresses, Map.of());
        logs.start();
        connectionLog.addAppender(logs);
    }

    @AfterEach
    void stop() {
        connectionLog.detachAppender(logs);
        a.close();
        b.close();
    }

    static Stream<Arguments> badFrames() {
        Buffer timeoutNow = Buffer.buffer();
        RaftMessageCodec.writeFrame(new TimeoutNow(C, B, 3), timeoutNow);
        Buffer unknownType = timeoutNow.copy().setByte(5, (byte) 77);
        Buffer badVersion = timeoutNow.copy().setByte(4, (byte) (WireFormat.VERSION + 1));
        Buffer truncated = timeoutNow.getBuffer(0, timeoutNow.length() - 3);
        truncated.setInt(0, truncated.length() - 4);
        Buffer garbledId = timeoutNow.copy().setByte(7, (byte) '/');
        Buffer wrongSender = Buffer.buffer();
        RaftMessageCodec.writeFrame(new TimeoutNow(A, B, 3), wrongSender);
        return Stream.of(
                Arguments.of("an oversized frame", Buffer.buffer().appendInt(1 << 30).appendInt(0), true),
                Arguments.of("a negative length", Buffer.buffer().appendInt(-5), true),
                Arguments.of("an unknown type", unknownType, true),
                Arguments.of("an unknown format version", badVersion, true),
                Arguments.of("a truncated body", truncated, true),
                Arguments.of("a garbled node id", garbledId, true),
                Arguments.of("a message claiming another sender", wrongSender, true),
                Arguments.of("a message before any handshake", timeoutNow, false),
                Arguments.of("a handshake frame after the handshake", RawPeer.frame(new Accepted()), true),
                Arguments.of("a handshake frame longer than any handshake",
                        Buffer.buffer().appendInt(WireFormat.MAX_HANDSHAKE_FRAME_BYTES + 1).appendBytes(new byte[600]), false),
                Arguments.of("a hello without a cluster id (an older RaftKit)",
                        Buffer.buffer().appendInt(6).appendByte(WireFormat.VERSION).appendByte(WireFormat.HELLO_WITHOUT_CLUSTER)
                                .appendByte((byte) 1).appendByte((byte) 'c').appendByte((byte) 1).appendByte((byte) 'b'), false));
    }

    @ParameterizedTest(name = "{0} closes that connection only")
    @MethodSource("badFrames")
    void badBytesCloseThatConnectionCountOneErrorAndLogOneWarning(String what, Buffer bytes, boolean afterHandshake)
            throws Exception {
        try (RawPeer peer = RawPeer.connect(portOfB)) {
            if (afterHandshake) {
                peer.handshakeAs(C, B, PeerSecret.read(PeerSecret.defaultFile()));
            }
            peer.write(bytes);
            assertThat(peer.closedWithin(Duration.ofSeconds(10))).as("the node closes the connection").isTrue();
            String remote = "127.0.0.1:" + peer.socket.getLocalPort();
            assertThat(Await.until(Duration.ofSeconds(5), () -> !logs.list.isEmpty())).isTrue();
            Thread.sleep(100);
            assertThat(logs.list).hasSize(1);
            assertThat(logs.list.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(logs.list.get(0).getFormattedMessage()).contains(remote);
            assertThat(b.counter("raftkit.transport.decode.errors")).isEqualTo(1.0);
        }
        a.transport.send(new TimeoutNow(A, B, 9));
        assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.contains(new TimeoutNow(A, B, 9))))
                .as("the node still serves its members").isTrue();
        assertThat(b.inbox).containsOnly(new TimeoutNow(A, B, 9));
    }
}
