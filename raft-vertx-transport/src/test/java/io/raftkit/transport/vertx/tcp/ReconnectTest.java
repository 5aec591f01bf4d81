package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A peer that goes away and comes back on the same address is redialled without help. */
class ReconnectTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void aRestartedPeerReceivesAgainAfterTheLinkRedialsWithBackoff() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        Map<String, String> fastBackoff = Map.of("backoff-min-millis", "10", "backoff-max-millis", "200");
        try (LiveNode a = new LiveNode(A, addresses, fastBackoff)) {
            try (LiveNode b = new LiveNode(B, addresses, fastBackoff)) {
                a.transport.send(new TimeoutNow(A, B, 1));
                assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.contains(new TimeoutNow(A, B, 1)))).isTrue();
            }
            Thread.sleep(500); // b is down: a's link fails and keeps redialling with growing delays
            try (LiveNode restarted = new LiveNode(B, addresses, fastBackoff)) {
                // Messages sent while the link redials may be lost (Raft retries); keep sending until one lands.
                boolean delivered = Await.until(Duration.ofSeconds(10), () -> {
                    a.transport.send(new TimeoutNow(A, B, 2));
                    return restarted.inbox.contains(new TimeoutNow(A, B, 2));
                });
                assertThat(delivered).isTrue();
                assertThat(a.registry.find("raftkit.transport.reconnects").tag("peer", "b").counter().count())
                        .isGreaterThanOrEqualTo(1);
            }
        }
    }
    @Test
    void aPeerThatConnectsBackIsRedialledAtOnceNotAfterTheBackoff() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        Map<String, String> slowBackoff = Map.of("backoff-min-millis", "4000", "backoff-max-millis", "30000");
        try (LiveNode a = new LiveNode(A, addresses, slowBackoff)) {
            try (LiveNode b = new LiveNode(B, addresses, slowBackoff)) {
                a.transport.send(new TimeoutNow(A, B, 1));
                assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.contains(new TimeoutNow(A, B, 1)))).isTrue();
            }
            // b down: a's first redial fails 2 to 4 s after the loss, and its second waits until 6 to 12 s
            long down = System.nanoTime();
            Thread.sleep(4200);
            try (LiveNode restarted = new LiveNode(B, addresses, slowBackoff)) {
                restarted.transport.send(new TimeoutNow(B, A, 1)); // b dials a at once and is admitted
                // before a's second redial could have come (6 s after the loss, at the earliest)
                long left = Duration.ofSeconds(6).toMillis() - (System.nanoTime() - down) / 1_000_000;
                assertThat(left).as("the machine was too slow to start b in time for this test").isGreaterThan(300);
                boolean delivered = Await.until(Duration.ofMillis(left), () -> {
                    a.transport.send(new TimeoutNow(A, B, 2));
                    return restarted.inbox.contains(new TimeoutNow(A, B, 2));
                });
                assertThat(delivered).as("a's link to b redialled when b connected, not after its backoff").isTrue();
            }
        }
    }
}
