package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.cluster.ownership.BaselineCommand;
import io.mnemo.node.cluster.ownership.BaselineState;
import io.mnemo.node.replication.FaultyTransport;
import io.mnemo.node.replication.ReadConsistency;
import io.mnemo.node.replication.ReadResult;
import io.mnemo.node.replication.Rebalancer;
import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.StoredRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebalancing in one JVM ({@link RebalanceCluster}): membership changes under continuous writes with seeded
 * transport faults, then every acknowledged write is read back at QUORUM, new owners hold their partitions, and old
 * copies are dropped after the change completes and not before. Seeds print at the start of each test;
 * {@code -Dmnemo.rebalance.seed=N} replays one.
 */
@Timeout(120)
class RebalanceTest {
    private static final int P = 16;

    @TempDir
    Path dir;

    private static long seed() {
        return Long.getLong("mnemo.rebalance.seed", System.nanoTime());
    }

    /** Keys written and acknowledged, with the content acknowledged. */
    private final Map<String, String> acked = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Throwable> writeFailures = new ConcurrentLinkedQueue<>();

    /**
     * Writes new keys from one thread until {@link #stop()}; each key is retried a few times, and counted in
     * {@code acked} only if acknowledged.
     */
    private final class Writer {
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        Writer(RebalanceCluster c, String prefix) {
            thread = new Thread(() -> {
                for (int i = 0; !stopped.get(); i++) {
                    String key = prefix + i;
                    String content = "v-" + key;
                    for (int attempt = 0; attempt < 5 && !stopped.get(); attempt++) {
                        try {
                            c.nodes.get(c.coordinatorOf(key)).replication.store(RebalanceCluster.memory(key, content))
                                    .get(10, TimeUnit.SECONDS);
                            acked.put(key, content);
                            break;
                        } catch (Exception e) {
                            writeFailures.add(e);
                        }
                    }
                }
            }, "writer-" + prefix);
            thread.setDaemon(true);
            thread.start();
        }

        /** Stops writing and waits for the write in flight. */
        void stop() throws InterruptedException {
            stopped.set(true);
            thread.join(30_000);
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private void awaitAcked(int count) throws InterruptedException {
        int target = acked.size() + count;
        await(count + " more acknowledged writes", Duration.ofSeconds(60), () -> acked.size() >= target);
    }

    /** Waits until {@code node} holds every acknowledged key of the partitions in {@code partitions}. */
    private void awaitHoldsAckedKeys(RebalanceCluster c, int node, Set<Integer> partitions) throws InterruptedException {
        await("node " + node + " to hold every acknowledged key of its partitions", Duration.ofSeconds(60), () -> acked
                .keySet().stream().filter(k -> partitions.contains(c.partitionOf(k))).allMatch(k -> c.recordOn(node, k) != null));
    }

    /** Every acknowledged key reads back at QUORUM with its content, coordinated by a current replica. */
    private void assertEveryAckedWriteReadable(RebalanceCluster c) throws Exception {
        assertThat(acked).isNotEmpty();
        for (Map.Entry<String, String> e : acked.entrySet()) {
            ReadResult r = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                try {
                    r = c.nodes.get(c.coordinatorOf(e.getKey())).replication
                            .read(RebalanceCluster.SPACE, e.getKey(), ReadConsistency.QUORUM).get(10, TimeUnit.SECONDS);
                    break;
                } catch (Exception ex) {
                    if (attempt == 4) {
                        throw ex;
                    }
                }
            }
            assertThat(r.record()).as("acknowledged key %s (seed %d)", e.getKey(), c.seed).isPresent();
            assertThat(r.record().get().memory().flatMap(m -> m.content())).as("content of %s (seed %d)", e.getKey(), c.seed)
                    .contains(e.getValue());
        }
    }

    /** A settled cluster of nodes 1..n with RF 3 and no transition left. */
    private static RebalanceCluster settledCluster(Path dir, int n, long seed) throws InterruptedException {
        RebalanceCluster c = new RebalanceCluster(dir, P, 3, seed);
        for (int id = 1; id <= n; id++) {
            c.join(id);
            await("node " + id + " to join", Duration.ofSeconds(30), c::settled);
        }
        return c;
    }

    /** For each node, the partitions it replicates in {@code pl}'s current lists. */
    private static Set<Integer> owned(TopologyPlacement pl, int node) {
        Set<Integer> out = new HashSet<>();
        for (int p = 0; p < pl.partitions(); p++) {
            if (pl.replicas(p).contains(node)) {
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void join3to4_continuousWritesWithFaults_noAckedWriteLostAndOldCopiesDroppedOnlyAfterCompletion() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            TopologyPlacement before = c.placement();
            Writer w = new Writer(c, "k");
            awaitAcked(300);
            c.transport.setFaults(new FaultyTransport.Faults(0.02, 0.02, 0.02, 0.1, 0.02, TimeUnit.MILLISECONDS.toNanos(5)));
            c.breakStreamsEvery(1);
            // Before the last confirmation commits, every old owner must still hold the partitions it is losing.
            List<String> earlyDrops = new ArrayList<>();
            c.beforeCommand = (state, command) -> {
                if (command instanceof BaselineCommand.ConfirmMoves && state.transition().isPresent()) {
                    for (int node = 1; node <= 3; node++) {
                        for (int p : owned(before, node)) {
                            if (!c.partitionsOn(node).contains(p)) {
                                earlyDrops.add("node " + node + " partition " + p);
                            }
                        }
                    }
                }
            };
            c.join(4);
            await("the 3->4 transition to complete", Duration.ofSeconds(60), c::settled);
            awaitAcked(200);
            w.stop();
            c.transport.setFaults(FaultyTransport.Faults.NONE);

            assertThat(earlyDrops).as("old copies dropped before the transition completed").isEmpty();
            assertEveryAckedWriteReadable(c);
            TopologyPlacement after = c.placement();
            Set<Integer> gained = owned(after, 4);
            assertThat(gained).isNotEmpty();
            assertThat(c.nodes.get(4).rebalancer.stats().partitionsStreamed()).isGreaterThanOrEqualTo(gained.size());
            assertThat(c.streamBreaks.get()).as("streams were broken and resumed").isPositive();
            for (int node = 1; node <= 3; node++) {
                Set<Integer> lost = new HashSet<>(owned(before, node));
                lost.removeAll(owned(after, node));
                int n = node;
                await("node " + node + " to drop " + lost, Duration.ofSeconds(30),
                        () -> lost.stream().noneMatch(p -> c.partitionsOn(n).contains(p)));
            }
            // The new owner ends up with every acknowledged key of its partitions (streams, joint quorums, hints).
            awaitHoldsAckedKeys(c, 4, gained);
            assertThat(c.loopErrors).isEmpty();
        }
    }

    @Test
    void remove4to3_continuousWrites_noAckedWriteLostAndRemovedNodeDrops() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 4, seed())) {
            Writer w = new Writer(c, "r");
            awaitAcked(300);
            c.remove(2);
            await("the 4->3 transition to complete", Duration.ofSeconds(60), c::settled);
            awaitAcked(100);
            w.stop();

            assertEveryAckedWriteReadable(c);
            await("node 2 to drop every partition", Duration.ofSeconds(30), () -> c.partitionsOn(2).isEmpty());
        }
    }

    @Test
    void changeMidTransition_retargetsKeepingSourceAndLosesNothing() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "m");
            awaitAcked(200);
            c.holdStreams.add(4);
            c.join(4);
            long firstTarget = c.state().ownershipEpoch();
            awaitAcked(50);
            c.join(5);
            BaselineState retargeted = c.state();
            assertThat(retargeted.transition()).isPresent();
            assertThat(retargeted.transition().get().source()).extracting(m -> m.id()).containsExactly("1", "2", "3");
            assertThat(retargeted.ownershipEpoch()).isGreaterThan(firstTarget);
            c.holdStreams.remove(4);
            await("the retargeted transition to complete", Duration.ofSeconds(60), c::settled);
            awaitAcked(100);
            w.stop();

            assertEveryAckedWriteReadable(c);
            assertThat(owned(c.placement(), 5)).isNotEmpty();
        }
    }

    @Test
    void streamFromDownOldReplica_isRetriedOnAnother() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "d");
            awaitAcked(200);
            c.streamsDown.add(1);
            c.join(4);
            await("the transition to complete without node 1's streams", Duration.ofSeconds(60), c::settled);
            w.stop();

            assertThat(c.nodes.get(4).rebalancer.stats().streamFailures()).isPositive();
            assertEveryAckedWriteReadable(c);
        }
    }

    @Test
    void join_sourceCorruptsEveryRecord_corruptionIsCaughtAndPartitionsComeFromTheOthers() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "c");
            awaitAcked(200);
            c.corrupting.add(1);
            c.join(4);
            await("the transition to complete without node 1's records", Duration.ofSeconds(60), c::settled);
            w.stop();

            assertThat(c.corruptionsDetected.get()).as("corrupted records caught by their CRC").isPositive();
            assertThat(c.nodes.get(4).rebalancer.stats().streamFailures()).isPositive();
            assertEveryAckedWriteReadable(c);
            Set<Integer> gained = owned(c.placement(), 4);
            awaitHoldsAckedKeys(c, 4, gained);
            assertThat(c.loopErrors).isEmpty();
        }
    }

    @Test
    void join_tooFewSourcesDeliverIntactRecords_notConfirmedUntilTheyDo() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "t");
            awaitAcked(200);
            // R = 2 of {1, 2, 3}: with two sources corrupting, no partition can be read from a quorum.
            c.corrupting.add(1);
            c.corrupting.add(2);
            c.join(4);
            await("node 4 to retry its partitions", Duration.ofSeconds(60),
                    () -> c.nodes.get(4).rebalancer.stats().streamFailures() >= 2L * 3 * P / 2);
            assertThat(c.state().transition()).as("a transition confirmed without a read quorum").isPresent();
            assertThat(c.nodes.get(4).rebalancer.stats().confirmations()).isZero();
            assertThat(c.nodes.get(4).rebalancer.isIdle()).isFalse();

            c.corrupting.clear();
            await("the transition to complete once records arrive intact", Duration.ofSeconds(60), c::settled);
            w.stop();
            assertThat(c.nodes.get(4).rebalancer.stats().confirmations()).isPositive();
            assertEveryAckedWriteReadable(c);
            assertThat(c.loopErrors).isEmpty();
        }
    }

    @Test
    void join_continuousWrites_secondSourcesCheckedByDigestAndNothingLost() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "g");
            awaitAcked(300);
            c.join(4);
            await("the 3->4 transition to complete", Duration.ofSeconds(60), c::settled);
            awaitAcked(100);
            w.stop();

            Rebalancer.Stats stats = c.nodes.get(4).rebalancer.stats();
            assertThat(stats.digestChecks()).as("second sources checked by digest instead of streamed").isPositive();
            assertEveryAckedWriteReadable(c);
            awaitHoldsAckedKeys(c, 4, owned(c.placement(), 4));
            assertThat(c.loopErrors).isEmpty();
        }
    }

    /**
     * A write on two of the three old replicas only (acknowledged by W = 2) must reach the new owner whichever replica
     * it streams in full first: keys are planted on each pair, so for one of them the first source lacks it and the
     * digest check of the second must fetch it. Anti-entropy is off and streams run one at a time, so by the last
     * partition every source has fenced and is checked by digest.
     */
    @Test
    void join_writeOnlyOnTheSecondSource_isFetchedByDigest() throws Exception {
        RebalanceCluster c = new RebalanceCluster(dir, P, 3, seed());
        try (c) {
            c.antiEntropyInterval = Duration.ofHours(1);
            c.parallelStreams = 1;
            for (int id = 1; id <= 3; id++) {
                c.join(id);
                await("node " + id + " to join", Duration.ofSeconds(30), c::settled);
            }
            Writer w = new Writer(c, "f");
            awaitAcked(200);
            w.stop();
            c.holdStreams.add(4);
            c.join(4);
            TopologyPlacement moving = c.placement();
            int last = -1;
            for (int p = 0; p < P; p++) {
                if (moving.pendingReplicas(p).contains(4) && !moving.replicas(p).contains(4)) {
                    last = p;
                }
            }
            assertThat(last).as("a partition node 4 gains").isNotNegative();
            Map<String, StoredRecord> planted = new java.util.HashMap<>();
            int[][] pairs = {{2, 3}, {1, 3}, {1, 2}};
            int next = 0;
            for (int[] pair : pairs) {
                String key;
                do {
                    key = "planted-" + next++;
                } while (c.partitionOf(key) != last);
                c.nodes.get(pair[0]).store.store(RebalanceCluster.memory(key, "only on " + pair[0] + " and " + pair[1]));
                StoredRecord r = c.recordOn(pair[0], key);
                c.nodes.get(pair[1]).store.apply(r);
                planted.put(key, r);
            }
            c.holdStreams.remove(4);
            await("the 3->4 transition to complete", Duration.ofSeconds(60), c::settled);

            for (Map.Entry<String, StoredRecord> e : planted.entrySet()) {
                assertThat(c.recordOn(4, e.getKey())).as("planted %s (seed %d)", e.getKey(), c.seed).isEqualTo(e.getValue());
            }
            Rebalancer.Stats stats = c.nodes.get(4).rebalancer.stats();
            assertThat(stats.digestChecks()).isPositive();
            assertThat(stats.recordsFetched()).as("records fetched from differing buckets").isPositive();
            assertEveryAckedWriteReadable(c);
            awaitHoldsAckedKeys(c, 4, owned(c.placement(), 4));
        }
    }

    @Test
    void join_sourcesWithoutDigests_areStreamedInFullAndNothingLost() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "n");
            awaitAcked(200);
            c.digestsDown.addAll(List.of(1, 2, 3));
            c.join(4);
            await("the 3->4 transition to complete", Duration.ofSeconds(60), c::settled);
            w.stop();

            assertThat(c.nodes.get(4).rebalancer.stats().digestChecks()).isZero();
            assertEveryAckedWriteReadable(c);
            awaitHoldsAckedKeys(c, 4, owned(c.placement(), 4));
            assertThat(c.loopErrors).isEmpty();
        }
    }

    @Test
    void createSpace_duringWrites_refusesNoWrite() throws Exception {
        try (RebalanceCluster c = settledCluster(dir, 3, seed())) {
            Writer w = new Writer(c, "s");
            awaitAcked(100);
            writeFailures.clear();
            long ownership = c.state().ownershipEpoch();
            for (int i = 0; i < 20; i++) {
                c.propose(new BaselineCommand.CreateSpace("space" + i, 4, 1 << 20));
                TimeUnit.MILLISECONDS.sleep(10);
            }
            awaitAcked(100);
            w.stop();

            assertThat(c.state().ownershipEpoch()).isEqualTo(ownership);
            assertThat(writeFailures).as("writes refused while spaces were created").isEmpty();
        }
    }

    @Test
    void replicaBehindCaller_waitsForItsEpochInsteadOfRefusing() throws Exception {
        try (RebalanceCluster c = new RebalanceCluster(dir, P, 1, seed())) {
            RebalanceCluster.Node n = c.start(1);
            n.placement.set(new TopologyPlacement(io.mnemo.shardmap.Topology.of(1, P, 1,
                    List.of(io.mnemo.shardmap.Member.of("1", "127.0.0.1:1", 1, null)))));
            AtomicInteger served = new AtomicInteger();
            Thread later = new Thread(() -> {
                try {
                    TimeUnit.MILLISECONDS.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                n.placement.set(new TopologyPlacement(io.mnemo.shardmap.Topology.of(2, P, 1,
                        List.of(io.mnemo.shardmap.Member.of("1", "127.0.0.1:1", 1, null)))));
                n.replication.handler().placementChanged();
            });
            later.start();
            String key = "behind";
            StoredRecord record = StoredRecord.live(RebalanceCluster.memory(key, "x").toBuilder()
                    .version(new io.mnemo.node.storage.Version(1_000_000L, 9)).build());
            n.replication.handler().replicate(new Caller(9, 2), c.partitionOf(key), record);
            served.incrementAndGet();
            later.join();

            assertThat(served.get()).isEqualTo(1);
            assertThat(c.recordOn(1, key)).isNotNull();
        }
    }
}
