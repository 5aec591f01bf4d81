package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.raftkit.api.NodeId;
import io.raftkit.api.message.RaftMessage;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS on vertx-tcp with the committed test certificates (src/test/resources/tls/README.md):
 * members talk; a self-signed certificate cannot connect; a CA-signed certificate still cannot speak
 * for an id outside the cluster or for another member's id.
 */
class MutualTlsTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId STRANGER = NodeId.of("stranger");

    private final List<Transport> started = new ArrayList<>();
    private final List<RaftMessage> receivedByB = new CopyOnWriteArrayList<>();
    private final MeterRegistry registryOfB = new SimpleMeterRegistry();
    private Map<NodeId, String> addresses;

    @BeforeEach
    void startMembersBAndC() throws Exception {
        addresses = Ports.loopbackAddresses(List.of(A, B, C));
        start(B, addresses, "b", Resources.EMPTY.with(MeterRegistry.class, registryOfB), receivedByB);
        start(C, addresses, "c", Resources.EMPTY, new CopyOnWriteArrayList<>());
    }

    @AfterEach
    void closeAll() {
        started.forEach(Transport::close);
    }

    @Test
    void membersWithCaSignedCertificatesExchangeMessages() throws Exception {
        Transport a = start(A, addresses, "a", Resources.EMPTY, new CopyOnWriteArrayList<>());
        a.send(new TimeoutNow(A, B, 7));
        assertThat(Await.until(Duration.ofSeconds(10), () -> !receivedByB.isEmpty())).isTrue();
        assertThat(receivedByB).containsExactly(new TimeoutNow(A, B, 7));
    }

    @Test
    void aSelfSignedCertificateCannotConnectEvenWithAMembersId() throws Exception {
        Transport rogue = start(A, addresses, "rogue", Resources.EMPTY, new CopyOnWriteArrayList<>());
        Transport c = started.get(1);
        for (int i = 0; i < 20; i++) {
            rogue.send(new TimeoutNow(A, B, 1));
            Thread.sleep(25);
        }
        c.send(new TimeoutNow(C, B, 2)); // the control: a trusted member gets through meanwhile
        assertThat(Await.until(Duration.ofSeconds(10), () -> !receivedByB.isEmpty())).isTrue();
        Thread.sleep(300);
        assertThat(receivedByB).containsExactly(new TimeoutNow(C, B, 2));
    }

    @Test
    void aTrustedCertificateForAnIdOutsideTheClusterIsRefusedAtTheHandshake() throws Exception {
        Map<NodeId, String> strangersView = new HashMap<>(addresses);
        strangersView.put(STRANGER, "127.0.0.1:" + Ports.freePort());
        Transport stranger = start(STRANGER, strangersView, "stranger", Resources.EMPTY, new CopyOnWriteArrayList<>());
        stranger.send(new TimeoutNow(STRANGER, B, 1));
        assertThat(Await.until(Duration.ofSeconds(10), () -> refusedByB() >= 1)).isTrue();
        assertThat(receivedByB).isEmpty();
    }

    @Test
    void aTrustedCertificateCannotSpeakForAnotherMember() throws Exception {
        Transport impostor = start(A, addresses, "stranger", Resources.EMPTY, new CopyOnWriteArrayList<>());
        impostor.send(new TimeoutNow(A, B, 1));
        assertThat(Await.until(Duration.ofSeconds(10), () -> refusedByB() >= 1)).isTrue();
        assertThat(receivedByB).isEmpty();
    }

    private double refusedByB() {
        return registryOfB.get("raftkit.transport.connections.refused").counter().count();
    }

    private Transport start(NodeId id, Map<NodeId, String> view, String certificate, Resources resources,
                            List<RaftMessage> inbox) throws Exception {
        Options tls = Options.of(Map.of(
                "tls.key", tls(certificate + "-key.pem"),
                "tls.cert", tls(certificate + ".pem"),
                "tls.ca", tls("ca.pem"),
                "backoff-max-millis", "200"));
        Transport t = Plugins.transport("vertx-tcp").create(new TransportConfig(id, view, tls, resources));
        t.start(inbox::add);
        started.add(t);
        return t;
    }

    static String tls(String file) throws URISyntaxException {
        return Path.of(MutualTlsTest.class.getResource("/tls/" + file).toURI()).toString();
    }
}
