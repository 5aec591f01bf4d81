package io.raftkit.core.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.core.memory.MemoryNetwork;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FaultInjectingTransportTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final MemoryNetwork network = new MemoryNetwork("fault-test");
    private final List<RaftMessage> atA = new CopyOnWriteArrayList<>();
    private final List<RaftMessage> atB = new CopyOnWriteArrayList<>();

    private Transport create(NodeId self, Map<String, String> options, FaultRules rules) {
        Resources resources = Resources.EMPTY.with(MemoryNetwork.class, network);
        if (rules != null) {
            resources = resources.with(FaultRules.class, rules);
        }
        return new FaultInjectingTransportProvider().create(new TransportConfig(self, Map.of(A, "a", B, "b"),
                merged(options), resources));
    }

    private static Options merged(Map<String, String> extra) {
        java.util.Map<String, String> all = new java.util.HashMap<>(extra);
        all.put("inner", "memory");
        return Options.of(all);
    }

    @Test
    void rulesDropBySenderAndByReceiverAndHealingRestoresDelivery() throws Exception {
        FaultRules rulesA = new FaultRules();
        FaultRules rulesB = new FaultRules();
        try (Transport a = create(A, Map.of(), rulesA); Transport b = create(B, Map.of(), rulesB)) {
            a.start(atA::add);
            b.start(atB::add);
            rulesA.set(new FaultRules.Snapshot(java.util.Set.of(B), java.util.Set.of(), 0));
            a.send(new TimeoutNow(A, B, 1));
            rulesA.clear();
            rulesB.set(new FaultRules.Snapshot(java.util.Set.of(), java.util.Set.of(A), 0));
            a.send(new TimeoutNow(A, B, 2));
            b.send(new TimeoutNow(B, A, 3)); // one-way: B still reaches A
            rulesB.clear();
            a.send(new TimeoutNow(A, B, 4));
            assertThat(atB).extracting(RaftMessage::term).containsExactly(4L);
            assertThat(atA).extracting(RaftMessage::term).containsExactly(3L);
        }
    }

    @Test
    void theAdminEndpointChangesTheRulesAndRefusesBadParameters() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Transport a = create(A, Map.of("admin-port", Integer.toString(port)), null);
             Transport b = create(B, Map.of(), null)) {
            a.start(atA::add);
            b.start(atB::add);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port + "/faults";
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "?dropTo=b"))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            a.send(new TimeoutNow(A, B, 1));
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "?dropTo=b&delayMillis=soon"))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("delayMillis").contains("soon");
            a.send(new TimeoutNow(A, B, 2)); // the bad request changed nothing: still dropped
            HttpResponse<String> heal = http.send(HttpRequest.newBuilder(URI.create(base)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(heal.statusCode()).isEqualTo(200);
            a.send(new TimeoutNow(A, B, 3));
            assertThat(atB).extracting(RaftMessage::term).containsExactly(3L);
        }
    }

    @Test
    void membershipChangesPassThroughToTheWrappedTransport() {
        // Without the delegation the SPI's default refuses, and no cluster behind this wrapper (the
        // verifier's) could add a member.
        Transport a = create(A, Map.of(), new FaultRules());
        Transport packets = new PacketFaultTransport(create(B, Map.of(), new FaultRules()), 1);
        try {
            org.assertj.core.api.Assertions.assertThatCode(() -> {
                a.addPeer(NodeId.of("c"), "c");
                a.removePeer(NodeId.of("c"));
                packets.addPeer(NodeId.of("c"), "c");
                packets.removePeer(NodeId.of("c"));
            }).doesNotThrowAnyException();
        } finally {
            a.close();
            packets.close();
        }
    }

    @Test
    void wrappingItselfIsRefused() {
        assertThatThrownBy(() -> new FaultInjectingTransportProvider().create(new TransportConfig(A, Map.of(A, "a"),
                Options.of(Map.of("inner", "fault-injecting")), Resources.EMPTY)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrap itself");
    }
}
