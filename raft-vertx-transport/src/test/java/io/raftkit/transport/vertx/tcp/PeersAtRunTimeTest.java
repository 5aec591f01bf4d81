package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.transport.vertx.Ports;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Membership changes at run time (issue 17): a node the cluster was not started with is admitted
 * and dialled once its address is added, and shut out again once it is removed.
 */
class PeersAtRunTimeTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    /** Fast reconnects: the newcomer's first handshakes are refused until the members know it. */
    private static final Options FAST = Options.of(Map.of("backoff-min-millis", "10", "backoff-max-millis", "100"));

    private final List<Transport> open = new ArrayList<>();
    private final Map<NodeId, BlockingQueue<RaftMessage>> received = new LinkedHashMap<>();

    private Transport start(NodeId id, Map<NodeId, String> addresses) throws Exception {
        Transport t = Plugins.transport("vertx-tcp").create(new TransportConfig(id, addresses, FAST, Resources.EMPTY));
        BlockingQueue<RaftMessage> inbox = new LinkedBlockingQueue<>();
        received.put(id, inbox);
        t.start(inbox::add);
        open.add(t);
        return t;
    }

    @AfterEach
    void closeAll() {
        open.forEach(Transport::close);
    }

    /** Sends term after term until one arrives (the link may be reconnecting), or 10 s pass. */
    private boolean delivered(Transport from, NodeId fromId, NodeId to) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (long term = 1; System.nanoTime() < deadline; term++) {
            from.send(new TimeoutNow(fromId, to, term));
            if (received.get(to).poll(100, TimeUnit.MILLISECONDS) != null) {
                return true;
            }
        }
        return false;
    }

    private boolean nothingArrivesWithin(Transport from, NodeId fromId, NodeId to, long millis) throws InterruptedException {
        received.get(to).clear();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            from.send(new TimeoutNow(fromId, to, 99));
            if (received.get(to).poll(50, TimeUnit.MILLISECONDS) != null) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aMemberAddedAtRunTimeIsAdmittedAndDialledAndARemovedOneIsShutOut() throws Exception {
        Map<NodeId, String> all = Ports.loopbackAddresses(List.of(A, B, C));
        Map<NodeId, String> original = Map.of(A, all.get(A), B, all.get(B));
        Transport a = start(A, original);
        Transport b = start(B, original);
        Transport c = start(C, all); // the newcomer knows how to reach the cluster

        assertThat(delivered(a, A, B)).isTrue();
        assertThat(nothingArrivesWithin(c, C, A, 500)).as("a does not admit a stranger").isTrue();

        a.addPeer(C, all.get(C));
        b.addPeer(C, all.get(C));
        a.addPeer(C, all.get(C)); // told again (every node, every new leader): changes nothing
        assertThat(delivered(a, A, C)).as("a dials the new member").isTrue();
        assertThat(delivered(c, C, A)).as("a admits the new member").isTrue();
        assertThat(delivered(c, C, B)).isTrue();

        a.removePeer(C);
        assertThat(nothingArrivesWithin(a, A, C, 500)).as("a no longer sends to a removed member").isTrue();
        assertThat(nothingArrivesWithin(c, C, A, 1000)).as("a no longer admits a removed member").isTrue();
        assertThat(delivered(a, A, B)).as("the other members are untouched").isTrue();
    }

    @Test
    void aBadAddressIsRefusedNamingTheMember() throws Exception {
        Map<NodeId, String> all = Ports.loopbackAddresses(List.of(A, B));
        Transport a = start(A, all);
        assertThatThrownBy(() -> a.addPeer(C, "no-port-here")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c");
    }
}
