package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.replication.ReplicaTransport.ItemReply;
import io.mnemo.node.replication.ReplicaTransport.ReplicateItem;
import io.mnemo.node.storage.InvalidMemoryException;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch write path ({@link Coordinator#storeAll}, {@code ReplicateBatch}) on in-JVM clusters: per-item quorums,
 * hints, per-partition failures, last writer wins, epochs and injected faults. With 8 partitions on a ring, RF = 3:
 * on 3 nodes every node replicates every partition; on 5 nodes partition p lives on nodes p, p+1, p+2 (mod 5).
 */
@Timeout(60)
class BatchReplicationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long SEED = 0x5EED_0B47L;

    @TempDir
    Path dir;
    private MiniCluster cluster;

    private MiniCluster cluster(int size) {
        cluster = new MiniCluster(dir, size, 8, SEED);
        return cluster;
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.loopErrors).as("background loop errors").isEmpty();
            cluster.close();
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the operation to fail");
    }

    private boolean hasVersion(int node, String key, Version v) {
        return cluster.recordOn(node, key).map(r -> r.version().equals(v)).orElse(false);
    }

    /** {@code count} ids whose partition is {@code partition}, named after {@code prefix}. */
    private List<String> idsIn(int partition, String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            if (cluster.partitionOf(prefix + i) == partition) {
                out.add(prefix + i);
            }
        }
        return out;
    }

    private static List<Memory> memories(List<String> ids) {
        List<Memory> out = new ArrayList<>();
        for (String id : ids) {
            out.add(MiniCluster.memory(id, "content of " + id));
        }
        return out;
    }

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static StoredRecord versioned(String id, String content, Version v) {
        return StoredRecord.live(MiniCluster.memory(id, content).toBuilder().version(v).build());
    }

    @Test
    void storeAll_allReplicasUp_everyItemAckedAndOnAllReplicas() throws Exception {
        MiniCluster c = cluster(3);
        List<String> ids = ids("k", 60);
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(ids));
        assertThat(results).hasSize(60);
        for (int i = 0; i < ids.size(); i++) {
            Version v = await(results.get(i));
            assertThat(v.nodeId()).isEqualTo(0);
            String id = ids.get(i);
            Await.until(id + " on all replicas", WAIT, () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, id, v)));
        }
        assertThat(c.recordOn(2, "k7").flatMap(StoredRecord::memory).flatMap(Memory::content)).contains("content of k7");
        assertThat(c.node(0).stats().writesAcked()).isEqualTo(60);
        assertThat(c.node(0).stats().writeQuorumFailures()).isZero();
        assertThat(c.node(0).pendingHints()).isZero();
    }

    @Test
    void storeAll_oneReplicaDown_acksKeepsHintsAndDeliversThemOnHeal() throws Exception {
        MiniCluster c = cluster(3);
        c.isolate(2);
        List<String> ids = ids("k", 30);
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(ids));
        List<Version> acked = new ArrayList<>();
        for (CompletableFuture<Version> f : results) {
            acked.add(await(f));
        }
        Await.until("a hint per item for node 2", WAIT, () -> c.node(0).pendingHints(2) == 30);
        assertThat(c.recordOn(2, "k0")).isEmpty();

        await(c.node(0).deliverHints());
        assertThat(c.node(0).pendingHints(2)).as("unreachable target keeps its hints").isEqualTo(30);

        c.transport.heal();
        await(c.node(0).deliverHints());
        for (int i = 0; i < ids.size(); i++) {
            assertThat(hasVersion(2, ids.get(i), acked.get(i))).as(ids.get(i) + " on node 2").isTrue();
        }
        assertThat(c.node(0).pendingHints()).isZero();
        assertThat(c.node(0).stats().hintsDelivered()).isEqualTo(30);
    }

    @Test
    void storeAll_onePartitionWithoutQuorum_failsOnlyItsItems() throws Exception {
        MiniCluster c = cluster(5);
        // Partition 0 lives on 0, 1, 2: with 0 -> 1 and 0 -> 2 cut, only node 0 has its items.
        // Partition 3 lives on 3, 4, 0: untouched by the cut.
        c.transport.block(0, 1);
        c.transport.block(0, 2);
        List<String> cut = idsIn(0, "a", 5);
        List<String> fine = idsIn(3, "b", 5);
        List<String> all = new ArrayList<>(cut);
        all.addAll(fine);
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(all));
        for (int i = 0; i < cut.size(); i++) {
            assertThat(failureOf(results.get(i))).as(cut.get(i))
                    .isInstanceOfSatisfying(QuorumUnavailableException.class, q -> {
                        assertThat(q.needed()).isEqualTo(2);
                        assertThat(q.reached()).isEqualTo(1);
                        assertThat(q.retryable()).isTrue();
                    });
        }
        for (int i = 0; i < fine.size(); i++) {
            Version v = await(results.get(cut.size() + i));
            String id = fine.get(i);
            Await.until(id + " on 3, 4, 0", WAIT, () -> hasVersion(3, id, v) && hasVersion(4, id, v) && hasVersion(0, id, v));
        }
        assertThat(c.node(0).stats().writesAcked()).isEqualTo(5);
        assertThat(c.node(0).stats().writeQuorumFailures()).isEqualTo(5);
        Await.until("hints for the cut replicas", WAIT, () -> c.node(0).pendingHints(1) == 5 && c.node(0).pendingHints(2) == 5);
        assertThat(c.node(0).pendingHints(3) + c.node(0).pendingHints(4)).isZero();
    }

    @Test
    void storeAll_keyTheCoordinatorDoesNotReplicate_failsWithWrongOwnerOthersAck() throws Exception {
        MiniCluster c = cluster(5);
        List<String> foreign = idsIn(1, "f", 3);
        List<String> own = idsIn(0, "o", 3);
        List<String> all = new ArrayList<>(foreign);
        all.addAll(own);
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(all));
        for (int i = 0; i < foreign.size(); i++) {
            assertThat(failureOf(results.get(i))).isInstanceOfSatisfying(WrongOwnerException.class, w -> {
                assertThat(w.partition()).isEqualTo(1);
                assertThat(w.suggestedReplicas()).containsExactly(1, 2, 3);
            });
        }
        for (int i = 0; i < own.size(); i++) {
            String id = own.get(i);
            Version v = await(results.get(foreign.size() + i));
            Await.until(id + " on 0, 1, 2", WAIT, () -> IntStream.of(0, 1, 2).allMatch(n -> hasVersion(n, id, v)));
        }
        for (String id : foreign) {
            assertThat(IntStream.range(0, 5).allMatch(n -> c.recordOn(n, id).isEmpty())).as(id + " stored nowhere").isTrue();
        }
    }

    @Test
    void replicateBatch_partitionTheReplicaDoesNotHold_failsOnlyThoseItems() throws Exception {
        MiniCluster c = cluster(5);
        // Node 2 replicates partitions 0 (0, 1, 2) and 1 (1, 2, 3), not 3 (3, 4, 0).
        String held = idsIn(0, "h", 1).get(0);
        String alsoHeld = idsIn(1, "g", 1).get(0);
        String notHeld = idsIn(3, "n", 1).get(0);
        String misfiled = idsIn(0, "m", 1).get(0);
        Version v = new Version(1L << 30, 0);
        List<ReplicateItem> items = List.of(
                new ReplicateItem(0, versioned(held, "x", v)),
                new ReplicateItem(3, versioned(notHeld, "x", v)),
                new ReplicateItem(1, versioned(alsoHeld, "x", v)),
                new ReplicateItem(1, versioned(misfiled, "x", v)));
        List<ItemReply> replies = await(c.transport.replicateBatch(2, new Caller(0, 1), items));
        assertThat(replies).hasSize(4);
        assertThat(replies.get(0).reply().applied()).isTrue();
        assertThat(replies.get(1).error()).isInstanceOfSatisfying(WrongOwnerException.class, w -> {
            assertThat(w.partition()).isEqualTo(3);
            assertThat(w.suggestedReplicas()).containsExactly(3, 4, 0);
        });
        assertThat(replies.get(2).reply().applied()).isTrue();
        assertThat(replies.get(3).error()).as("a key sent for the wrong partition").isInstanceOf(InvalidMemoryException.class);
        assertThat(hasVersion(2, held, v)).isTrue();
        assertThat(hasVersion(2, alsoHeld, v)).isTrue();
        assertThat(c.recordOn(2, notHeld)).isEmpty();
        assertThat(c.recordOn(2, misfiled)).isEmpty();
    }

    @Test
    void replicateBatch_olderVersionInBatch_lastWriterWinsPerItem() throws Exception {
        MiniCluster c = cluster(3);
        Version current = await(c.node(0).store(MiniCluster.memory("k1", "current")));
        Await.until("k1 on node 1", WAIT, () -> hasVersion(1, "k1", current));
        Version older = new Version(current.hlc() - (5L << 16), 2);
        Version fresh = new Version(current.hlc() + 1, 2);
        List<ReplicateItem> items = List.of(
                new ReplicateItem(c.partitionOf("k1"), versioned("k1", "stale", older)),
                new ReplicateItem(c.partitionOf("k2"), versioned("k2", "new", fresh)),
                new ReplicateItem(c.partitionOf("k1"), versioned("k1", "replayed", current)));
        List<ItemReply> replies = await(c.transport.replicateBatch(1, new Caller(2, 1), items));
        assertThat(replies.get(0).reply().applied()).isFalse();
        assertThat(replies.get(0).reply().currentVersion()).isEqualTo(current);
        assertThat(replies.get(1).reply().applied()).isTrue();
        assertThat(replies.get(1).reply().currentVersion()).isEqualTo(fresh);
        assertThat(replies.get(2).reply().applied()).as("a replay of the held version changes nothing").isFalse();
        assertThat(c.recordOn(1, "k1").flatMap(StoredRecord::memory).flatMap(Memory::content)).contains("current");
    }

    @Test
    void storeAll_sameKeyTwiceAndOverwrite_laterItemWinsEverywhere() throws Exception {
        MiniCluster c = cluster(3);
        Version before = await(c.node(1).store(MiniCluster.memory("k1", "before")));
        Await.until("k1 on node 0", WAIT, () -> hasVersion(0, "k1", before));
        List<CompletableFuture<Version>> results = c.node(0).storeAll(List.of(
                MiniCluster.memory("k1", "first"), MiniCluster.memory("k2", "other"), MiniCluster.memory("k1", "second")));
        Version first = await(results.get(0));
        Version second = await(results.get(2));
        await(results.get(1));
        assertThat(first.isNewerThan(before)).isTrue();
        assertThat(second.isNewerThan(first)).isTrue();
        Await.until("k1 at the later item on every replica", WAIT,
                () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, "k1", second)));
        assertThat(c.recordOn(2, "k1").flatMap(StoredRecord::memory).flatMap(Memory::content)).contains("second");
    }

    @Test
    void storeAll_coordinatorAtOlderEpoch_everyItemFailsWithStaleEpochWithoutHints() throws Exception {
        MiniCluster c = cluster(3);
        StaticPlacement newer = StaticPlacement.ring(2, 8, List.of(0, 1, 2), 3);
        c.placements.get(1).set(newer);
        c.placements.get(2).set(newer);
        assertThatThrownBy(() -> c.node(1).handler().replicateBatch(new Caller(0, 1), List.of(
                new ReplicateItem(c.partitionOf("k1"), versioned("k1", "x", new Version(1L << 20, 0))))))
                .as("the epoch is checked once, for the whole call")
                .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.currentEpoch()).isEqualTo(2));
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(ids("k", 5)));
        for (CompletableFuture<Version> f : results) {
            assertThat(failureOf(f)).isInstanceOfSatisfying(StaleEpochException.class,
                    e -> assertThat(e.currentEpoch()).isEqualTo(2));
        }
        assertThat(c.node(0).pendingHints()).as("no hints for a topology change").isZero();
        assertThat(c.recordOn(1, "k1")).isEmpty();
    }

    @Test
    void storeAll_duringEpochChange_needsQuorumOfOldAndNewReplicas() throws Exception {
        MiniCluster c = cluster(4);
        StaticPlacement old = StaticPlacement.ring(1, 8, List.of(0, 1, 2), 3);
        StaticPlacement target = StaticPlacement.ring(1, 8, List.of(1, 2, 3), 3);
        c.setPlacement(old.movingTo(2, target));
        c.transport.partition(Set.of(0, 1), Set.of(2, 3));
        for (CompletableFuture<Version> f : c.node(0).storeAll(memories(ids("j", 10)))) {
            assertThat(failureOf(f)).as("W of the old set is met (0, 1) but not a majority of the new set (1 of 1, 2, 3)")
                    .isInstanceOfSatisfying(QuorumUnavailableException.class, q -> {
                        assertThat(q.needed()).isEqualTo(2);
                        assertThat(q.reached()).isEqualTo(1);
                    });
        }
        c.transport.heal();
        List<String> ids = ids("k", 10);
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(ids));
        for (int i = 0; i < ids.size(); i++) {
            Version v = await(results.get(i));
            String id = ids.get(i);
            Await.until(id + " on old and new replicas", WAIT, () -> IntStream.range(0, 4).allMatch(n -> hasVersion(n, id, v)));
        }
    }

    @Test
    void storeAll_everyBatchMessageDropped_failsRetryablyAndHintsBothReplicas() throws Exception {
        MiniCluster c = cluster(3);
        c.transport.setFaults(new FaultyTransport.Faults(1, 0, 0, 0, 0, 0));
        List<CompletableFuture<Version>> results = c.node(0).storeAll(memories(ids("k", 10)));
        for (CompletableFuture<Version> f : results) {
            assertThat(failureOf(f)).isInstanceOfSatisfying(QuorumUnavailableException.class,
                    q -> assertThat(q.retryable()).isTrue());
        }
        Await.until("hints for both replicas", WAIT, () -> c.node(0).pendingHints(1) == 10 && c.node(0).pendingHints(2) == 10);
        assertThat(c.transport.report()).doesNotContain("dropped=0");
    }

    @Test
    void storeAll_seededFaultsOnBatches_ackedItemsDurableOnQuorumAndConvergeAfterHeal() throws Exception {
        MiniCluster c = cluster(3);
        c.transport.setFaults(new FaultyTransport.Faults(0.2, 0.2, 0.2, 0.5, 0.3, TimeUnit.MILLISECONDS.toNanos(20)));
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<Version>> results = new ArrayList<>();
        for (int b = 0; b < 20; b++) {
            List<String> batch = ids("b" + b + "-", 10);
            ids.addAll(batch);
            results.addAll(c.node(b % 3).storeAll(memories(batch)));
        }
        List<Integer> ackedAt = new ArrayList<>();
        List<Version> acked = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            try {
                Version v = results.get(i).get(20, TimeUnit.SECONDS);
                String id = ids.get(i);
                long copies = IntStream.range(0, 3).filter(n -> cluster.recordOn(n, id)
                        .map(r -> !v.isNewerThan(r.version())).orElse(false)).count();
                assertThat(copies).as(id + " durable on a write quorum when acknowledged").isGreaterThanOrEqualTo(2);
                ackedAt.add(i);
                acked.add(v);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).as(ids.get(i)).isInstanceOf(QuorumUnavailableException.class);
            }
        }
        System.out.println("batch faults: " + c.transport.report() + ", acked " + acked.size() + " of " + ids.size());
        c.transport.heal();
        for (int n = 0; n < 3; n++) {
            await(c.node(n).deliverHints());
        }
        for (int n = 0; n < 3; n++) {
            await(c.node(n).syncAll());
        }
        for (int j = 0; j < ackedAt.size(); j++) {
            String id = ids.get(ackedAt.get(j));
            Version v = acked.get(j);
            for (int n = 0; n < 3; n++) {
                assertThat(c.recordOn(n, id).orElseThrow().version()).as(id + " on node " + n).isEqualTo(v);
            }
        }
    }
}
