package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.raftkit.transport.vertx.TestCertificates;
import io.raftkit.transport.vertx.TestCertificates.Issued;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on vertx-tcp with certificates made for each run ({@link TestCertificates}). A member's
 * certificate names it by a SAN URI {@code raftkit://<cluster>/<node>}; both ends check the other's:
 * the accepting side against the id the hello claims, the dialing side against the member it meant
 * to reach.
 */
class MutualTlsTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId STRANGER = NodeId.of("stranger");

    @TempDir
    static Path dir;
    private static TestCertificates pki;
    private static Issued ca;

    private final List<Transport> started = new ArrayList<>();
    private final List<RaftMessage> receivedByB = new CopyOnWriteArrayList<>();
    private final MeterRegistry registryOfB = new SimpleMeterRegistry();
    private Map<NodeId, String> addresses;

    @BeforeAll
    static void makeAuthority() {
        pki = new TestCertificates(dir);
        ca = pki.authority("raftkit-test-ca");
    }

    @BeforeEach
    void startMembersBAndC() throws Exception {
        addresses = Ports.loopbackAddresses(List.of(A, B, C));
        start(B, addresses, member("b"), Resources.EMPTY.with(MeterRegistry.class, registryOfB), receivedByB);
        start(C, addresses, member("c"), Resources.EMPTY, new CopyOnWriteArrayList<>());
    }

    @AfterEach
    void closeAll() {
        started.forEach(Transport::close);
    }

    private static Issued member(String id) {
        return pki.leaf(id, id, ca, "raftkit://raftkit/" + id);
    }

    @Test
    void membersWithCaSignedCertificatesExchangeMessages() throws Exception {
        Transport a = start(A, addresses, member("a"), Resources.EMPTY, new CopyOnWriteArrayList<>());
        a.send(new TimeoutNow(A, B, 7));
        assertThat(Await.until(Duration.ofSeconds(10), () -> !receivedByB.isEmpty())).isTrue();
        assertThat(receivedByB).containsExactly(new TimeoutNow(A, B, 7));
    }

    @Test
    void theIdentityIsTheSanUriNotTheCommonName() throws Exception {
        Issued cert = pki.leaf("a-by-uri", "some host name", ca, "raftkit://raftkit/a");
        Transport a = start(A, addresses, cert, Resources.EMPTY, new CopyOnWriteArrayList<>());
        a.send(new TimeoutNow(A, B, 8));
        assertThat(Await.until(Duration.ofSeconds(10), () -> !receivedByB.isEmpty())).isTrue();
        assertThat(receivedByB).containsExactly(new TimeoutNow(A, B, 8));
    }

    @Test
    void aSelfSignedCertificateCannotConnectEvenWithAMembersId() throws Exception {
        Issued rogue = pki.leaf("rogue", "a", null, "raftkit://raftkit/a");
        Transport rogueA = start(A, addresses, rogue, Resources.EMPTY, new CopyOnWriteArrayList<>());
        Transport c = started.get(1);
        for (int i = 0; i < 20; i++) {
            rogueA.send(new TimeoutNow(A, B, 1));
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
        Transport stranger = start(STRANGER, strangersView, member("stranger"), Resources.EMPTY, new CopyOnWriteArrayList<>());
        stranger.send(new TimeoutNow(STRANGER, B, 1));
        assertThat(Await.until(Duration.ofSeconds(10), () -> refusedByB() >= 1)).isTrue();
        assertThat(receivedByB).isEmpty();
    }

    @Test
    void aTrustedCertificateCannotSpeakForAnotherMember() throws Exception {
        Transport impostor = start(A, addresses, member("c"), Resources.EMPTY, new CopyOnWriteArrayList<>(), false);
        for (int i = 0; i < 10; i++) {
            impostor.send(new TimeoutNow(A, B, 1));
            Thread.sleep(20);
        }
        assertThat(Await.until(Duration.ofSeconds(10), () -> refusedByB() >= 1)).isTrue();
        assertThat(receivedByB).isEmpty();
    }

    @Test
    void aCertificateOfTheSameIdInAnotherClusterIsRefused() throws Exception {
        Issued otherCluster = pki.leaf("a-elsewhere", "a", ca, "raftkit://elsewhere/a");
        Transport a = start(A, addresses, otherCluster, Resources.EMPTY, new CopyOnWriteArrayList<>(), false);
        for (int i = 0; i < 10; i++) {
            a.send(new TimeoutNow(A, B, 1));
            Thread.sleep(20);
        }
        assertThat(Await.until(Duration.ofSeconds(10), () -> refusedByB() >= 1)).isTrue();
        assertThat(receivedByB).isEmpty();
    }

    @Test
    void theDialingSideRefusesAServerWhoseCertificateNamesAnotherMember() throws Exception {
        // Someone holding c's (trusted) certificate answers at d's address and pretends to be d.
        NodeId d = NodeId.of("d");
        Map<NodeId, String> withD = new HashMap<>(addresses);
        withD.put(d, "127.0.0.1:" + Ports.freePort());
        List<RaftMessage> receivedByImpostor = new CopyOnWriteArrayList<>();
        start(d, withD, member("c"), Resources.EMPTY, receivedByImpostor, false);
        Transport a = start(A, withD, member("a"), Resources.EMPTY, new CopyOnWriteArrayList<>());
        for (int i = 0; i < 20; i++) {
            a.send(new TimeoutNow(A, d, 3));
            Thread.sleep(20);
        }
        a.send(new TimeoutNow(A, B, 4)); // the control
        assertThat(Await.until(Duration.ofSeconds(10), () -> !receivedByB.isEmpty())).isTrue();
        Thread.sleep(200);
        assertThat(receivedByImpostor).as("a sent nothing to a server that is not who it dialled").isEmpty();
    }

    @Test
    void aNodeWhoseOwnCertificateDoesNotNameItRefusesToStart() {
        Issued cnOnly = pki.leaf("cn-only", "a", ca);
        assertThatThrownBy(() -> start(A, addresses, cnOnly, Resources.EMPTY, new CopyOnWriteArrayList<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raftkit://raftkit/a")
                .hasMessageContaining("CN=a");
    }

    private double refusedByB() {
        return registryOfB.get("raftkit.transport.connections.refused").counter().count();
    }

    private Transport start(NodeId id, Map<NodeId, String> view, Issued certificate, Resources resources,
                            List<RaftMessage> inbox) throws Exception {
        return start(id, view, certificate, resources, inbox, true);
    }

    /**
     * @param ownIdentityChecked false for the impostors, whose own certificate does not name them: a
     *                           real node refuses to start with one, an attacker's code would not
     */
    private Transport start(NodeId id, Map<NodeId, String> view, Issued certificate, Resources resources,
                            List<RaftMessage> inbox, boolean ownIdentityChecked) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of(
                "tls.key", certificate.keyFile().toString(),
                "tls.cert", certificate.certFile().toString(),
                "tls.ca", ca.certFile().toString(),
                "backoff-max-millis", "200"));
        TransportConfig config = new TransportConfig(id, view, Options.of(options), resources);
        Transport t = ownIdentityChecked ? Plugins.transport("vertx-tcp").create(config) : new VertxTcpTransport(config, false);
        t.start(inbox::add);
        started.add(t);
        return t;
    }
}
