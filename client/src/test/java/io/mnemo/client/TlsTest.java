package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.config.DataSize;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.Settings;
import io.mnemo.node.numa.NumaMode;
import io.mnemo.node.security.ClientAuth;
import io.mnemo.node.security.TestCertificates;
import io.mnemo.node.server.MnemoNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real node (in this JVM, over a real TLS socket) that serves TLS with a test CA's
 * certificate, asks for client certificates ({@code optional}) and requires a bearer token on client calls.
 * Certificates are made by {@link TestCertificates} with the JDK's keytool; nothing is checked in.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsTest {
    private static final String SPACE = "tls";
    private static final int DIM = 4;
    private static final String TOKEN = "t0ken-" + Long.toHexString(System.nanoTime());

    @TempDir
    static Path dir;
    private static TestCertificates pki;
    private static TestCertificates otherCa;
    private static MnemoNode node;
    private static String endpoint;

    @BeforeAll
    static void startTlsNode() throws Exception {
        pki = TestCertificates.create(dir.resolve("pki"));
        otherCa = TestCertificates.create(dir.resolve("other"));
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n", StandardCharsets.US_ASCII);
        NodeConfig config = NodeConfig.builder()
                .nodeId(1)
                .dataDir(dir.resolve("data"))
                .bindHost("127.0.0.1")
                .grpcPort(0)
                .metricsPort(0)
                .partitions(8)
                .replicationFactor(1)
                .warmEntriesPerPartition(2_000)
                .hotMaxBytes(DataSize.ofMebibytes(64))
                .drainTimeout(Duration.ofSeconds(5))
                .numaMode(NumaMode.OFF)
                .set(Settings.TLS_CERT_CHAIN, Optional.of(pki.certChain()))
                .set(Settings.TLS_PRIVATE_KEY, Optional.of(pki.key()))
                .set(Settings.TLS_TRUST_CERTS, Optional.of(pki.caCert()))
                .set(Settings.TLS_CLIENT_AUTH, ClientAuth.OPTIONAL)
                .set(Settings.AUTH_TOKEN_FILE, Optional.of(tokenFile))
                .build();
        node = MnemoNode.start(config);
        endpoint = "127.0.0.1:" + node.grpcPort();
        try (MnemoClient c = tlsClient().bearerToken(TOKEN).build()) {
            c.createSpace(new SpaceInfo(SPACE, DIM, 0, 0));
        }
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static MnemoClientBuilder tlsClient() {
        return MnemoClient.builder().seeds(endpoint).defaultSpace(SPACE).trustCertificates(pki.caCert())
                .requestTimeout(Duration.ofSeconds(15)).topologyRefreshPeriod(Duration.ZERO);
    }

    private static Memory memory(String id, String content) {
        return Memory.builder().id(id).content(content).embedding(new float[] {0.1f, 0.2f, 0.3f, 0.4f}).build();
    }

    @Test
    void tlsWithToken_storeAndRecall_roundTrip() {
        try (MnemoClient client = tlsClient().bearerToken(TOKEN).build()) {
            Version v = client.store(memory("over-tls", "sealed"));
            assertThat(v).isNotNull();
            Memory back = client.recall("over-tls").orElseThrow();
            assertThat(back.content()).contains("sealed");
            assertThat(back.embedding()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f);
            assertThat(client.recall("never-stored")).isEmpty();
        }
    }

    @Test
    void clientCertificate_authenticatesWithoutToken() {
        try (MnemoClient client = tlsClient().clientCertificate(pki.certChain(), pki.key()).build()) {
            client.store(memory("by-cert", "mutual"));
            assertThat(client.recall("by-cert").orElseThrow().content()).contains("mutual");
        }
    }

    @Test
    void untrustedCa_failsWithTlsException() {
        assertThatThrownBy(() -> MnemoClient.builder().seeds(endpoint).trustCertificates(otherCa.caCert())
                .bearerToken(TOKEN).build())
                .isInstanceOf(TlsException.class)
                .hasMessageContaining("TLS handshake with " + endpoint + " failed")
                .hasMessageContaining(otherCa.caCert().toString())
                .satisfies(e -> assertThat(((TlsException) e).endpoint()).isEqualTo(endpoint));
    }

    @Test
    void missingToken_failsWithAuthenticationException() {
        assertThatThrownBy(() -> tlsClient().build())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("UNAUTHENTICATED")
                .hasMessageContaining("no credentials")
                .hasMessageContaining("bearerToken");
    }

    @Test
    void wrongToken_failsWithAuthenticationException() {
        assertThatThrownBy(() -> tlsClient().bearerToken("not-" + TOKEN).build())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("UNAUTHENTICATED")
                .hasMessageContaining("not the one this node accepts")
                .satisfies(e -> assertThat(((AuthenticationException) e).endpoint()).isEqualTo(endpoint));
    }

    @Test
    void plaintextClient_toTlsNode_saysToConfigureTls() {
        assertThatThrownBy(() -> MnemoClient.builder().seeds(endpoint).connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("set trustCertificates");
    }
}
