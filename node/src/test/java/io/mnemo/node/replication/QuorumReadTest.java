package io.mnemo.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.replication.ReplicaTransport.ReadReply;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.Version;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link QuorumRead}'s digest reads step by step: a scripted transport records every call and the test answers each
 * one; deadline and hedge run when the test says. The coordinator (node 9) is not a replica, so every replica is
 * asked over the transport.
 */
@Timeout(30)
class QuorumReadTest {
    private static final int SELF = 9;
    private static final MemoryKey KEY = MiniCluster.key("k1");
    private static final Version V1 = new Version(100L << 16, 1);
    private static final Version V2 = new Version(200L << 16, 2);

    private final ScriptedTransport transport = new ScriptedTransport();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final ReplicationCounters counters = new ReplicationCounters();
    private final HybridClock clock = new HybridClock(Clock.systemUTC());
    private final ReplicaHandler local = new ReplicaHandler(SELF, unusedStore(), () -> null, clock);

    private CompletableFuture<ReadResult> read(List<Integer> order, int needed, Duration hedge) {
        ReplicationConfig config = ReplicationConfig.builder(SELF).readTimeout(Duration.ofSeconds(1)).hedgeDelay(hedge).build();
        return new QuorumRead(KEY, 0, new Caller(SELF, 1), order, needed, SELF, local, transport, scheduler, config, counters)
                .start();
    }

    private CompletableFuture<ReadResult> read(List<Integer> order, int needed) {
        return read(order, needed, Duration.ZERO);
    }

    private static StoredRecord live(Version v) {
        return StoredRecord.live(MiniCluster.memory("k1", "at " + v).toBuilder().version(v).build());
    }

    private static ReadResult done(CompletableFuture<ReadResult> f) throws Exception {
        assertThat(f).isDone();
        return f.get(1, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<ReadResult> f) throws Exception {
        assertThat(f).isDone();
        try {
            f.get(1, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the read to fail");
    }

    @Test
    void quorum_asksTheFirstReplicaForTheRecord_andTheOthersOnlyForTheirVersion() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        assertThat(transport.calls()).containsExactly("read 1", "version 2");
        transport.answerRecord(0, Optional.of(live(V1)));
        assertThat(f).isNotDone();
        transport.answerVersion(1, ReadReply.versionOnly(V1, false));
        assertThat(done(f).record()).contains(live(V1));
        assertThat(done(f).replicasAnswered()).isEqualTo(2);
        assertThat(transport.calls()).as("no fetch, no repair").hasSize(2);
        assertThat(counters.digestFetches.sum()).isZero();
        assertThat(counters.readsServed.sum()).isEqualTo(1);
    }

    @Test
    void quorum_versionOnlyAnswerIsNewer_fetchesTheRecordFromThatReplica_andRepairsTheStaleOne() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, false));
        assertThat(f).as("the record of v2 is not in hand yet").isNotDone();
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "read 2");
        assertThat(counters.digestFetches.sum()).isEqualTo(1);
        transport.answerRecord(2, Optional.of(live(V2)));
        assertThat(done(f).record()).contains(live(V2));
        assertThat(transport.repairs).containsExactly("repair 1 " + V2);
        assertThat(counters.readRepairs.sum()).isEqualTo(1);
    }

    @Test
    void quorum_versionOnlyAnswerIsATombstone_fetchesAndReturnsTheTombstone() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, true));
        transport.answerRecord(2, Optional.of(StoredRecord.tombstone(KEY, V2)));
        assertThat(done(f).record()).contains(StoredRecord.tombstone(KEY, V2));
        assertThat(done(f).memory()).isEmpty();
        assertThat(transport.repairs).containsExactly("repair 1 " + V2);
    }

    @Test
    void quorum_recordReplicaHasNothing_versionOnlyReplicaHasIt_fetchedAndRecordReplicaRepaired() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.empty());
        transport.answerVersion(1, ReadReply.versionOnly(V1, false));
        transport.answerRecord(2, Optional.of(live(V1)));
        assertThat(done(f).record()).contains(live(V1));
        assertThat(transport.repairs).containsExactly("repair 1 " + V1);
    }

    @Test
    void quorum_absentEverywhere_completesEmpty_withoutFetchOrRepair() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.empty());
        transport.answerVersion(1, ReadReply.ABSENT);
        assertThat(done(f).record()).isEmpty();
        assertThat(transport.calls()).hasSize(2);
        assertThat(transport.repairs).isEmpty();
    }

    @Test
    void quorum_recordReplicaFails_theReplicaAskedInstead_isAskedForTheRecord() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.fail(0);
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "read 3");
        transport.answerVersion(1, ReadReply.versionOnly(V1, false));
        transport.answerRecord(2, Optional.of(live(V1)));
        assertThat(done(f).record()).contains(live(V1));
        assertThat(counters.digestFetches.sum()).isZero();
    }

    @Test
    void quorum_versionReplicaFails_theReplicaAskedInstead_isAskedOnlyForItsVersion() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.fail(1);
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "version 3");
        transport.answerVersion(2, ReadReply.versionOnly(V1, false));
        assertThat(done(f).record()).contains(live(V1));
    }

    @Test
    void quorum_fetchFails_andNoOtherReplicaAnnouncedTheVersion_asksTheNextReplicaForTheRecord() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, false));
        transport.fail(2);
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "read 2", "read 3");
        assertThat(f).isNotDone();
        transport.answerRecord(3, Optional.of(live(V2)));
        assertThat(done(f).record()).contains(live(V2));
        assertThat(transport.repairs).containsExactly("repair 1 " + V2);
        assertThat(counters.digestFetches.sum()).as("one read, one digest fetch").isEqualTo(1);
    }

    @Test
    void quorum_fetchReturnsOlderThanAnnounced_andNoReplicaLeft_failsInsteadOfReturningTheOlderRecord() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, false));
        transport.answerRecord(2, Optional.of(live(V1)));
        assertThat(failure(f)).isInstanceOfSatisfying(QuorumUnavailableException.class, q -> {
            assertThat(q.needed()).isEqualTo(2);
            assertThat(q.reached()).isEqualTo(1);
            assertThat(q.retryable()).isTrue();
            assertThat(q).hasMessageContaining("could not fetch version " + V2);
        });
        assertThat(transport.repairs).as("nothing is repaired with a record older than announced").isEmpty();
        assertThat(counters.readQuorumFailures.sum()).isEqualTo(1);
    }

    @Test
    void quorum_fetchReturnsOlderThanAnnounced_askedReplicaAlsoOlder_failsRatherThanReturnOlder() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, false));
        transport.answerRecord(2, Optional.empty());
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "read 2", "read 3");
        transport.answerRecord(3, Optional.of(live(V1)));
        assertThat(failure(f)).isInstanceOf(QuorumUnavailableException.class);
    }

    @Test
    void quorum_twoReplicasAnnounceTheNewestVersion_aFailedFetchMovesToTheOther() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 3);
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "version 3");
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, false));
        transport.answerVersion(2, ReadReply.versionOnly(V2, false));
        transport.fail(3);
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "version 3", "read 2", "read 3");
        transport.answerRecord(4, Optional.of(live(V2)));
        assertThat(done(f).record()).contains(live(V2));
        assertThat(done(f).replicasAnswered()).isEqualTo(3);
        assertThat(transport.repairs).containsExactly("repair 1 " + V2);
    }

    @Test
    void quorum_replicaThatAnswersAVersionOnlyReadInFull_isTakenAsAWholeAnswer_withoutAFetch() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.of(Optional.of(live(V2))));
        assertThat(done(f).record()).contains(live(V2));
        assertThat(transport.calls()).containsExactly("read 1", "version 2");
        assertThat(transport.repairs).containsExactly("repair 1 " + V2);
        assertThat(counters.digestFetches.sum()).isZero();
    }

    @Test
    void quorum_remoteVersions_moveTheCoordinatorsClockPastThem() throws Exception {
        long ahead = (System.currentTimeMillis() + 3_600_000L) << HybridClock.LOGICAL_BITS;
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(new Version(ahead, 2), false));
        assertThat(clock.now()).as("observed from a version-only answer").isGreaterThan(ahead);
        transport.answerRecord(2, Optional.of(live(new Version(ahead, 2))));
        assertThat(done(f).record().orElseThrow().version().hlc()).isEqualTo(ahead);
    }

    @Test
    void hedge_whileTheRecordReplicaIsSlow_asksTheNextReplicaForTheRecord() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2, Duration.ofMillis(5));
        transport.answerVersion(1, ReadReply.versionOnly(V1, false));
        scheduler.runHedge();
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "read 3");
        assertThat(counters.hedgedReads.sum()).isEqualTo(1);
        transport.answerRecord(2, Optional.of(live(V1)));
        assertThat(done(f).record()).contains(live(V1));
    }

    @Test
    void hedge_onceTheRecordAnswered_asksOnlyForAVersion_andALateOlderAnswerIsRepaired() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2, Duration.ofMillis(5));
        transport.answerRecord(0, Optional.of(live(V2)));
        scheduler.runHedge();
        assertThat(transport.calls()).containsExactly("read 1", "version 2", "version 3");
        transport.answerVersion(2, ReadReply.versionOnly(V2, false));
        assertThat(done(f).record()).contains(live(V2));
        assertThat(transport.repairs).isEmpty();
        transport.answerVersion(1, ReadReply.versionOnly(V1, false));
        assertThat(transport.repairs).as("the slow replica answered older after the read completed")
                .containsExactly("repair 2 " + V2);
    }

    @Test
    void deadline_whileTheFetchIsOut_failsWithQuorumUnavailable() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 2);
        transport.answerRecord(0, Optional.of(live(V1)));
        transport.answerVersion(1, ReadReply.versionOnly(V2, false));
        scheduler.runDeadline();
        assertThat(failure(f)).isInstanceOf(QuorumUnavailableException.class).hasMessageContaining("could not fetch");
        transport.answerRecord(2, Optional.of(live(V2)));
        assertThat(transport.repairs).as("a failed read repairs nothing").isEmpty();
    }

    @Test
    void one_asksOnlyTheFirstReplica_forTheRecord() throws Exception {
        CompletableFuture<ReadResult> f = read(List.of(1, 2, 3), 1);
        assertThat(transport.calls()).containsExactly("read 1");
        transport.answerRecord(0, Optional.of(live(V1)));
        assertThat(done(f).record()).contains(live(V1));
    }

    /** A store no test path touches: the coordinator is not a replica, so it never reads or repairs itself. */
    private static TieredStore unusedStore() {
        return (TieredStore) Proxy.newProxyInstance(TieredStore.class.getClassLoader(), new Class<?>[] {TieredStore.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Records reads (full and version-only) and repairs; the test completes each read's future by its index. */
    private static final class ScriptedTransport implements ReplicaTransport {
        private final List<String> calls = new ArrayList<>();
        private final List<CompletableFuture<?>> futures = new ArrayList<>();
        final List<String> repairs = new ArrayList<>();

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }

        @SuppressWarnings("unchecked")
        void answerRecord(int call, Optional<StoredRecord> record) {
            assertThat(calls()).as("calls").hasSizeGreaterThan(call);
            assertThat(calls().get(call)).startsWith("read ");
            ((CompletableFuture<Optional<StoredRecord>>) futures.get(call)).complete(record);
        }

        @SuppressWarnings("unchecked")
        void answerVersion(int call, ReadReply reply) {
            assertThat(calls().get(call)).startsWith("version ");
            ((CompletableFuture<ReadReply>) futures.get(call)).complete(reply);
        }

        void fail(int call) {
            futures.get(call).completeExceptionally(new ReplicaUnavailableException(call, "scripted failure"));
        }

        private synchronized <T> CompletableFuture<T> record(String call) {
            CompletableFuture<T> f = new CompletableFuture<>();
            calls.add(call);
            futures.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
            return record("read " + target);
        }

        @Override
        public CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key) {
            return record("version " + target);
        }

        @Override
        public synchronized CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition,
                                                                        StoredRecord record) {
            repairs.add("repair " + target + " " + record.version());
            return CompletableFuture.completedFuture(new ReplicateReply(true, record.version()));
        }

        @Override
        public CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition, long bucketMask) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<PingReply> ping(int target, Caller from, long hlc) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    /**
     * Keeps scheduled tasks for the test to run: a read schedules its deadline (the first task), then its hedge if it
     * has one; the transport's per-call deadlines follow and are never run.
     */
    private static final class ManualScheduler implements Scheduler {
        private final List<Runnable> tasks = new ArrayList<>();

        @Override
        public synchronized Cancellable schedule(Runnable task, long delayNs) {
            tasks.add(task);
            return () -> { };
        }

        @Override
        public long nanoTime() {
            return 0;
        }

        private synchronized Runnable task(int i) {
            return tasks.get(i);
        }

        void runDeadline() {
            task(0).run();
        }

        void runHedge() {
            task(1).run();
        }
    }
}
