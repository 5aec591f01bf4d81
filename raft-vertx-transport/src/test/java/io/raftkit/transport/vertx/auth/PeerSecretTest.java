package io.raftkit.transport.vertx.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerSecretTest {

    private static final Hello HELLO = new Hello("raftkit", NodeId.of("a"), NodeId.of("b"), PeerSecret.nonce());

    @TempDir
    Path dir;

    private Path secretFile(String content, String permissions) throws Exception {
        Path file = dir.resolve("secret-" + content.length() + "-" + permissions);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void proofsAgreeOnlyWithTheSameSecretTheSameRoleAndTheSameHandshake() throws Exception {
        PeerSecret one = PeerSecret.read(secretFile("0123456789abcdef0123456789abcdef\n", "rw-------"));
        PeerSecret same = PeerSecret.read(secretFile("0123456789abcdef0123456789abcdef   \r\n", "r--------"));
        PeerSecret other = PeerSecret.read(secretFile("0123456789abcdef0123456789abcdeX", "rw-------"));
        byte[] nonce = PeerSecret.nonce();
        byte[] proof = one.prove(PeerSecret.Role.DIALER, HELLO, nonce);
        assertThat(same.verify(PeerSecret.Role.DIALER, HELLO, nonce, proof)).as("trailing whitespace is not the secret").isTrue();
        assertThat(other.verify(PeerSecret.Role.DIALER, HELLO, nonce, proof)).as("another secret").isFalse();
        assertThat(one.verify(PeerSecret.Role.ACCEPTOR, HELLO, nonce, proof)).as("reflected to the other role").isFalse();
        assertThat(one.verify(PeerSecret.Role.DIALER, HELLO, PeerSecret.nonce(), proof)).as("replayed on another nonce").isFalse();
        Hello otherCluster = new Hello("elsewhere", HELLO.from(), HELLO.to(), HELLO.nonce());
        assertThat(one.verify(PeerSecret.Role.DIALER, otherCluster, nonce, proof)).as("another cluster").isFalse();
        assertThat(one.toString()).doesNotContain("0123456789");
    }

    @Test
    void aSecretFileThatIsMissingShortOrReadableByOthersIsRefusedNamingTheFix() throws Exception {
        assertThatThrownBy(() -> PeerSecret.read(dir.resolve("none"))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> PeerSecret.read(secretFile("short\n", "rw-------")))
                .hasMessageContaining("holds 5 bytes").hasMessageContaining("openssl rand");
        Path open = secretFile("0123456789abcdef0123456789abcdef", "rw-r--r--");
        assertThatThrownBy(() -> PeerSecret.read(open)).hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600 " + open);
    }

    @Test
    void nodesStartingTogetherCreateOneSharedDefaultSecretReadableOnlyByTheirUser() throws Exception {
        Path file = dir.resolve("home").resolve(".raftkit").resolve("peer-secret");
        byte[] nonce = PeerSecret.nonce();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> proofs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<byte[]> node = () -> PeerSecret.readOrCreate(file).prove(PeerSecret.Role.DIALER, HELLO, nonce);
                proofs.add(pool.submit(node));
            }
            byte[] first = proofs.get(0).get();
            for (Future<byte[]> p : proofs) {
                assertThat(p.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers).containsExactly(file);
        }
    }
}
