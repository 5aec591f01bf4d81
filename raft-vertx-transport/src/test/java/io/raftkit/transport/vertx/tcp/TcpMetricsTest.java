package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendReply;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import io.raftkit.transport.vertx.codec.RaftMessageCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Micrometer counters of vertx-tcp tell an operator what was sent, received, dropped and redialled. */
class TcpMetricsTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId GONE = NodeId.of("gone");

    @Test
    void messagesAndBytesSentAndReceivedAreCountedPerPeer() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        try (LiveNode b = new LiveNode(B, addresses, Map.of()); LiveNode a = new LiveNode(A, addresses, Map.of())) {
            RaftMessage m = new AppendReply(A, B, 1, true, 5, 0, 0, 1, 4);
            for (int i = 0; i < 100; i++) {
                a.transport.send(m);
            }
            assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.size() == 100)).isTrue();
            double frameBytes = RaftMessageCodec.frameSize(m);
            assertThat(a.counter("raftkit.transport.messages", "b", "sent")).isEqualTo(100);
            assertThat(a.counter("raftkit.transport.bytes", "b", "sent")).isEqualTo(100 * frameBytes);
            assertThat(Await.until(Duration.ofSeconds(2),
                    () -> b.counter("raftkit.transport.messages", "a", "received") == 100)).isTrue();
            assertThat(b.counter("raftkit.transport.bytes", "a", "received")).isEqualTo(100 * frameBytes);
            assertThat(a.counter("raftkit.transport.messages", "b", "dropped")).isZero();
        }
    }

    @Test
    void aFullQueueToAnUnreachablePeerDropsCountsAndKeepsRedialling() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, GONE));
        try (LiveNode a = new LiveNode(A, addresses, Map.of("queue-size", "10", "backoff-min-millis", "5",
                "backoff-max-millis", "40"))) {
            for (int i = 0; i < 50; i++) {
                a.transport.send(new TimeoutNow(A, GONE, i));
            }
            // Nobody listens on gone's port: ten wait in the queue, forty are dropped.
            assertThat(a.counter("raftkit.transport.messages", "gone", "dropped")).isEqualTo(40);
            assertThat(a.counter("raftkit.transport.bytes", "gone", "dropped"))
                    .isEqualTo(40.0 * RaftMessageCodec.frameSize(new TimeoutNow(A, GONE, 1)));
            assertThat(Await.until(Duration.ofSeconds(10), () -> a.registry.find("raftkit.transport.reconnects")
                    .tag("peer", "gone").counter() != null
                    && a.registry.find("raftkit.transport.reconnects").tag("peer", "gone").counter().count() >= 3))
                    .isTrue();
        }
    }
}
