package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Setters check values at once (naming them) and refuse a second call; build() checks them together. */
@Timeout(30)
class MnemoClientBuilderTest {

    @Test
    void seeds_notHostPort_rejectedNamingTheValue() {
        assertThatThrownBy(() -> MnemoClient.builder().seeds("nohost")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nohost'");
        assertThatThrownBy(() -> MnemoClient.builder().seeds("h:70000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'h:70000'");
        assertThatThrownBy(() -> MnemoClient.builder().seeds("::1:7400")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("brackets");
        assertThatThrownBy(() -> MnemoClient.builder().seeds()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MnemoClient.builder().seeds("a:1", "a:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void seeds_setTwice_refused() {
        MnemoClientBuilder b = MnemoClient.builder().seeds("127.0.0.1:7400");
        assertThatThrownBy(() -> b.seeds("127.0.0.1:7401")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already set");
    }

    @Test
    void timeouts_notPositive_rejectedNamingTheValue() {
        assertThatThrownBy(() -> MnemoClient.builder().requestTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout").hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> MnemoClient.builder().connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> MnemoClient.builder().topologyRefreshPeriod(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.005S");
    }

    @Test
    void otherSetters_badValues_rejectedNamingTheValue() {
        assertThatThrownBy(() -> MnemoClient.builder().defaultSpace("Bad!")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Bad!'");
        assertThatThrownBy(() -> MnemoClient.builder().bearerToken("has space"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MnemoClient.builder().maxInboundMessageBytes(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 10");
        assertThatThrownBy(() -> MnemoClient.builder().zone(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ofMillis(1), Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ofMillis(10), Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0.002S");
    }

    @Test
    void trustCertificates_missingFile_rejectedNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> MnemoClient.builder().trustCertificates(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.pem");
    }

    @Test
    void build_withoutSeeds_refused() {
        assertThatThrownBy(() -> MnemoClient.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("seeds are required");
    }

    @Test
    void build_connectTimeoutLongerThanRequestTimeout_refused() {
        MnemoClientBuilder b = MnemoClient.builder().seeds("127.0.0.1:7400").connectTimeout(Duration.ofSeconds(10))
                .requestTimeout(Duration.ofSeconds(1));
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("PT10S")
                .hasMessageContaining("PT1S");
    }

    @Test
    void build_refreshPeriodShorterThanRequestTimeout_refused() {
        MnemoClientBuilder b = MnemoClient.builder().seeds("127.0.0.1:7400").topologyRefreshPeriod(Duration.ofMillis(10));
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("topologyRefreshPeriod");
    }

    @Test
    void build_tokenWithoutTls_refusedUnlessAllowed() {
        MnemoClientBuilder b = MnemoClient.builder().seeds("127.0.0.1:7400").bearerToken("abc");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("plaintext");
        MnemoClientBuilder c = MnemoClient.builder().seeds("127.0.0.1:7400").allowTokenWithoutTls();
        assertThatThrownBy(c::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("no bearerToken");
    }

    @Test
    void build_noSeedAnswers_unavailableExceptionNamingTheSeeds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String seed = "127.0.0.1:" + port;
        MnemoClientBuilder b = MnemoClient.builder().seeds(seed).connectTimeout(Duration.ofMillis(200))
                .requestTimeout(Duration.ofMillis(500));
        assertThatThrownBy(b::build).isInstanceOf(UnavailableException.class).hasMessageContaining(seed)
                .hasMessageContaining("check the seed addresses");
    }

    @Test
    void build_seedServesAnotherPartitionFunction_refusesToRoute() throws Exception {
        try (FakeCluster cluster = FakeCluster.start(1, 4, 1)) {
            cluster.editTopology(t -> t.toBuilder().setPartitionFunction("murmur3-mod").build());
            MnemoClientBuilder b = Fixtures.builder(cluster);
            assertThatThrownBy(b::build).isInstanceOf(UnavailableException.class).hasMessageContaining("murmur3-mod");
        }
    }

    @Test
    void retryPolicy_sameSeed_sameBackoffsWithinBounds() {
        RetryPolicy a = RetryPolicy.of(10, Duration.ofMillis(10), Duration.ofMillis(100)).withSeed(7);
        RetryPolicy b = RetryPolicy.of(10, Duration.ofMillis(10), Duration.ofMillis(100)).withSeed(7);
        for (int attempt = 2; attempt <= 10; attempt++) {
            Duration d = a.backoffBefore(attempt);
            assertThat(d).isEqualTo(b.backoffBefore(attempt));
            long ceiling = Math.min(100, 10L << (attempt - 2));
            assertThat(d.toNanos()).isBetween(Duration.ofMillis(ceiling).toNanos() / 2, Duration.ofMillis(ceiling).toNanos());
        }
        assertThatThrownBy(() -> a.backoffBefore(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
