package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.replication.ReplicaTransport.ReadReply;
import io.mnemo.node.storage.HotAdmission;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Digest reads on a 3-node in-JVM cluster (RF = 3, R = 2): node 0 coordinates every read and reads its own record;
 * the other replica asked (the "digest replica") sends only its version.
 */
@Timeout(60)
class DigestReadTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SEED = 0x5EED_0D16L;

    @TempDir
    Path dir;
    private MiniCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.loopErrors).as("background loop errors").isEmpty();
            cluster.close();
        }
    }

    private MiniCluster cluster() {
        cluster = new MiniCluster(dir, 3, 8, SEED);
        return cluster;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    /** The replica a quorum read coordinated by node 0 asks for its version: the first replica of the key's list but 0. */
    private int digestReplica(String id) {
        return cluster.replicasOf(id).stream().filter(n -> n != 0).findFirst().orElseThrow();
    }

    /** The replica a quorum read coordinated by node 0 does not ask while nothing fails. */
    private int unaskedReplica(String id) {
        return cluster.replicasOf(id).stream().filter(n -> n != 0 && n != digestReplica(id)).findFirst().orElseThrow();
    }

    private boolean hasVersion(int node, String key, Version v) {
        return cluster.recordOn(node, key).map(r -> r.version().equals(v)).orElse(false);
    }

    private long hot(int node) {
        return cluster.stores.get(node).counts().hot(MiniCluster.SPACE);
    }

    /** Writes {@code id} through node 0 and waits until every replica holds it. */
    private Version writeEverywhere(String id, String content) throws Exception {
        Version v = await(cluster.node(0).store(MiniCluster.memory(id, content)));
        Await.until(id + " on all replicas", WAIT, () -> IntStream.range(0, 3).allMatch(n -> hasVersion(n, id, v)));
        return v;
    }

    /** Puts a newer live record of {@code id} on {@code node} alone, leaving its hot tier alone. */
    private Version newerOn(int node, String id, Version than, String content) {
        Version v = new Version(than.hlc() + 1, node);
        cluster.stores.get(node).apply(StoredRecord.live(MiniCluster.memory(id, content).toBuilder().version(v).build()),
                HotAdmission.IF_CACHED);
        return v;
    }

    @Test
    void quorum_digestReplicaNewerThanCoordinator_recordFetchedFromItOnce_andCoordinatorRepaired() throws Exception {
        MiniCluster c = cluster();
        Version v1 = writeEverywhere("k1", "old");
        int digest = digestReplica("k1");
        Version v2 = newerOn(digest, "k1", v1, "newer");

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().version()).isEqualTo(v2);
        assertThat(r.memory().orElseThrow().content()).contains("newer");
        assertThat(c.node(0).stats().digestFetches()).isEqualTo(1);
        Await.until("read repair of node 0", WAIT, () -> hasVersion(0, "k1", v2));
        assertThat(hasVersion(unaskedReplica("k1"), "k1", v1)).as("a replica not asked is not repaired").isTrue();

        ReadResult again = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(again.record().orElseThrow().version()).isEqualTo(v2);
        assertThat(c.node(0).stats().digestFetches()).as("once repaired, no second fetch").isEqualTo(1);
    }

    @Test
    void quorum_staleDigestReplica_repairedFromTheCoordinatorsRecord_withoutAFetch_andNothingPromotedThere()
            throws Exception {
        MiniCluster c = cluster();
        Version v1 = writeEverywhere("k1", "old");
        int digest = digestReplica("k1");
        c.isolate(digest);
        Version v2 = await(c.node(0).store(MiniCluster.memory("k1", "new")));
        c.node(0).exportHints();
        c.transport.heal();
        assertThat(hasVersion(digest, "k1", v1)).as("the digest replica is stale").isTrue();

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().version()).isEqualTo(v2);
        assertThat(r.memory().orElseThrow().content()).contains("new");
        Await.until("read repair of the digest replica", WAIT, () -> hasVersion(digest, "k1", v2));
        assertThat(c.node(0).stats().digestFetches()).isZero();
        assertThat(c.node(0).stats().readRepairs()).isEqualTo(1);
        assertThat(hot(digest)).as("a version-only read and a repair promote nothing").isZero();
        assertThat(hot(0)).as("the coordinator caches what clients read from it").isEqualTo(1);
    }

    @Test
    void quorum_coordinatorsOwnReadFails_nextReplicaIsAskedForTheRecord_andTheReadSucceeds() throws Exception {
        MiniCluster c = cluster();
        Version v1 = writeEverywhere("k1", "hello");
        c.stores.get(0).close();

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().version()).isEqualTo(v1);
        assertThat(r.memory().orElseThrow().content()).contains("hello");
        assertThat(c.node(0).stats().digestFetches()).as("the replacement sent the record itself").isZero();
        assertThat(hot(unaskedReplica("k1"))).as("the replacement was asked for the record").isEqualTo(1);
        assertThat(hot(digestReplica("k1"))).as("the digest replica sent its version only").isZero();
    }

    @Test
    void quorum_tombstoneOnlyOnDigestReplica_isFetchedAndReturned_andCoordinatorRepaired() throws Exception {
        MiniCluster c = cluster();
        Version v1 = writeEverywhere("k1", "doomed");
        int digest = digestReplica("k1");
        Version removed = new Version(v1.hlc() + 1, digest);
        c.stores.get(digest).apply(StoredRecord.tombstone(MiniCluster.key("k1"), removed), HotAdmission.IF_CACHED);

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().isTombstone()).isTrue();
        assertThat(r.record().orElseThrow().version()).isEqualTo(removed);
        assertThat(r.memory()).isEmpty();
        assertThat(c.node(0).stats().digestFetches()).isEqualTo(1);
        Await.until("tombstone repaired onto node 0", WAIT,
                () -> c.recordOn(0, "k1").map(StoredRecord::isTombstone).orElse(false));
    }

    @Test
    void quorum_keyOnlyOnDigestReplica_isFetched_andCoordinatorRepaired() throws Exception {
        MiniCluster c = cluster();
        int digest = digestReplica("k1");
        Version v = newerOn(digest, "k1", Version.ZERO, "only here");

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().version()).isEqualTo(v);
        assertThat(r.memory().orElseThrow().content()).contains("only here");
        assertThat(c.node(0).stats().digestFetches()).isEqualTo(1);
        Await.until("read repair of node 0", WAIT, () -> hasVersion(0, "k1", v));
    }

    @Test
    void quorumAndAll_keyAbsentEverywhere_emptyWithoutFetchOrRepair() throws Exception {
        MiniCluster c = cluster();
        assertThat(await(c.node(0).read(MiniCluster.SPACE, "nowhere", ReadConsistency.QUORUM)).record()).isEmpty();
        assertThat(await(c.node(0).read(MiniCluster.SPACE, "nowhere", ReadConsistency.ALL)).record()).isEmpty();
        assertThat(c.node(0).stats().digestFetches()).isZero();
        assertThat(c.node(0).stats().readRepairs()).isZero();
        assertThat(c.node(0).stats().readsServed()).isEqualTo(2);
    }

    @Test
    void all_twoDigestReplicas_newestOfThemIsFetched_andBothOthersRepaired() throws Exception {
        MiniCluster c = cluster();
        Version v1 = writeEverywhere("k1", "v1");
        int last = unaskedReplica("k1");
        Version v2 = newerOn(last, "k1", v1, "v2 on the last replica");

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.ALL));
        assertThat(r.record().orElseThrow().version()).isEqualTo(v2);
        assertThat(r.replicasAnswered()).isEqualTo(3);
        assertThat(c.node(0).stats().digestFetches()).isEqualTo(1);
        Await.until("node 0 and the other digest replica repaired", WAIT,
                () -> hasVersion(0, "k1", v2) && hasVersion(digestReplica("k1"), "k1", v2));
    }

    @Test
    void quorum_replicaOfAnOlderBuildAnswersInFull_takenAsTheWholeAnswer_withoutAFetch() throws Exception {
        OlderBuild older = new OlderBuild();
        cluster = new MiniCluster(dir, 3, 8, SEED, b -> { }, older::wrap);
        MiniCluster c = cluster;
        Version v1 = writeEverywhere("k1", "old");
        Version v2 = newerOn(digestReplica("k1"), "k1", v1, "newer, sent whole");

        ReadResult r = await(c.node(0).read(MiniCluster.SPACE, "k1", ReadConsistency.QUORUM));
        assertThat(r.record().orElseThrow().version()).isEqualTo(v2);
        assertThat(r.memory().orElseThrow().content()).contains("newer, sent whole");
        assertThat(older.answeredInFull.sum()).isEqualTo(1);
        assertThat(c.node(0).stats().digestFetches()).isZero();
        Await.until("read repair of node 0", WAIT, () -> hasVersion(0, "k1", v2));
    }

    @Test
    void readVersion_onAReplica_answersVersionAndTombstoneFlag_andPromotesNothing() throws Exception {
        MiniCluster c = cluster();
        Version v1 = writeEverywhere("k1", "x");
        int digest = digestReplica("k1");
        ReplicaHandler h = c.node(digest).handler();
        Caller caller = new Caller(0, 1);
        assertThat(h.readVersion(caller, c.partitionOf("k1"), MiniCluster.key("k1")))
                .isEqualTo(ReadReply.versionOnly(v1, false));
        assertThat(hot(digest)).isZero();
        assertThat(h.readVersion(caller, c.partitionOf("k2"), MiniCluster.key("k2"))).isEqualTo(ReadReply.ABSENT);
        Version removed = await(c.node(0).remove(MiniCluster.SPACE, "k1"));
        Await.until("tombstone on the digest replica", WAIT, () -> hasVersion(digest, "k1", removed));
        assertThat(h.readVersion(caller, c.partitionOf("k1"), MiniCluster.key("k1")))
                .isEqualTo(ReadReply.versionOnly(removed, true));
    }

    /** Makes every node answer version-only reads with the whole record, as a build that predates them does. */
    private static final class OlderBuild {
        final LongAdder answeredInFull = new LongAdder();

        ReplicaTransport wrap(ReplicaTransport delegate) {
            return new ReplicaTransport() {
                @Override
                public CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key) {
                    return delegate.read(target, from, partition, key).thenApply(r -> {
                        answeredInFull.increment();
                        return ReadReply.of(r);
                    });
                }

                @Override
                public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
                    return delegate.read(target, from, partition, key);
                }

                @Override
                public CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record) {
                    return delegate.replicate(target, from, partition, record);
                }

                @Override
                public CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items) {
                    return delegate.replicateBatch(target, from, items);
                }

                @Override
                public CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition) {
                    return delegate.digest(target, from, partition);
                }

                @Override
                public CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition,
                                                                         long bucketMask) {
                    return delegate.fetchBuckets(target, from, partition, bucketMask);
                }

                @Override
                public CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints) {
                    return delegate.deliverHints(target, from, hints);
                }

                @Override
                public CompletableFuture<PingReply> ping(int target, Caller from, long hlc) {
                    return delegate.ping(target, from, hlc);
                }

                @Override
                public void close() {
                    delegate.close();
                }
            };
        }
    }
}
