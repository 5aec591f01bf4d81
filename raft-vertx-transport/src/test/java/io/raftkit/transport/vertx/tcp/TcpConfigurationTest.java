package io.raftkit.transport.vertx.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.api.message.TimeoutNow;
import io.raftkit.api.spi.Options;
import io.raftkit.api.spi.Plugins;
import io.raftkit.api.spi.Resources;
import io.raftkit.api.spi.Transport;
import io.raftkit.api.spi.TransportConfig;
import io.raftkit.transport.vertx.Await;
import io.raftkit.transport.vertx.Ports;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How vertx-tcp is configured: bad settings are named, a lent Vertx is used and left running. */
class TcpConfigurationTest {

    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private static Transport create(NodeId self, Map<NodeId, String> addresses, Map<String, String> options,
                                    Resources resources) {
        return Plugins.transport("vertx-tcp").create(new TransportConfig(self, addresses, Options.of(options), resources));
    }

    @Test
    void badOptionsAndAddressesAreRefusedNamingTheCulprit() {
        Map<NodeId, String> good = Map.of(A, "127.0.0.1:9001", B, "127.0.0.1:9002");
        assertThatThrownBy(() -> create(A, good, Map.of("queue-size", "0"), Resources.EMPTY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue-size");
        assertThatThrownBy(() -> create(A, good, Map.of("max-frame-bytes", "lots"), Resources.EMPTY))
                .hasMessageContaining("max-frame-bytes");
        assertThatThrownBy(() -> create(A, good, Map.of("tls.key", "/nonexistent"), Resources.EMPTY))
                .hasMessageContaining("tls.key, tls.cert and tls.ca");
        assertThatThrownBy(() -> create(A, good, Map.of("tls.key", "/nope/k.pem", "tls.cert", "/nope/c.pem",
                "tls.ca", "/nope/ca.pem"), Resources.EMPTY)).hasMessageContaining("tls.key = '/nope/k.pem'");
        assertThatThrownBy(() -> create(A, Map.of(A, "127.0.0.1", B, "x:1"), Map.of(), Resources.EMPTY))
                .hasMessageContaining("address of a");
        assertThatThrownBy(() -> create(A, Map.of(A, "127.0.0.1:1", B, "h:99999"), Map.of(), Resources.EMPTY))
                .hasMessageContaining("address of b");
        assertThatThrownBy(() -> create(A, Map.of(B, "127.0.0.1:1"), Map.of(), Resources.EMPTY))
                .hasMessageContaining("no address given for this node a");
    }

    @Test
    void securitySettingsThatContradictOrCannotWorkAreRefusedNamingThem(@TempDir Path dir) throws Exception {
        Map<NodeId, String> good = Map.of(A, "127.0.0.1:9001", B, "127.0.0.1:9002");
        assertThatThrownBy(() -> create(A, good, Map.of("cluster-id", " "), Resources.EMPTY)).hasMessageContaining("cluster-id");
        assertThatThrownBy(() -> create(A, good, Map.of("cluster-id", "é".repeat(128)), Resources.EMPTY))
                .hasMessageContaining("cluster-id").hasMessageContaining("256 bytes");
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> create(A, good, Map.of("insecure-peers", "true", "secret-file", secret.toString()),
                Resources.EMPTY)).hasMessageContaining("insecure-peers=true contradicts secret-file");
        assertThatThrownBy(() -> create(A, good, Map.of("insecure-peers", "maybe"), Resources.EMPTY))
                .hasMessageContaining("insecure-peers");
        assertThatThrownBy(() -> create(A, good, Map.of("secret-file", dir.resolve("missing").toString()), Resources.EMPTY))
                .hasMessageContaining("missing").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> create(A, good, Map.of("max-pending-handshakes", "4", "max-pending-handshakes-per-host", "5"),
                Resources.EMPTY)).hasMessageContaining("max-pending-handshakes-per-host");
    }

    @Test
    void listeningBeyondLoopbackTakesASecretTlsOrAnExplicitInsecureSetting(@TempDir Path dir) throws Exception {
        Map<NodeId, String> exposed = Map.of(A, "0.0.0.0:" + Ports.freePort(), B, "127.0.0.1:" + Ports.freePort());
        assertThatThrownBy(() -> create(A, exposed, Map.of(), Resources.EMPTY))
                .hasMessageContaining("would listen on 0.0.0.0, beyond loopback, with no peer authentication");
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("r--------"));
        create(A, exposed, Map.of("secret-file", secret.toString()), Resources.EMPTY).close();
        create(A, exposed, Map.of("insecure-peers", "true"), Resources.EMPTY).close();
        Map<NodeId, String> loopback = Map.of(A, "127.0.0.1:" + Ports.freePort(), B, "127.0.0.1:" + Ports.freePort());
        assertThatThrownBy(() -> create(A, loopback, Map.of("bind-host", "0.0.0.0"), Resources.EMPTY))
                .hasMessageContaining("beyond loopback");
        create(A, Map.of(A, "localhost:" + Ports.freePort(), B, "127.0.0.1:1"), Map.of(), Resources.EMPTY).close();
    }

    @Test
    void aPortInUseFailsStartWithAnIoExceptionNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Transport t = create(A, Map.of(A, address, B, "127.0.0.1:" + Ports.freePort()), Map.of(), Resources.EMPTY);
            assertThatThrownBy(() -> t.start(m -> { }))
                    .isInstanceOf(IOException.class).hasMessageContaining(address.replace("127.0.0.1", ""));
            t.close();
        }
    }

    @Test
    void aLentVertxClosedUnderTheTransportMakesSendDropAndCloseQuietly() throws Exception {
        Vertx vertx = Vertx.vertx();
        Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
        Transport a = create(A, addresses, Map.of(), Resources.EMPTY.with(Vertx.class, vertx));
        a.start(m -> { });
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        assertThatCode(() -> {
            for (int i = 0; i < 10; i++) {
                a.send(new TimeoutNow(A, B, i));
            }
        }).doesNotThrowAnyException();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThatCode(a::close).doesNotThrowAnyException();
    }

    @Test
    void aLentVertxCarriesTheTrafficAndOutlivesTheTransport() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Map<NodeId, String> addresses = Ports.loopbackAddresses(List.of(A, B));
            Resources lent = Resources.EMPTY.with(Vertx.class, vertx);
            Transport a = create(A, addresses, Map.of(), lent);
            Transport b = create(B, addresses, Map.of(), lent);
            List<Object> inbox = new CopyOnWriteArrayList<>();
            a.start(m -> { });
            b.start(inbox::add);
            // Sent again until it arrives, as Raft resends: a message queued for a dial that fails is
            // dropped by design, and a first dial can fail: a CI run (2026-12-05) saw the acceptor log
            // Vert.x's "Failed to register an accepted channel" (IllegalStateException from
            // VertxEventLoopGroup.next, as in eclipse-vertx/vert.x#6087), the dialler redial, and this
            // one message, sent once, never arrive.
            boolean arrived = false;
            for (int i = 0; i < 20 && !arrived; i++) {
                a.send(new TimeoutNow(A, B, 4));
                arrived = Await.until(Duration.ofMillis(500), () -> inbox.contains(new TimeoutNow(A, B, 4)));
            }
            assertThat(arrived).as("a message over the lent Vertx within 10 s").isTrue();
            a.close();
            b.close();
            // The host's Vertx is still usable: the transports did not close what they borrowed.
            assertThat(vertx.timer(1).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Behind NAT the address peers dial is not this machine's: listen on bind-host, at the address's port. */
    @Test
    void bindHostListensWhereTheOwnAddressCannotBeBound() throws Exception {
        int portA = Ports.freePort();
        int portB = Ports.freePort();
        Transport a = create(A, Map.of(A, "raftkit-nat.invalid:" + portA, B, "127.0.0.1:" + portB),
                Map.of("bind-host", "127.0.0.1"), Resources.EMPTY);
        Transport b = create(B, Map.of(A, "127.0.0.1:" + portA, B, "127.0.0.1:" + portB), Map.of(), Resources.EMPTY);
        try {
            List<Object> inbox = new CopyOnWriteArrayList<>();
            a.start(inbox::add);
            b.start(m -> { });
            b.send(new TimeoutNow(B, A, 9));
            assertThat(Await.until(Duration.ofSeconds(10), () -> inbox.contains(new TimeoutNow(B, A, 9)))).isTrue();
        } finally {
            a.close();
            b.close();
        }
        Map<NodeId, String> good = Map.of(A, "127.0.0.1:9001", B, "127.0.0.1:9002");
        assertThatThrownBy(() -> create(A, good, Map.of("bind-host", " "), Resources.EMPTY)).hasMessageContaining("bind-host is empty");
        assertThatThrownBy(() -> create(A, good, Map.of("bind-hots", "0.0.0.0"), Resources.EMPTY))
                .hasMessageContaining("unknown option 'bind-hots' for vertx-tcp");
    }
}
