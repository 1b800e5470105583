package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.mnemo.client.internal.BatchWriter;
import io.mnemo.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Batches grouped by owner, with per-item outcomes. */
@Timeout(30)
class StoreAllTest {
    private static final int MAX_ITEMS = BatchWriter.MAX_ITEMS_PER_REQUEST;
    private FakeCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeCluster.start(3, 16, 2);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private static List<Memory> memories(int n) {
        List<Memory> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ms.add(Fixtures.memory("item-" + i));
        }
        return ms;
    }

    @Test
    void storeAll_manyItems_oneBatchPerOwnerHoldingExactlyItsItems() {
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            List<StoreResult> results = client.storeAll(memories(40));

            assertThat(results).hasSize(40).allMatch(StoreResult::isStored);
            for (int i = 0; i < 40; i++) {
                assertThat(results.get(i).index()).isEqualTo(i);
                assertThat(results.get(i).id()).isEqualTo("item-" + i);
            }
        }
        for (FakeNode n : cluster.nodes()) {
            assertThat(n.calls("storeBatch")).as("batches to node %d", n.id).isEqualTo(1);
            assertThat(n.batchIds.get(0)).allMatch(id -> cluster.replicasOf(Fixtures.SPACE, id).get(0) == n.id);
        }
        assertThat(cluster.all(Fixtures.SPACE)).hasSize(40);
    }

    @Test
    void storeAll_moreItemsThanOneRequestHolds_splitIntoCappedRequestsPerOwner() {
        int n = 2_000;
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            List<StoreResult> results = client.storeAll(memories(n));

            assertThat(results).hasSize(n).allMatch(StoreResult::isStored);
        }
        int requests = 0;
        for (FakeNode node : cluster.nodes()) {
            int items = node.batchIds.stream().mapToInt(List::size).sum();
            assertThat(node.batchIds).as("requests to node %d", node.id)
                    .allMatch(ids -> ids.size() <= MAX_ITEMS);
            assertThat(node.calls("storeBatch")).as("requests to node %d", node.id)
                    .isEqualTo((items + MAX_ITEMS - 1)
                            / MAX_ITEMS);
            requests += node.calls("storeBatch");
        }
        assertThat(requests).isGreaterThan(3);
        assertThat(cluster.all(Fixtures.SPACE)).hasSize(n);
    }

    @Test
    void storeAll_someItemsOverQuota_thoseFailWithTypedErrorsAndTheRestAreStored() {
        cluster.nodes().forEach(n -> n.batchItemFailure = id -> id.endsWith("7")
                ? Optional.of(Errors.quotaExceeded("space.bytes", Fixtures.SPACE, 1000, 1200, "full")) : Optional.empty());
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(3)).build()) {
            List<StoreResult> results = client.storeAll(memories(30));

            for (StoreResult r : results) {
                if (r.id().endsWith("7")) {
                    assertThat(r.isStored()).isFalse();
                    assertThat(r.error()).get().isInstanceOfSatisfying(QuotaExceededException.class,
                            e -> assertThat(e.quota()).isEqualTo("space.bytes"));
                } else {
                    assertThat(r.storedVersion()).isPresent();
                }
            }
            assertThat(results).filteredOn(r -> !r.isStored()).hasSize(3);
        }
        assertThat(cluster.totalCalls("storeBatch")).isEqualTo(3);
    }

    @Test
    void storeAll_oneOwnerUnreachable_itsItemsRetriedOnTheirNextReplica() {
        cluster.node(1).failNext("storeBatch", 1, () -> Status.UNAVAILABLE.withDescription("node 1 down").asRuntimeException());
        try (MnemoClient client = Fixtures.builder(cluster).retryPolicy(Fixtures.fastRetries(3)).build()) {
            List<StoreResult> results = client.storeAll(memories(30));

            assertThat(results).allMatch(StoreResult::isStored);
            long retried = results.stream().filter(r -> cluster.replicasOf(Fixtures.SPACE, r.id()).get(0) == 1).count();
            assertThat(retried).isPositive();
            results.stream().filter(r -> cluster.replicasOf(Fixtures.SPACE, r.id()).get(0) == 1)
                    .forEach(r -> assertThat(r.version().nodeId()).isEqualTo(2));
        }
    }

    @Test
    void storeAll_itemsWhoseOwnerMoved_refreshAndLandOnTheNewOwner() {
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            cluster.setTopology(2, p -> List.of((p + 1) % 3, (p + 2) % 3));
            List<StoreResult> results = client.storeAll(memories(20));

            assertThat(results).allMatch(StoreResult::isStored);
            assertThat(client.topologyEpoch()).isEqualTo(2);
            results.forEach(r -> assertThat(r.version().nodeId())
                    .isEqualTo(cluster.replicasOf(Fixtures.SPACE, r.id()).get(0)));
        }
    }

    @Test
    void storeAll_emptyList_emptyResultWithoutCalls() {
        try (MnemoClient client = Fixtures.builder(cluster).build()) {
            assertThat(client.storeAll(List.of())).isEmpty();
        }
        assertThat(cluster.totalCalls("storeBatch")).isZero();
    }
}
