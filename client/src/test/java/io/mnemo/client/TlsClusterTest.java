package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.TlsChannelCredentials;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.node.security.TestCertificates;
import io.mnemo.protocol.v1.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    private static TestCertificates pki;
    private static LocalCluster cluster;
    private static ClusterProbe probe;

    @BeforeAll
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    static void startTlsCluster() throws Exception {
        pki = TestCertificates.create(dir.resolve("pki"));
        long seed = System.nanoTime();
        int base = LocalCluster.findFreeBasePort(new Random(seed), NODES);
        System.out.println("TlsClusterTest port seed " + seed + ", base port " + base);
        cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, NODES)
                .withSetting("mnemo.tls.cert-chain", pki.certChain().toString())
                .withSetting("mnemo.tls.private-key", pki.key().toString())
                .withSetting("mnemo.tls.trust-certs", pki.caCert().toString())
                .withSetting("mnemo.tls.client-auth", "require");
        probe = new ClusterProbe(cluster, ClusterProbe.tls(pki), List.of("--trust-certs", pki.caCert().toString(),
                "--cert", pki.certChain().toString(), "--key", pki.key().toString()));
        try {
            cluster.startAll(Duration.ofSeconds(150));
            ClusterProbe.await(Duration.ofSeconds(40), () -> {
                Set<Long> epochs = new HashSet<>();
                for (int i = 1; i <= NODES; i++) {
                    Optional<Topology> t = probe.topology(i);
                    if (t.isEmpty() || t.get().getMembersCount() != NODES) {
                        return false;
                    }
                    epochs.add(t.get().getEpoch());
                }
                return epochs.size() == 1;
            });
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientOverMutualTls_writesReplicateBetweenNodesOverMutualTls() {
        List<String> seeds = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            seeds.add(cluster.endpoint(i));
        }
        try (MnemoClient client = MnemoClient.builder().seeds(seeds).defaultSpace(SPACE)
                .trustCertificates(pki.caCert()).clientCertificate(pki.certChain(), pki.key())
                .requestTimeout(Duration.ofSeconds(15)).build()) {
            client.createSpace(new SpaceInfo(SPACE, DIM, 0, 0));
            for (int i = 1; i <= NODES; i++) {
                probe.awaitSpace(i, SPACE, Duration.ofSeconds(30));
            }
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
        ClusterProbe noCert = new ClusterProbe(cluster, TlsChannelCredentials.newBuilder()
                .trustManager(pki.caCert().toFile()).build(), List.of());
        assertThat(noCert.topology(1)).as("topology over TLS without a client certificate").isEmpty();
        assertThat(probe.topology(1)).as("topology over TLS with the client certificate").isPresent();
    }

    @Test
    void adminShow_withTlsOptions_printsTheTopology() {
        ClusterProbe.AdminResult r = probe.admin(2, "show");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.out()).contains("epoch").contains("member 1").contains("member 3");
        ClusterProbe plain = new ClusterProbe(cluster);
        ClusterProbe.AdminResult refused = plain.admin(2, "show");
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
    }
}
