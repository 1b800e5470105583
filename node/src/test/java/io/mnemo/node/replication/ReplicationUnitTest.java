package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pure pieces: quorum counting, hash ranges and digests, background loop error handling. */
@Timeout(30)
class ReplicationUnitTest {

    @Test
    void writeQuorum_jointChange_needsWOfOldAndMajorityOfNew() {
        WriteQuorum q = new WriteQuorum(List.of(0, 1, 2), List.of(1, 2, 3), 2);
        assertThat(q.ack(0)).isEqualTo(WriteQuorum.State.PENDING);
        assertThat(q.ack(1)).as("old set has W=2 but new set only 1 of 3").isEqualTo(WriteQuorum.State.PENDING);
        assertThat(q.ack(3)).isEqualTo(WriteQuorum.State.MET);
    }

    @Test
    void writeQuorum_newSetOutOfReach_failsEarly() {
        WriteQuorum q = new WriteQuorum(List.of(0, 1, 2), List.of(1, 2, 3), 2);
        q.ack(0);
        q.ack(1);
        assertThat(q.fail(2)).isEqualTo(WriteQuorum.State.PENDING);
        assertThat(q.fail(3)).isEqualTo(WriteQuorum.State.FAILED);
        QuorumUnavailableException e = q.shortfall();
        assertThat(e.needed()).isEqualTo(2);
        assertThat(e.reached()).isEqualTo(1);
    }

    @Test
    void writeQuorum_nodesOutsideTheSets_neverCount() {
        WriteQuorum q = new WriteQuorum(List.of(0, 1, 2), List.of(), 2);
        q.ack(0);
        assertThat(q.ack(7)).as("strict quorum: a stranger's ack does not count").isEqualTo(WriteQuorum.State.PENDING);
        assertThat(q.ack(2)).isEqualTo(WriteQuorum.State.MET);
    }

    @Test
    void writeQuorum_wLargerThanReplicaSet_failsNotRetryable() {
        WriteQuorum q = new WriteQuorum(List.of(0, 1), List.of(), 3);
        assertThat(q.ack(0)).isEqualTo(WriteQuorum.State.FAILED);
        assertThat(q.shortfall().retryable()).isFalse();
    }

    @Test
    void hashRange_splitIntoBuckets_matchesDigestBuckets() {
        List<HashRange> parts = HashRange.ALL.split(DigestScheme.BUCKETS);
        for (int b = 0; b < DigestScheme.BUCKETS; b++) {
            assertThat(parts.get(b)).isEqualTo(DigestScheme.bucketRange(b));
        }
        assertThat(parts.get(63).contains(-1L)).isTrue();
        assertThat(parts.get(0).contains(0L)).isTrue();
        assertThat(DigestScheme.bucketOf(-1L)).isEqualTo(63);
        assertThatThrownBy(() -> new HashRange(5, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void digestKeyHash_keysOfOnePartition_spreadOverBuckets() {
        io.mnemo.shardmap.PartitionFunction f = io.mnemo.shardmap.PartitionFunction.of(256);
        java.util.Set<Integer> buckets = new java.util.HashSet<>();
        for (int i = 0; buckets.size() < 32 && i < 200_000; i++) {
            String id = "id-" + i;
            if (f.partitionOf("s", id) == 17) {
                buckets.add(DigestScheme.bucketOf(DigestScheme.keyHash(new io.mnemo.node.storage.MemoryKey("s", id))));
            }
        }
        assertThat(buckets).as("one partition's keys use many buckets").hasSizeGreaterThanOrEqualTo(32);
    }

    @Test
    void backgroundLoop_tickThrows_reportsCountsAndKeepsRunning() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        try {
            ConcurrentLinkedQueue<Throwable> seen = new ConcurrentLinkedQueue<>();
            LongAdder errors = new LongAdder();
            AtomicInteger ticks = new AtomicInteger();
            BackgroundLoop loop = new BackgroundLoop("test", now -> {
                int n = ticks.incrementAndGet();
                if (n == 1) {
                    throw new IllegalStateException("boom");
                }
                if (n == 2) {
                    return CompletableFuture.failedFuture(new IllegalArgumentException("async boom"));
                }
                return CompletableFuture.completedFuture(null);
            }, Duration.ofMillis(5).toNanos(), 0.5, RandomGeneratorFactory.of("L64X128MixRandom").create(42),
                    Scheduler.of(timer), (name, t) -> seen.add(t), errors);
            loop.start();
            Await.until("loop survives errors", Duration.ofSeconds(10), () -> ticks.get() >= 4);
            loop.stop();
            assertThat(errors.sum()).isEqualTo(2);
            assertThat(seen).hasSize(2);
            assertThat(seen.peek()).hasMessage("boom");
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void hint_estimate_countsTheStorageEncodingACoordinatorsRecordCarries() {
        io.mnemo.node.storage.StoredRecord plain = io.mnemo.node.storage.StoredRecord.live(MiniCluster.memory("k", "some content")
                .toBuilder().version(new io.mnemo.node.storage.Version(1L << 20, 0)).build());
        io.mnemo.node.storage.StoredRecord encoded = plain.withEncoding();
        assertThat(encoded.encodedBytes()).isGreaterThan(4 * MiniCluster.DIM);
        assertThat(plain.encodedBytes()).isZero();
        assertThat(new Hint(1, 0, encoded).estimatedBytes())
                .isEqualTo(new Hint(1, 0, plain).estimatedBytes() + encoded.encodedBytes());
        assertThat(encoded.withEncoding()).isSameAs(encoded);
    }

    @Test
    void failures_classify_hintsOnlyWhatRedeliveryCanFix() {
        assertThat(Failures.shouldHint(Failures.classify(new ReplicaUnavailableException(1, "down")))).isTrue();
        assertThat(Failures.shouldHint(Failures.classify(new StaleEpochException(3, "x")))).isFalse();
        assertThat(Failures.shouldHint(Failures.classify(new WrongOwnerException(3, 1, List.of(2), "x")))).isFalse();
        assertThat(Failures.shouldHint(Failures.classify(
                new ReplicaRejectedException(1, ReplicaRejectedException.Reason.INVALID_ARGUMENT, "x")))).isFalse();
        assertThat(Failures.classify(new java.util.concurrent.CompletionException(new StaleEpochException(3, "x"))))
                .isEqualTo(Failures.Kind.STALE_EPOCH);
    }
}
