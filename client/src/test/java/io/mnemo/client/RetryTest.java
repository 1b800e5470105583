package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.mnemo.protocol.Errors;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is retried, where, and how often, against real sockets. */
@Timeout(30)
class RetryTest {
    private FakeCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(3, 16, 2);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void recall_everyReplicaHangs_timeoutExceptionAfterTheAttemptCap() {
        cluster.nodes().forEach(n -> n.hang("recall"));
        Fixtures.RecordingListener listener = new Fixtures.RecordingListener(Long.MAX_VALUE);
        try (MnemoClient client = MnemoClient.builder().seeds(cluster.seeds()).defaultSpace(Fixtures.SPACE)
                .connectTimeout(Duration.ofMillis(100)).requestTimeout(Duration.ofMillis(150))
                .retryPolicy(Fixtures.fastRetries(3)).topologyRefreshPeriod(Duration.ZERO).listener(listener).build()) {

            assertThatThrownBy(() -> client.recall("k"))
                    .isInstanceOfSatisfying(MnemoTimeoutException.class, e -> assertThat(e.attempts()).isEqualTo(3))
                    .hasMessageContaining("after 3 attempt(s)");
        }
        assertThat(cluster.totalCalls("recall")).isEqualTo(3);
        assertThat(listener.retryAttempts).containsExactly(2, 3);
    }

    @Test
    void store_invalidArgumentFromTheNode_notRetriedAndFieldNamed() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(5)).build()) {
            cluster.nodes().forEach(n -> n.failNext("store", 5,
                    () -> Errors.invalidArgument("memory.embedding", "3 values, the space has 768", "768")));

            assertThatThrownBy(() -> client.store(Fixtures.memory("k")))
                    .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                        assertThat(e.field()).isEqualTo("memory.embedding");
                        assertThat(e.limit()).isEqualTo("768");
                    });
        }
        assertThat(cluster.totalCalls("store")).isEqualTo(1);
    }

    @Test
    void store_primaryDraining_retriedOnTheNextReplica() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(3)).build()) {
            int primary = cluster.replicasOf(Fixtures.SPACE, "k").get(0);
            int secondary = cluster.replicasOf(Fixtures.SPACE, "k").get(1);
            cluster.node(primary).failNext("store", 1, () -> Errors.unavailable("draining", 0));

            Version v = client.store(Fixtures.memory("k"));

            assertThat(v.nodeId()).isEqualTo(secondary);
            assertThat(cluster.node(primary).calls("store")).isEqualTo(1);
            assertThat(cluster.node(secondary).calls("store")).isEqualTo(1);
        }
    }

    @Test
    void store_quorumUnavailableNotRetryable_failsAtOnceWithTheQuorumNumbers() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(4)).build()) {
            cluster.nodes().forEach(n -> n.failNext("store", 4, () -> Errors.quorumUnavailable(3, 2, false, "ALL")));

            assertThatThrownBy(() -> client.store(Fixtures.memory("k")))
                    .isInstanceOfSatisfying(QuorumUnavailableException.class, e -> {
                        assertThat(e.needed()).isEqualTo(3);
                        assertThat(e.reached()).isEqualTo(2);
                        assertThat(e.retryable()).isFalse();
                    });
        }
        assertThat(cluster.totalCalls("store")).isEqualTo(1);
    }

    @Test
    void store_quorumUnavailableRetryable_retriedUpToTheCap() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(4)).build()) {
            cluster.nodes().forEach(n -> n.failNext("store", 4, () -> Errors.quorumUnavailable(2, 1, true, "down")));

            assertThatThrownBy(() -> client.store(Fixtures.memory("k")))
                    .isInstanceOfSatisfying(QuorumUnavailableException.class, e -> assertThat(e.retryable()).isTrue());
        }
        assertThat(cluster.totalCalls("store")).isEqualTo(4);
    }

    @Test
    void createSpace_connectionLost_notRetriedBecauseNotIdempotent() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(4)).build()) {
            cluster.node(0).failNext("createSpace", 1,
                    () -> Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());

            assertThatThrownBy(() -> client.createSpace(SpaceInfo.named("fresh")))
                    .isInstanceOf(UnavailableException.class).hasMessageContaining("connection reset");
        }
        assertThat(cluster.totalCalls("createSpace")).isEqualTo(1);
    }

    @Test
    void createSpace_nodeRefusedBeforeActing_retriedEvenThoughNotIdempotent() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(4)).build()) {
            cluster.node(0).failNext("createSpace", 1, () -> Errors.unavailable("starting", 0));

            SpaceInfo created = client.createSpace(SpaceInfo.named("fresh"));

            assertThat(created.dimension()).isEqualTo(768);
        }
        assertThat(cluster.node(0).calls("createSpace")).isEqualTo(1);
        assertThat(cluster.totalCalls("createSpace")).isEqualTo(2);
    }

    @Test
    void recall_overallDeadlineShorterThanTheRetries_timesOutAtTheDeadline() {
        cluster.nodes().forEach(n -> n.hang("recall"));
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(50)).build()) {
            assertThatThrownBy(() -> client.recall(Fixtures.SPACE, "k",
                    CallOptions.defaults().withTimeout(Duration.ofMillis(300))))
                    .isInstanceOf(MnemoTimeoutException.class);
        }
        assertThat(cluster.totalCalls("recall")).isBetween(1, 2);
    }

    @Test
    void recall_missingMemory_emptyWithoutRetry() {
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(4)).build()) {
            assertThat(client.recall("nobody")).isEmpty();
        }
        assertThat(cluster.totalCalls("recall")).isEqualTo(1);
    }

    @Test
    void recall_missingSpace_notFoundExceptionSaysToCreateIt() {
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            cluster.nodes().forEach(n -> n.failNext("recall", 1, () -> Errors.notFound("nospace", "")));

            assertThatThrownBy(() -> client.recall("nospace", "k"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("createSpace");
        }
    }
}
