package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lazy scans that survive a node dying mid-stream. */
@Timeout(30)
class ScanTest {
    private FakeCluster cluster;

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private void load(int n) {
        for (int i = 0; i < n; i++) {
            cluster.put(io.mnemo.protocol.v1.Memory.newBuilder().setSpace(Fixtures.SPACE).setId(String.format("m%03d", i))
                    .setVersion(io.mnemo.protocol.v1.Version.newBuilder().setHlc(1 << 16)).build());
        }
    }

    @Test
    void scan_firstNodeDiesMidStream_resumesOnTheOtherReplicaWithNoDuplicatesOrGaps() throws Exception {
        cluster = FakeCluster.start(2, 8, 2);
        load(20);
        cluster.node(0).scanFailAfter = 6;
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(3)).build();
             Stream<Memory> scan = client.scan(Fixtures.SPACE, ScanOptions.defaults().withChunkSize(3))) {
            List<String> ids = scan.map(Memory::id).toList();

            assertThat(ids).isEqualTo(IntStream.range(0, 20).mapToObj(i -> String.format("m%03d", i)).toList());
        }
        assertThat(cluster.node(0).calls("scan")).isEqualTo(1);
        assertThat(cluster.node(1).calls("scan")).isEqualTo(1);
        assertThat(cluster.node(1).scanRequests.get(0).getResumeToken().toStringUtf8()).isEqualTo("m005");
    }

    @Test
    void scan_threeReplicaSets_everyMemoryExactlyOnce() throws Exception {
        cluster = FakeCluster.start(3, 16, 2);
        load(50);
        try (MnemoClient client = Fixtures.builder(cluster).build();
             Stream<Memory> scan = client.scan(Fixtures.SPACE, ScanOptions.defaults())) {
            List<String> ids = scan.map(Memory::id).toList();

            assertThat(ids).hasSize(50).doesNotHaveDuplicates();
        }
        assertThat(cluster.totalCalls("scan")).isEqualTo(3);
    }

    @Test
    void scan_everyReplicaFails_throwsUnavailableAfterTheCap() throws Exception {
        cluster = FakeCluster.start(2, 8, 2);
        load(5);
        cluster.nodes().forEach(n -> n.failNext("scan", 10, () -> Status.UNAVAILABLE.withDescription("gone")
                .asRuntimeException()));
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(3)).build();
             Stream<Memory> scan = client.scan(Fixtures.SPACE, ScanOptions.defaults())) {
            assertThatThrownBy(() -> scan.collect(Collectors.toList())).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("after 3 attempt(s)");
        }
        assertThat(cluster.totalCalls("scan")).isEqualTo(3);
    }

    @Test
    void scan_notConsumed_sendsNothing() throws Exception {
        cluster = FakeCluster.start(2, 8, 2);
        load(5);
        try (MnemoClient client = Fixtures.builder(cluster).build();
             Stream<Memory> scan = client.scan()) {
            assertThat(scan).isNotNull();
        }
        assertThat(cluster.totalCalls("scan")).isZero();
    }
}
