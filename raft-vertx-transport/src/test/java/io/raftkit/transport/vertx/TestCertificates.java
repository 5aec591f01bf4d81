package io.raftkit.transport.vertx;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Makes X.509 certificates at test time with the JDK alone: P-256 keys, a DER encoder for the few
 * structures a certificate needs (RFC 5280 section 4.1) and {@code SHA256withECDSA}. Test keys are
 * written as PEM files (PKCS#8 key, certificate) for the transport's {@code tls.*} options. Nothing
 * is committed, so no test key can leak or expire.
 */
public final class TestCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] OID_EC_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
    private static final byte[] OID_CN = oid(2, 5, 4, 3);
    private static final byte[] OID_BASIC_CONSTRAINTS = oid(2, 5, 29, 19);
    private static final byte[] OID_KEY_USAGE = oid(2, 5, 29, 15);
    private static final byte[] OID_EXT_KEY_USAGE = oid(2, 5, 29, 37);
    private static final byte[] OID_SUBJECT_ALT_NAME = oid(2, 5, 29, 17);
    private static final byte[] OID_SERVER_AUTH = oid(1, 3, 6, 1, 5, 5, 7, 3, 1);
    private static final byte[] OID_CLIENT_AUTH = oid(1, 3, 6, 1, 5, 5, 7, 3, 2);

    /** A key pair with its certificate, and the files they were written to. */
    public record Issued(KeyPair keys, X509Certificate certificate, String commonName, Path keyFile, Path certFile) {
    }

    private final Path dir;

    /** Writes every file under {@code dir}. */
    public TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A self-signed certificate authority. */
    public Issued authority(String name) {
        KeyPair keys = keyPair();
        byte[] extensions = seq(
                extension(OID_BASIC_CONSTRAINTS, true, seq(bool(true))),
                extension(OID_KEY_USAGE, true, bitString(new byte[] {(byte) 0x06}, 1))); // keyCertSign, cRLSign
        return write(name, keys, sign(name, keys, name, keys, extensions));
    }

    /**
     * A leaf certificate signed by {@code issuer} (or self-signed when it is null) for TLS clients and
     * servers on loopback: subject CN {@code commonName}, SANs IP 127.0.0.1, DNS localhost and the
     * given URIs.
     */
    public Issued leaf(String file, String commonName, Issued issuer, String... uris) {
        KeyPair keys = keyPair();
        List<byte[]> names = new ArrayList<>();
        names.add(tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)));
        names.add(tlv(0x87, InetAddress.getLoopbackAddress().getAddress()));
        for (String uri : uris) {
            names.add(tlv(0x86, uri.getBytes(StandardCharsets.US_ASCII)));
        }
        byte[] extensions = seq(
                extension(OID_KEY_USAGE, true, bitString(new byte[] {(byte) 0x80}, 7)), // digitalSignature
                extension(OID_EXT_KEY_USAGE, false, seq(tlv(0x06, OID_SERVER_AUTH), tlv(0x06, OID_CLIENT_AUTH))),
                extension(OID_SUBJECT_ALT_NAME, false, seq(names.toArray(byte[][]::new))));
        KeyPair signer = issuer == null ? keys : issuer.keys();
        String issuerName = issuer == null ? commonName : issuer.commonName();
        Issued issued = write(file, keys, sign(commonName, keys, issuerName, signer, extensions));
        return new Issued(keys, issued.certificate(), commonName, issued.keyFile(), issued.certFile());
    }

    private Issued write(String file, KeyPair keys, byte[] der) {
        try {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
            Files.createDirectories(dir);
            Path keyFile = dir.resolve(file + "-key.pem");
            Path certFile = dir.resolve(file + ".pem");
            Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            Files.writeString(certFile, pem("CERTIFICATE", der));
            String cn = certificate.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
            return new Issued(keys, certificate, cn, keyFile, certFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sign(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, byte[] extensions) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] algorithm = seq(tlv(0x06, OID_EC_SHA256));
        byte[] tbs = seq(
                tlv(0xA0, tlv(0x02, new byte[] {2})),                        // version v3
                tlv(0x02, new BigInteger(63, RANDOM).add(BigInteger.ONE).toByteArray()),
                algorithm,
                name(issuer),
                seq(time(now.minusHours(1)), time(now.plusDays(2))),
                name(subject),
                subjectKeys.getPublic().getEncoded(),                       // SubjectPublicKeyInfo, DER already
                tlv(0xA3, extensions));
        try {
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(issuerKeys.getPrivate());
            signature.update(tbs);
            return seq(tbs, algorithm, bitString(signature.sign(), 0));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    // ------------------------------------------------------------------ DER

    private static byte[] name(String commonName) {
        byte[] cn = seq(tlv(0x06, OID_CN), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)));
        return seq(tlv(0x31, cn));
    }

    private static byte[] time(ZonedDateTime t) {
        return tlv(0x17, t.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
        return critical ? seq(tlv(0x06, oid), bool(true), tlv(0x04, value)) : seq(tlv(0x06, oid), tlv(0x04, value));
    }

    private static byte[] bool(boolean b) {
        return tlv(0x01, new byte[] {b ? (byte) 0xFF : 0});
    }

    private static byte[] bitString(byte[] bits, int unusedBits) {
        byte[] body = new byte[bits.length + 1];
        body[0] = (byte) unusedBits;
        System.arraycopy(bits, 0, body, 1, bits.length);
        return tlv(0x03, body);
    }

    private static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return tlv(0x30, out.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(40 * arcs[0] + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int arc = arcs[i];
            int groups = Math.max(1, (32 - Integer.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                out.write(((arc >>> (7 * g)) & 0x7F) | (g == 0 ? 0 : 0x80));
            }
        }
        return out.toByteArray();
    }
}
