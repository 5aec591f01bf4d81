package io.raftkit.transport.vertx.tcp;

import io.raftkit.api.spi.InboundBacklog;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.Resources;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** While the host says its node is behind, vertx-tcp stops reading; when it catches up, reading resumes. */
class BackpressureTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    @Test
    void aNodeThatIsBehindStopsReadingUntilItCatchesUp() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        AtomicBoolean behind = new AtomicBoolean(true);
        InboundBacklog backlog = behind::get;
        try (LiveNode b = new LiveNode(B, addresses, Map.of(), Resources.EMPTY.with(InboundBacklog.class, backlog));
             LiveNode a = new LiveNode(A, addresses, Map.of())) {
            a.transport.send(new TimeoutNow(A, B, 1));
            assertThat(Await.until(Duration.ofSeconds(10), () -> b.inbox.size() == 1)).isTrue();
            for (int term = 2; term <= 10; term++) {
                a.transport.send(new TimeoutNow(A, B, term));
            }
            Thread.sleep(300);
            assertThat(b.inbox).as("nothing more is read while b is behind").hasSize(1);
            assertThat(b.counter("raftkit.transport.inbound.pauses")).isEqualTo(1);
            behind.set(false);
            assertThat(Await.until(Duration.ofSeconds(5), () -> b.inbox.size() == 10)).as("all ten, once caught up").isTrue();
        }
    }
}
