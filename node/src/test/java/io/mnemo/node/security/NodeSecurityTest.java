package io.mnemo.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.config.ConfigException;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The TLS and token settings: each bad file or combination is refused naming the setting and the file. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeSecurityTest {
    @TempDir
    static Path dir;
    private static TestCertificates pki;
    private static TestCertificates other;

    @BeforeAll
    static void makeCertificates() {
        pki = TestCertificates.create(dir.resolve("a"));
        other = TestCertificates.create(dir.resolve("b"));
    }

    private static NodeConfig.Builder base() {
        return NodeConfig.builder().nodeId(1).dataDir(dir.resolve("data"));
    }

    private static Optional<Path> p(Path path) {
        return Optional.of(path);
    }

    @Test
    void from_defaults_isPlaintextWithoutToken() {
        NodeSecurity s = NodeSecurity.from(base().build());
        assertThat(s.isTls()).isFalse();
        assertThat(s.hasToken()).isFalse();
    }

    @Test
    void from_validChainKeyTrustAndToken_isTls() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n", StandardCharsets.US_ASCII);
        NodeSecurity s = NodeSecurity.from(base().set(Settings.TLS_CERT_CHAIN, p(pki.certChain()))
                .set(Settings.TLS_PRIVATE_KEY, p(pki.key())).set(Settings.TLS_TRUST_CERTS, p(pki.caCert()))
                .set(Settings.TLS_CLIENT_AUTH, ClientAuth.OPTIONAL).set(Settings.AUTH_TOKEN_FILE, p(token)).build());
        assertThat(s.isTls()).isTrue();
        assertThat(s.hasToken()).isTrue();
        assertThat(s.toString()).contains("CN=mnemo-test-node").doesNotContain("s3cret");
    }

    @Test
    void from_missingCertificateFile_namesSettingAndFile() {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.TLS_CERT_CHAIN, p(missing))
                .set(Settings.TLS_PRIVATE_KEY, p(pki.key())).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mnemo.tls.cert-chain").hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void from_fileThatIsNotPem_namesSettingAndFile() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.TLS_CERT_CHAIN, p(pki.certChain()))
                .set(Settings.TLS_PRIVATE_KEY, p(pki.key())).set(Settings.TLS_TRUST_CERTS, p(junk)).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mnemo.tls.trust-certs").hasMessageContaining(junk.toString())
                .hasMessageContaining("not a PEM file");
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.TLS_CERT_CHAIN, p(pki.certChain()))
                .set(Settings.TLS_PRIVATE_KEY, p(pki.certChain())).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mnemo.tls.private-key").hasMessageContaining("no PEM private key");
    }

    @Test
    void from_keyOfAnotherCertificate_isRefused() {
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.TLS_CERT_CHAIN, p(pki.certChain()))
                .set(Settings.TLS_PRIVATE_KEY, p(other.key())).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mnemo.tls.private-key").hasMessageContaining(other.key().toString())
                .hasMessageContaining("is not the key of the certificate");
    }

    @Test
    void from_halfConfigured_namesWhatIsMissing() {
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.TLS_CERT_CHAIN, p(pki.certChain())).build()))
                .hasMessageContaining("mnemo.tls.cert-chain").hasMessageContaining("set mnemo.tls.private-key");
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.TLS_CLIENT_AUTH, ClientAuth.REQUIRE).build()))
                .hasMessageContaining("mnemo.tls.client-auth").hasMessageContaining("mnemo.tls.trust-certs");
    }

    @Test
    void from_missingOrEmptyTokenFile_namesSettingAndFile() throws Exception {
        Path missing = dir.resolve("no-token");
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.AUTH_TOKEN_FILE, p(missing)).build()))
                .hasMessageContaining("mnemo.auth.token-file").hasMessageContaining(missing.toString());
        Path empty = Files.writeString(dir.resolve("empty-token"), "\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> NodeSecurity.from(base().set(Settings.AUTH_TOKEN_FILE, p(empty)).build()))
                .hasMessageContaining("mnemo.auth.token-file").hasMessageContaining("is empty");
    }

    @Test
    void setting_parsesEmptyAsUnset() {
        assertThat(Settings.TLS_CERT_CHAIN.parse("")).isEmpty();
        assertThat(Settings.TLS_CERT_CHAIN.parse(" /x/y.pem ")).contains(Path.of("/x/y.pem"));
        assertThat(Settings.TLS_CLIENT_AUTH.parse("Optional")).isEqualTo(ClientAuth.OPTIONAL);
        assertThatThrownBy(() -> Settings.TLS_CLIENT_AUTH.parse("maybe")).hasMessageContaining("none, optional, require");
    }
}
