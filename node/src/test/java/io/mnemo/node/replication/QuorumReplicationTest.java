package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Quorum writes, reads, repair, hints and refusals on a 3-node in-JVM cluster (RF = 3, W = R = 2). */
@Timeout(60)
class QuorumReplicationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SEED = 0x5EED_0001L;

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

    @Test
    void store_allReplicasUp_recordOnAllThreeReplicas() throws Exception {
        MiniCluster c = cluster(3);
        Version v = await(c.node(0).store(MiniCluster.memory("k1", "hello")));
        assertThat(v.nodeId()).isEqualTo(0);
        Await.until("k1 on all replicas", WAIT, () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, "k1", v)));
        assertThat(c.recordOn(2, "k1").flatMap(StoredRecord::memory).flatMap(m -> m.content())).contains("hello");
        assertThat(c.node(0).stats().writesAcked()).isEqualTo(1);
        assertThat(c.node(0).pendingHints()).isZero();
    }

    @Test
    void store_cachedOnlyByTheCoordinator_whileAnotherReplicasClientReadPromotesItThere() throws Exception {
        MiniCluster c = cluster(3);
        Version v = await(c.node(0).store(MiniCluster.memory("k1", "hello")));
        Await.until("k1 on all replicas", WAIT, () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, "k1", v)));
        // The coordinator, which clients read the key from, caches it; the replicas keep it in the warm tier only.
        assertThat(IntStream.range(0, 3).mapToLong(n -> c.stores.get(n).counts().hot(MiniCluster.SPACE)))
                .containsExactly(1L, 0L, 0L);
        // A client's read coordinated by another replica (a hedge, or after a failover) promotes it there.
        assertThat(await(c.node(1).read(MiniCluster.SPACE, "k1", ReadConsistency.ONE)).memory().orElseThrow().content())
                .contains("hello");
        assertThat(c.stores.get(1).counts().hot(MiniCluster.SPACE)).isEqualTo(1);
        // A later write coordinated by node 0 keeps node 1's cached copy current instead of leaving it stale.
        Version v2 = await(c.node(0).store(MiniCluster.memory("k1", "again")));
        Await.until("k1 v2 on all replicas", WAIT, () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, "k1", v2)));
        assertThat(await(c.node(1).read(MiniCluster.SPACE, "k1", ReadConsistency.ONE)).memory().orElseThrow().content())
                .contains("again");
        assertThat(c.stores.get(2).counts().hot(MiniCluster.SPACE)).isZero();
    }

    @Test
    void store_oneReplicaDown_acksAndDeliversHintOnHeal() throws Exception {
        MiniCluster c = cluster(3);
        c.isolate(2);
        Version v = await(c.node(0).store(MiniCluster.memory("k1", "while-2-down")));
        Await.until("hint for node 2", WAIT, () -> c.node(0).pendingHints(2) == 1);
        assertThat(c.recordOn(2, "k1")).isEmpty();
        assertThat(c.node(0).stats().hintsQueued()).isEqualTo(1);

        await(c.node(0).deliverHints());
        assertThat(c.node(0).pendingHints(2)).as("target still unreachable keeps its hint").isEqualTo(1);

        c.transport.heal();
        await(c.node(0).deliverHints());
        assertThat(hasVersion(2, "k1", v)).isTrue();
        assertThat(c.node(0).pendingHints(2)).isZero();
        assertThat(c.node(0).stats().hintsDelivered()).isEqualTo(1);
    }

    @Test
    void store_hintLoopRunning_deliversWithoutBeingAsked() throws Exception {
        MiniCluster c = cluster(3);
        c.nodes.forEach(ReplicationNode::start);
        c.isolate(1);
        Version v = await(c.node(0).store(MiniCluster.memory("k1", "x")));
        Await.until("hint queued", WAIT, () -> c.node(0).stats().hintsQueued() == 1);
        c.transport.heal();
        Await.until("hint delivered by the loop", WAIT, () -> hasVersion(1, "k1", v));
    }

    @Test
    void store_twoReplicasDown_failsWithQuorumUnavailable() throws Exception {
        MiniCluster c = cluster(3);
        c.isolate(1);
        c.isolate(2);
        Throwable t = failureOf(c.node(0).store(MiniCluster.memory("k1", "lonely")));
        assertThat(t).isInstanceOf(QuorumUnavailableException.class);
        QuorumUnavailableException q = (QuorumUnavailableException) t;
        assertThat(q.needed()).isEqualTo(2);
        assertThat(q.reached()).isEqualTo(1);
        assertThat(q.retryable()).isTrue();
        assertThat(c.node(0).stats().writesAcked()).isZero();
        assertThat(c.node(0).stats().writeQuorumFailures()).isEqualTo(1);
    }

    @Test
    void store_minoritySideOfPartition_refusedWhileMajorityAccepts() throws Exception {
        MiniCluster c = cluster(3);
        c.transport.partition(Set.of(0), Set.of(1, 2));
        Throwable t = failureOf(c.node(0).store(MiniCluster.memory("k1", "minority")));
        assertThat(t).isInstanceOf(QuorumUnavailableException.class);
        assertThat(((ReplicationException) t).retryable()).isTrue();
        Version v = await(c.node(1).store(MiniCluster.memory("k1", "majority")));
        Await.until("majority side has it", WAIT, () -> hasVersion(2, "k1", v));
        assertThat(c.recordOn(0, "k1").orElseThrow().version()).isNotEqualTo(v);
    }

    @Test
    void read_quorumWithOneStaleReplica_returnsAckedVersionAndRepairsIt() throws Exception {
        MiniCluster c = cluster(3);
        Version old = await(c.node(0).store(MiniCluster.memory("k1", "old")));
        Await.until("old everywhere", WAIT, () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, "k1", old)));
        c.isolate(2);
        Version fresh = await(c.node(0).store(MiniCluster.memory("k1", "new")));
        c.node(0).exportHints();
        c.transport.heal();
        assertThat(hasVersion(2, "k1", old)).as("node 2 is stale").isTrue();

        ReadResult r = await(c.node(2).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().version()).isEqualTo(fresh);
        assertThat(r.memory().orElseThrow().content()).contains("new");
        Await.until("read repair of node 2", WAIT, () -> hasVersion(2, "k1", fresh));
        assertThat(c.node(2).stats().readRepairs()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void read_one_answersFromOwnCopy() throws Exception {
        MiniCluster c = cluster(3);
        c.isolate(1);
        c.isolate(2);
        c.stores.get(0).apply(StoredRecord.live(MiniCluster.memory("k1", "local").toBuilder()
                .version(new Version(5L << 16, 0)).build()));
        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.ONE));
        assertThat(r.memory().orElseThrow().content()).contains("local");
        assertThat(failureOf(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM)))
                .isInstanceOf(QuorumUnavailableException.class);
    }

    @Test
    void remove_tombstoneReplicates_andWinsOverOlderWrite() throws Exception {
        MiniCluster c = cluster(3);
        Version live = await(c.node(0).store(MiniCluster.memory("k1", "doomed")));
        Version tomb = await(c.node(1).remove(MiniCluster.SPACE, "k1"));
        assertThat(tomb).isGreaterThan(live);
        Await.until("tombstone everywhere", WAIT, () -> IntStream.range(0, 3)
                .allMatch(n -> c.recordOn(n, "k1").map(r -> r.isTombstone() && r.version().equals(tomb)).orElse(false)));

        StoredRecord stale = StoredRecord.live(MiniCluster.memory("k1", "doomed").toBuilder().version(live).build());
        var reply = c.node(2).handler().replicate(new Caller(0, 1), c.partitionOf("k1"), stale);
        assertThat(reply.applied()).isFalse();
        assertThat(reply.currentVersion()).isEqualTo(tomb);
        ReadResult r = await(c.node(2).read(MiniCluster.SPACE, "k1", ReadConsistency.ALL));
        assertThat(r.record().orElseThrow().isTombstone()).isTrue();
        assertThat(r.memory()).isEmpty();
    }

    @Test
    void store_concurrentWritersToOneKey_convergeToNewestOnAllReplicas() throws Exception {
        MiniCluster c = cluster(3);
        int writers = 3;
        int perWriter = 15;
        CyclicBarrier start = new CyclicBarrier(writers);
        // One thread per writer: the barrier blocks, and the common pool may have a single thread on 2 cores.
        ExecutorService writerThreads = Executors.newFixedThreadPool(writers);
        List<CompletableFuture<List<Version>>> runs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int node = w;
            runs.add(CompletableFuture.supplyAsync(() -> {
                List<Version> acked = new ArrayList<>();
                try {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < perWriter; i++) {
                        acked.add(c.node(node).store(MiniCluster.memory("hot", "w" + node + "-" + i)).get(20, TimeUnit.SECONDS));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return acked;
            }, writerThreads));
        }
        Version newest = Version.ZERO;
        try {
            for (CompletableFuture<List<Version>> r : runs) {
                for (Version v : r.get(60, TimeUnit.SECONDS)) {
                    newest = v.isNewerThan(newest) ? v : newest;
                }
            }
        } finally {
            writerThreads.shutdownNow();
        }
        Version expected = newest;
        Await.until("all replicas at the newest acked version", WAIT,
                () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, "hot", expected)));
        Optional<String> content = c.recordOn(0, "hot").flatMap(StoredRecord::memory).flatMap(m -> m.content());
        assertThat(content).contains("w" + expected.nodeId() + "-" + (perWriter - 1));
    }

    @Test
    void store_onNodeThatIsNotAReplica_refusedWithWrongOwner() throws Exception {
        MiniCluster c = cluster(3);
        c.setPlacement(StaticPlacement.ring(1, 8, List.of(0, 1, 2), 2));
        String id = IntStream.range(0, 1000).mapToObj(i -> "k" + i)
                .filter(k -> !c.replicasOf(k).contains(0)).findFirst().orElseThrow();
        Throwable t = failureOf(c.node(0).store(MiniCluster.memory(id, "x")));
        assertThat(t).isInstanceOf(WrongOwnerException.class);
        WrongOwnerException w = (WrongOwnerException) t;
        assertThat(w.suggestedReplicas()).isEqualTo(c.replicasOf(id));
        assertThat(w.partition()).isEqualTo(c.partitionOf(id));

        StoredRecord r = StoredRecord.live(MiniCluster.memory(id, "x").toBuilder().version(new Version(1L << 20, 1)).build());
        assertThatThrownBy(() -> c.node(0).handler().replicate(new Caller(1, 1), c.partitionOf(id), r))
                .isInstanceOf(WrongOwnerException.class);
        assertThat(c.recordOn(0, id)).isEmpty();
    }

    @Test
    void replicate_olderEpoch_refusedWithStaleEpoch() throws Exception {
        MiniCluster c = cluster(3);
        StaticPlacement newer = StaticPlacement.ring(2, 8, List.of(0, 1, 2), 3);
        c.placements.get(1).set(newer);
        c.placements.get(2).set(newer);
        StoredRecord r = StoredRecord.live(MiniCluster.memory("k1", "x").toBuilder().version(new Version(1L << 20, 0)).build());
        assertThatThrownBy(() -> c.node(1).handler().replicate(new Caller(0, 1), c.partitionOf("k1"), r))
                .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.currentEpoch()).isEqualTo(2));

        Throwable t = failureOf(c.node(0).store(MiniCluster.memory("k1", "from-the-past")));
        assertThat(t).isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.currentEpoch()).isEqualTo(2));
        assertThat(c.node(0).pendingHints()).as("no hints for a topology change").isZero();
        assertThat(c.recordOn(1, "k1")).isEmpty();
    }

    @Test
    void store_duringEpochChange_needsQuorumOfOldAndNewReplicas() throws Exception {
        MiniCluster c = cluster(4);
        StaticPlacement old = StaticPlacement.ring(1, 8, List.of(0, 1, 2), 3);
        StaticPlacement target = StaticPlacement.ring(1, 8, List.of(1, 2, 3), 3);
        c.setPlacement(old.movingTo(2, target));
        c.transport.partition(Set.of(0, 1), Set.of(2, 3));
        Throwable t = failureOf(c.node(0).store(MiniCluster.memory("k1", "x")));
        assertThat(t).as("W of the old set is met (0, 1) but not a majority of the new set (1 of 1, 2, 3)")
                .isInstanceOfSatisfying(QuorumUnavailableException.class, q -> {
                    assertThat(q.needed()).isEqualTo(2);
                    assertThat(q.reached()).isEqualTo(1);
                });
        c.transport.heal();
        Version v = await(c.node(0).store(MiniCluster.memory("k2", "y")));
        Await.until("k2 on old and new replicas", WAIT, () -> IntStream.range(0, 4).allMatch(n -> hasVersion(n, "k2", v)));
    }

    @Test
    void hints_queueFull_dropsAndAntiEntropyRepairs() throws Exception {
        cluster = new MiniCluster(dir, 3, 8, SEED, b -> b.maxHintsPerTarget(2));
        MiniCluster c = cluster;
        c.isolate(2);
        List<Version> acked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            acked.add(await(c.node(0).store(MiniCluster.memory("k" + i, "v" + i))));
        }
        Await.until("hints settled", WAIT, () -> c.node(0).stats().hintsQueued() + c.node(0).stats().hintsDropped() == 5);
        assertThat(c.node(0).pendingHints(2)).isEqualTo(2);
        assertThat(c.node(0).stats().hintsDropped()).isEqualTo(3);
        c.transport.heal();
        await(c.node(0).syncAll());
        for (int i = 0; i < 5; i++) {
            assertThat(hasVersion(2, "k" + i, acked.get(i))).as("k" + i + " on node 2").isTrue();
        }
        assertThat(c.node(0).stats().antiEntropyBucketsRepaired()).isGreaterThan(0);
    }

    @Test
    void drain_handsUndeliveredHintsToPeer_whichDeliversThem() throws Exception {
        MiniCluster c = cluster(3);
        c.isolate(2);
        Version v = await(c.node(0).store(MiniCluster.memory("k1", "handed-over")));
        Await.until("hint queued", WAIT, () -> c.node(0).pendingHints(2) == 1);
        List<Hint> handed = await(c.node(0).drain());
        assertThat(handed).hasSize(1);
        assertThat(c.node(0).pendingHints()).isZero();
        c.node(1).importHints(handed);
        c.transport.heal();
        await(c.node(1).deliverHints());
        assertThat(hasVersion(2, "k1", v)).isTrue();
    }

    @Test
    void store_invalidMemory_refusedBeforeAnyReplicaSeesIt() throws Exception {
        MiniCluster c = cluster(3);
        var bad = MiniCluster.memory("k1", "x").toBuilder().embedding(new float[] {1f}).build();
        Throwable t = failureOf(c.node(0).store(bad));
        assertThat(t).isInstanceOf(io.mnemo.node.storage.InvalidMemoryException.class);
        assertThat(IntStream.range(0, 3).allMatch(n -> c.recordOn(n, "k1").isEmpty())).isTrue();
    }
}
