package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.TlsChannelCredentials;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.node.security.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes ({@link LocalCluster}) that serve TLS and require a client certificate from every caller
 * ({@code mnemo.tls.client-auth = require}, no token): nodes reach each other only by mutual TLS, so a write
 * acknowledged at W = 2 and a read at ALL prove replication over mTLS. The client presents the same test
 * certificate; a caller without one is refused, and {@code mnemo admin show} works with the TLS options.
 */
@Tag("slow")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsClusterTest {
    private static final int NODES = 3;
    private static final String SPACE = "mtls";
    private static final int DIM = 4;

    /** Kept when a test fails: the nodes' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    private static TestCertificates pki;
    @RegisterExtension
    static final RealCluster CLUSTER = new RealCluster("TlsClusterTest", NODES);
    private static ClusterProbe probe;

    @BeforeAll
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    static void startTlsCluster() throws Exception {
        pki = TestCertificates.create(dir.resolve("pki"));
        CLUSTER.withSetting("mnemo.tls.cert-chain", pki.certChain().toString())
                .withSetting("mnemo.tls.private-key", pki.key().toString())
                .withSetting("mnemo.tls.trust-certs", pki.caCert().toString())
                .withSetting("mnemo.tls.client-auth", "require")
                .withProbe(ClusterProbe.tls(pki), List.of("--trust-certs", pki.caCert().toString(),
                        "--cert", pki.certChain().toString(), "--key", pki.key().toString()));
        CLUSTER.start(dir, NODES, Duration.ofSeconds(150), Duration.ofSeconds(40));
        probe = CLUSTER.probe();
    }

    @Test
    void clientOverMutualTls_writesReplicateBetweenNodesOverMutualTls() {
        MnemoClient client = CLUSTER.client(b -> b.defaultSpace(SPACE)
                .trustCertificates(pki.caCert()).clientCertificate(pki.certChain(), pki.key())
                .requestTimeout(Duration.ofSeconds(15)));
        try (client) {
            CLUSTER.createSpace(client, new SpaceInfo(SPACE, DIM, 0, 0), Duration.ofSeconds(30));
            for (int i = 0; i < 30; i++) {
                client.store(Memory.builder().id("m-" + i).content("c" + i).embedding(new float[] {i, 1, 2, 3}).build());
            }
            // ALL: every one of the three replicas answers, each reached by its coordinator over mutual TLS.
            CallOptions all = CallOptions.defaults().withConsistency(Consistency.ALL);
            for (int i = 0; i < 30; i++) {
                assertThat(client.recall(SPACE, "m-" + i, all).orElseThrow().content()).contains("c" + i);
            }
        }
    }

    @Test
    void callerWithoutClientCertificate_isRefused() throws Exception {
        ClusterProbe noCert = new ClusterProbe(CLUSTER.nodes(), TlsChannelCredentials.newBuilder()
                .trustManager(pki.caCert().toFile()).build(), List.of());
        assertThat(noCert.topology(1)).as("topology over TLS without a client certificate").isEmpty();
        assertThat(probe.topology(1)).as("topology over TLS with the client certificate").isPresent();
    }

    @Test
    void adminShow_withTlsOptions_printsTheTopology() {
        ClusterProbe.AdminResult r = probe.admin(2, "show");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.out()).contains("epoch").contains("member 1").contains("member 3");
        ClusterProbe plain = new ClusterProbe(CLUSTER.nodes());
        ClusterProbe.AdminResult refused = plain.admin(2, "show");
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
    }
}
