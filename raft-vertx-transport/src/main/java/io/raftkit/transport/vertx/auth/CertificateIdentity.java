package io.raftkit.transport.vertx.auth;

import io.raftkit.api.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Who a member's TLS certificate says it is: a subject alternative name of type URI,
 * {@code raftkit://<cluster-id>/<node-id>}. A certificate signed by the cluster's CA then speaks for
 * one node of one cluster, whatever its common name says: a CA shared by several clusters, or a
 * certificate issued for a host name, grants no membership.
 */
public final class CertificateIdentity {

    public static final String SCHEME = "raftkit://";
    private static final int SAN_URI = 6; // GeneralName uniformResourceIdentifier, RFC 5280 4.2.1.6

    private CertificateIdentity() {
    }

    /** The identity a certificate must carry for {@code node} of {@code clusterId}. */
    public static String of(String clusterId, NodeId node) {
        return SCHEME + clusterId + "/" + node.value();
    }

    /** The {@code raftkit://} URIs among the certificate's subject alternative names. */
    public static List<String> identities(X509Certificate certificate) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() == 2 && Integer.valueOf(SAN_URI).equals(name.get(0))
                            && name.get(1) instanceof String uri && uri.startsWith(SCHEME)) {
                        out.add(uri);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return out;
    }

    /**
     * Empty when the leaf of a verified peer chain carries {@code expected}; otherwise what it
     * carries instead, for a log line.
     */
    public static Optional<String> mismatch(List<Certificate> chain, String expected) {
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
            return Optional.of("no verified X.509 certificate");
        }
        List<String> identities = identities(leaf);
        if (identities.contains(expected)) {
            return Optional.empty();
        }
        return Optional.of(describe(leaf, identities));
    }

    /** Reads the first certificate of a PEM file. */
    public static X509Certificate read(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("certificate file " + pem + " cannot be read as PEM X.509: " + e.getMessage());
        }
    }

    /** What a certificate names, for an error message. */
    public static String describe(X509Certificate certificate, List<String> identities) {
        return "a certificate for " + certificate.getSubjectX500Principal().getName()
                + (identities.isEmpty() ? " with no raftkit:// identity" : " naming " + identities);
    }
}
