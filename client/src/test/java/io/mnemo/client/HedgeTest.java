package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A hedged read asks the next replica when the first is slow, and takes the first answer. */
@Timeout(30)
class HedgeTest {
    private FakeCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(2, 8, 2);
        cluster.put(io.mnemo.protocol.v1.Memory.newBuilder().setSpace(Fixtures.SPACE).setId("k").setContent("v")
                .setVersion(io.mnemo.protocol.v1.Version.newBuilder().setHlc(1 << 16)).build());
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void recall_hedgedAndThePrimaryNeverAnswers_returnsTheOtherReplicasAnswer() {
        int primary = cluster.replicasOf(Fixtures.SPACE, "k").get(0);
        int other = cluster.replicasOf(Fixtures.SPACE, "k").get(1);
        cluster.node(primary).hang("recall");
        // Without hedging the call would wait out the 5 s request timeout and fail the 2 s call deadline.
        try (MnemoClient client = MnemoClient.builder().seeds(cluster.seeds()).defaultSpace(Fixtures.SPACE)
                .requestTimeout(Duration.ofSeconds(5)).topologyRefreshPeriod(Duration.ZERO).build()) {
            Memory m = client.recall(Fixtures.SPACE, "k", CallOptions.defaults()
                    .withHedgeDelay(Duration.ofMillis(30)).withTimeout(Duration.ofSeconds(2))).orElseThrow();

            assertThat(m.version()).get().extracting(Version::nodeId).isEqualTo(other);
            assertThat(m.content()).contains("v");
        }
        assertThat(cluster.node(primary).calls("recall")).isEqualTo(1);
        assertThat(cluster.node(other).calls("recall")).isEqualTo(1);
    }

    @Test
    void recall_notHedgedAndThePrimaryNeverAnswers_failsTheCallDeadline() {
        int primary = cluster.replicasOf(Fixtures.SPACE, "k").get(0);
        cluster.node(primary).hang("recall");
        try (MnemoClient client = MnemoClient.builder().seeds(cluster.seeds()).defaultSpace(Fixtures.SPACE)
                .requestTimeout(Duration.ofSeconds(5)).topologyRefreshPeriod(Duration.ZERO).build()) {
            assertThatThrownBy(() -> client.recall(Fixtures.SPACE, "k",
                    CallOptions.defaults().withTimeout(Duration.ofMillis(300))))
                    .isInstanceOf(MnemoTimeoutException.class);
        }
    }

    @Test
    void recall_hedgedAndThePrimaryAnswersFirst_noSecondCall() {
        int other = cluster.replicasOf(Fixtures.SPACE, "k").get(1);
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            assertThat(client.recall(Fixtures.SPACE, "k",
                    CallOptions.defaults().withHedgeDelay(Duration.ofSeconds(10)))).isPresent();
        }
        assertThat(cluster.node(other).calls("recall")).isZero();
    }
}
