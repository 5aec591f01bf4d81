package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.transport.vertx.Ports;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A peer the node refuses (another cluster, or an id it does not know) is told no at the handshake,
 * redials with a growing backoff rather than as soon as TCP connects, and fills no log: each side
 * says why once.
 */
class RefusedPeerTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId X = NodeId.of("x");

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger transportLog = (Logger) LoggerFactory.getLogger("io.raftkit.transport.vertx.tcp");

    @BeforeEach
    void captureLogs() {
        logs.start();
        transportLog.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        transportLog.detachAppender(logs);
    }

    @Test
    void aNodeOfAnotherClusterIsRefusedAtTheHandshakeAndEachSideSaysSoOnce() throws Exception {
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        try (LiveNode b = new LiveNode(B, addresses, Map.of("cluster-id", "green"));
             LiveNode a = new LiveNode(A, addresses, Map.of("cluster-id", "blue", "backoff-min-millis", "10",
                     "backoff-max-millis", "100"))) {
            for (int i = 0; i < 30; i++) {
                a.transport.send(new TimeoutNow(A, B, i));
                Thread.sleep(50);
            }
            assertThat(b.inbox).as("nothing from another cluster is delivered").isEmpty();
            assertThat(b.counter("raftkit.transport.connections.refused")).isGreaterThanOrEqualTo(1);
            // Each node dials the other and is refused: one line from the refusing end and one from the
            // refused end of each of the two links, however often they redial.
            assertThat(warnings("InboundConnection")).hasSize(2)
                    .allMatch(w -> w.contains("'blue'") && w.contains("'green'"));
            assertThat(warnings("PeerLink")).hasSize(2).allMatch(w -> w.contains("another cluster"));
        }
    }

    @Test
    void aRefusedPeerRedialsWithAGrowingBackoffNotAsSoonAsTcpConnects() throws Exception {
        Map<NodeId, String> bView = Ports.loopbackAddresses(List.of(A, B));
        Map<NodeId, String> xView = new HashMap<>(Map.of(B, bView.get(B), X, "127.0.0.1:" + Ports.freePort()));
        try (LiveNode b = new LiveNode(B, bView, Map.of());
             LiveNode x = new LiveNode(X, xView, Map.of("backoff-min-millis", "20", "backoff-max-millis", "2000"))) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < Duration.ofSeconds(3).toNanos()) {
                x.transport.send(new TimeoutNow(X, B, 1));
                Thread.sleep(20);
            }
            assertThat(b.inbox).isEmpty();
            double attempts = b.counter("raftkit.transport.connections.refused");
            assertThat(attempts).as("b refused x").isGreaterThanOrEqualTo(1);
            // 20, 40, 80, ... ms with equal jitter, capped at 2 s: at most about 10 dials in 3 s.
            assertThat(attempts).as("dials in 3 s").isLessThanOrEqualTo(15);
            assertThat(warnings("")).as("WARN lines in 3 s").hasSize(2); // b's refusal and x's
        }
    }

    private List<String> warnings(String loggerSuffix) {
        return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .filter(e -> e.getLoggerName().endsWith(loggerSuffix))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
