package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.LogEntry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.AppendEntries;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What waits for a peer is bounded in bytes, and what waited through an outage is not sent after it. */
class OutboundQueueTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId GONE = NodeId.of("gone");

    @Test
    void theQueueToAPeerIsBoundedInBytesNotOnlyInMessages() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, GONE));
        byte[] megabyte = new byte[1 << 20]; // shared by every message: the test itself holds 1 MiB
        try (LiveNode a = new LiveNode(A, addresses, Map.of())) {
            for (int i = 0; i < 100; i++) {
                a.transport.send(new AppendEntries(A, GONE, 1, i, 1, List.of(LogEntry.command(i + 1, 1, megabyte)), 0, 0));
            }
            // 100 messages are far below the 4,096 a queue may count, but 100 MiB is more than it may hold.
            assertThat(a.counter("raftkit.transport.bytes", "gone", "dropped")).as("bytes dropped")
                    .isGreaterThanOrEqualTo(30.0 * (1 << 20));
        }
    }

    @Test
    void aMessageTooLargeForAnyFrameIsDroppedBeforeItCanCostTheConnection() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        Map<String, String> small = Map.of("max-frame-bytes", "1024");
        try (LiveNode b = new LiveNode(B, addresses, small); LiveNode a = new LiveNode(A, addresses, small)) {
            a.transport.send(new AppendEntries(A, B, 1, 0, 0, List.of(LogEntry.command(1, 1, new byte[2000])), 0, 0));
            a.transport.send(new TimeoutNow(A, B, 2));
            assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.contains(new TimeoutNow(A, B, 2)))).isTrue();
            assertThat(b.inbox).hasSize(1);
            assertThat(a.counter("raftkit.transport.messages", "b", "dropped")).isEqualTo(1);
            assertThat(b.counter("raftkit.transport.decode.errors")).as("the link was never cut").isZero();
        }
    }

    @Test
    void messagesQueuedDuringAnOutageDoNotArriveAfterIt() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        Map<String, String> fast = Map.of("backoff-min-millis", "10", "backoff-max-millis", "100");
        try (LiveNode a = new LiveNode(A, addresses, fast)) {
            try (LiveNode b = new LiveNode(B, addresses, fast)) {
                a.transport.send(new TimeoutNow(A, B, 1));
                assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.contains(new TimeoutNow(A, B, 1)))).isTrue();
            }
            // b is down: what a sends now waits in its queue, or is dropped.
            for (int term = 2; term < 50; term++) {
                a.transport.send(new TimeoutNow(A, B, term));
            }
            Thread.sleep(1500); // longer than any election timeout: those messages are stale now
            try (LiveNode restarted = new LiveNode(B, addresses, fast)) {
                RaftMessage fresh = new TimeoutNow(A, B, 1000);
                assertThat(Await.until(Duration.ofSeconds(10), () -> {
                    a.transport.send(fresh);
                    return restarted.inbox.contains(fresh);
                })).isTrue();
                assertThat(restarted.inbox).as("only fresh messages reach the restarted peer").containsOnly(fresh);
            }
        }
    }
}
