package io.raftkit.transport.vertx.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkit.api.NodeId;
import io.raftkit.transport.vertx.TestCertificates;
import io.raftkit.transport.vertx.TestCertificates.Issued;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateIdentityTest {

    @Test
    void theIdentityIsAnyRaftkitUriAmongTheSubjectAlternativeNamesAndNothingElse(@TempDir Path dir) {
        TestCertificates pki = new TestCertificates(dir);
        Issued ca = pki.authority("ca");
        Issued two = pki.leaf("two", "n1", ca, "https://n1.example/", "raftkit://blue/n1", "raftkit://green/n1");
        assertThat(CertificateIdentity.identities(two.certificate())).containsExactly("raftkit://blue/n1", "raftkit://green/n1");
        List<Certificate> chain = List.of(two.certificate(), ca.certificate());
        assertThat(CertificateIdentity.mismatch(chain, CertificateIdentity.of("green", NodeId.of("n1")))).isEmpty();
        assertThat(CertificateIdentity.mismatch(chain, CertificateIdentity.of("green", NodeId.of("n2"))))
                .hasValueSatisfying(why -> assertThat(why).contains("CN=n1").contains("raftkit://blue/n1"));
        Issued cnOnly = pki.leaf("cn-only", "n1", ca);
        assertThat(CertificateIdentity.mismatch(List.of(cnOnly.certificate()), "raftkit://blue/n1"))
                .hasValueSatisfying(why -> assertThat(why).contains("no raftkit:// identity"));
        assertThat(CertificateIdentity.mismatch(List.of(), "raftkit://blue/n1")).isPresent();
        assertThat(CertificateIdentity.read(two.certFile())).isEqualTo(two.certificate());
    }
}
