package io.raftkit.transport.vertx.auth;

import io.raftkit.transport.vertx.codec.HandshakeFrame.Hello;
import io.raftkit.transport.vertx.codec.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every member of a cluster holds, read from a file, and the proofs of it that the two
 * ends of a connection exchange: HMAC-SHA256 over both nonces and the hello, labelled by role so a
 * proof cannot be reflected back, and fresh per connection so it cannot be replayed. The secret
 * itself never crosses the network. It authenticates the handshake only; the Raft frames that follow
 * are neither signed nor encrypted (docs/security.md says what that leaves open).
 */
public final class PeerSecret {

    /** Fewest bytes a secret file may hold (after trailing whitespace): 32 is what `openssl rand -base64 24` prints. */
    public static final int MIN_BYTES = 32;
    /** Most bytes read: a secret file is a line, not a document; this also stops a wrong path early. */
    public static final int MAX_BYTES = 4096;
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] LABEL = "raftkit peer handshake v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Which end of the connection proves: the labels keep one end's proof useless as the other's. */
    public enum Role { DIALER, ACCEPTOR }

    private final SecretKeySpec key;
    private final Path source;

    private PeerSecret(byte[] secret, Path source) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.source = source;
    }

    /** Where the per-user secret lives when none is given: {@code ~/.raftkit/peer-secret}. */
    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".raftkit", "peer-secret");
    }

    /**
     * Reads a secret file. Refuses, naming the file and the fix, one that is missing, too short, too
     * long, or readable by other users (on a file system with POSIX permissions).
     */
    public static PeerSecret read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("peer secret file " + file + " does not exist or is not a file");
        }
        checkPrivate(file);
        byte[] raw;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("peer secret file " + file + " is longer than " + MAX_BYTES
                        + " bytes: is it the right file?");
            }
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("peer secret file " + file + " cannot be read: " + e.getMessage());
        }
        int length = raw.length;
        while (length > 0 && (raw[length - 1] == '\n' || raw[length - 1] == '\r' || raw[length - 1] == ' '
                || raw[length - 1] == '\t')) {
            length--; // `echo` and editors add a newline; the secret is the line
        }
        if (length < MIN_BYTES) {
            throw new IllegalArgumentException("peer secret file " + file + " holds " + length + " bytes; at least "
                    + MIN_BYTES + " are needed (make one with: openssl rand -base64 32 > " + file + ")");
        }
        return new PeerSecret(Arrays.copyOf(raw, length), file);
    }

    /**
     * Reads {@code file}, first creating it with a fresh random secret (owner-only permissions) when
     * it does not exist. Several nodes starting at once agree on one secret: the file is published
     * with a hard link, which fails rather than replaces when another process was first.
     */
    public static PeerSecret readOrCreate(Path file) {
        if (!Files.exists(file)) {
            try {
                create(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create the peer secret file " + file + ": " + e
                        + "; give one with secret-file, or use TLS");
            }
        }
        return read(file);
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        byte[] line = (Base64.getEncoder().encodeToString(secret) + "\n").getBytes(StandardCharsets.US_ASCII);
        FileAttribute<?>[] ownerOnly = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, ".peer-secret", ".tmp", ownerOnly);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(line));
                channel.force(true);
            }
            try {
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException anotherNodeWasFirst) {
                // its secret is the one to use
            } catch (UnsupportedOperationException noHardLinks) {
                Files.write(file, line, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void checkPrivate(Path file) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null || !file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return; // no POSIX permissions here (Windows): the profile directory's ACL is what protects it
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = view.readAttributes().permissions();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (PosixFilePermission p : permissions) {
            if (p != PosixFilePermission.OWNER_READ && p != PosixFilePermission.OWNER_WRITE) {
                throw new IllegalArgumentException("peer secret file " + file + " has permissions "
                        + PosixFilePermissions.toString(permissions) + ": other users could read or replace it;"
                        + " run: chmod 600 " + file);
            }
        }
    }

    /** A fresh nonce for one handshake. */
    public static byte[] nonce() {
        byte[] nonce = new byte[WireFormat.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The proof {@code role} sends for the handshake that began with {@code hello} and {@code acceptorNonce}. */
    public byte[] prove(Role role, Hello hello, byte[] acceptorNonce) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(LABEL);
            mac.update((byte) role.ordinal());
            byte[] cluster = hello.clusterId().getBytes(StandardCharsets.UTF_8);
            mac.update((byte) cluster.length);
            mac.update(cluster);
            for (String id : new String[] {hello.from().value(), hello.to().value()}) {
                mac.update((byte) id.length());
                mac.update(id.getBytes(StandardCharsets.US_ASCII));
            }
            mac.update(hello.nonce());
            mac.update(acceptorNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every Java platform", e);
        }
    }

    /** Whether {@code proof} is what {@code role} must send, compared in constant time. */
    public boolean verify(Role role, Hello hello, byte[] acceptorNonce, byte[] proof) {
        return MessageDigest.isEqual(prove(role, hello, acceptorNonce), proof);
    }

    @Override
    public String toString() {
        return "PeerSecret[from " + source + "]"; // never the secret
    }
}
