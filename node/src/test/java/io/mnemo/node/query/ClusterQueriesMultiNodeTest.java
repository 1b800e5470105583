package io.mnemo.node.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.cluster.membership.BroadcastResult;
import io.mnemo.node.cluster.membership.ClusterCompute;
import io.mnemo.node.cluster.membership.ClusterJob;
import io.mnemo.node.cluster.membership.LocalServices;
import io.mnemo.node.cluster.membership.NodeContext;
import io.mnemo.node.replication.ReplicaPlacement;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in this JVM, each with its own store, {@link LocalQueries} and {@link ClusterQueries}, over a compute
 * grid fake that ships every job and answer through Java serialization (as the real grid must) and can make a node
 * fail its jobs or never answer. RF 2 over 3 nodes, so every memory has two copies and a third node without one:
 * recall by cue must return each memory once and counts must not count the copies twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterQueriesMultiNodeTest {
    private static final String SPACE = "multi";
    private static final int DIM = 8;
    private static final int PARTITIONS = 16;
    private static final int MEMORIES = 300;
    private static final List<String> IDS = List.of("1", "2", "3");

    /** Static: with one test instance per class, JUnit fills instance fields too late for {@code @BeforeAll}. */
    @TempDir
    static Path dir;
    private Topology topology;
    private ReplicaPlacement placement;
    private final Map<String, TieredStore> stores = new HashMap<>();
    private final Map<String, NodeContext> contexts = new HashMap<>();
    private final Map<String, ClusterQueries> queries = new HashMap<>();
    private final List<Memory> all = new ArrayList<>();
    /** Nodes whose jobs fail at once, and nodes whose jobs never answer. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> hanging = ConcurrentHashMap.newKeySet();
    private final Random random = new Random();

    @BeforeAll
    void startNodes() {
        long seed = System.nanoTime();
        System.out.println("ClusterQueriesMultiNodeTest seed " + seed);
        random.setSeed(seed);
        List<Member> members = new ArrayList<>();
        for (String id : IDS) {
            members.add(Member.of(id, "127.0.0.1:" + (7000 + Integer.parseInt(id)), 1, null));
        }
        topology = Topology.of(1, PARTITIONS, 2, members);
        placement = Placements.of(topology);
        ClusterCompute compute = new FakeCompute();
        for (String id : IDS) {
            TieredStore store = TieredStores.open(StorageConfig.builder(dir.resolve("node-" + id)).partitions(PARTITIONS)
                    .entriesPerSegment(512).averageValueBytes(256).build());
            store.createSpace(SpaceConfig.of(SPACE, DIM));
            stores.put(id, store);
            LocalServices services = new LocalServices()
                    .register(LocalQueries.class, new LocalQueries(Integer.parseInt(id), store, () -> placement));
            contexts.put(id, new NodeContext(id, services));
            queries.put(id, new ClusterQueries(services, () -> placement, () -> Set.copyOf(IDS), () -> compute, 2));
        }
        for (int i = 0; i < MEMORIES; i++) {
            float[] e = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                e[d] = random.nextFloat() * 2 - 1;
            }
            Memory m = Memory.builder(SPACE, "m" + i).embedding(e).confidence(random.nextFloat()).createdAtNs(1).build();
            List<Member> replicas = topology.replicasOf(SPACE, m.id());
            TieredStore first = stores.get(replicas.get(0).id());
            first.store(m);
            StoredRecord stored = first.read(SPACE, m.id()).orElseThrow();
            for (Member r : replicas.subList(1, replicas.size())) {
                stores.get(r.id()).apply(stored);
            }
            all.add(stored.memory().orElseThrow());
        }
    }

    @AfterEach
    void heal() {
        failing.clear();
        hanging.clear();
    }

    @AfterAll
    void stopNodes() {
        queries.values().forEach(ClusterQueries::close);
        stores.values().forEach(TieredStore::close);
    }

    private float[] randomCue() {
        float[] c = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            c[d] = random.nextFloat() * 2 - 1;
        }
        return c;
    }

    /** The expected answer: every memory of the partitions {@code in}, ranked by brute force. */
    private List<String> bruteForce(float[] cue, int k, float minConfidence, IntPredicate in) {
        CueQuery q = CueQuery.validate(SpaceConfig.of(SPACE, DIM), cue, k, minConfidence);
        return all.stream().filter(m -> m.confidence() >= minConfidence)
                .filter(m -> in.test(topology.partitionOf(SPACE, m.id())))
                .map(m -> CueHit.of(m, q.similarity(m))).sorted(CueHit.BEST_FIRST).limit(k).map(CueHit::id).toList();
    }

    private static List<String> ids(ClusterQueries.CueOutcome o) {
        return o.hits().stream().map(CueHit::id).toList();
    }

    @Test
    void recallByCue_allNodesUp_everyCoordinatorReturnsTheBruteForceTopKOnce() {
        for (String coordinator : IDS) {
            float[] cue = randomCue();
            ClusterQueries.CueOutcome o = queries.get(coordinator)
                    .recallByCue(SPACE, cue, 12, 0.2f, List.of(), Duration.ofSeconds(30)).join();
            assertThat(o.complete()).isTrue();
            assertThat(o.answered()).isEqualTo(PARTITIONS);
            assertThat(ids(o)).isEqualTo(bruteForce(cue, 12, 0.2f, p -> true)).doesNotHaveDuplicates();
            for (int i = 1; i < o.hits().size(); i++) {
                assertThat(o.hits().get(i).similarity()).isLessThanOrEqualTo(o.hits().get(i - 1).similarity());
            }
        }
    }

    @Test
    void recallByCue_kAboveTheSpaceSize_returnsEveryMemoryExactlyOnce() {
        ClusterQueries.CueOutcome o = queries.get("2").recallByCue(SPACE, randomCue(), CueQuery.MAX_K, 0f, List.of(),
                Duration.ofSeconds(30)).join();
        assertThat(o.hits()).hasSize(MEMORIES);
        assertThat(ids(o)).doesNotHaveDuplicates();
    }

    @Test
    void counts_clusterWide_countEachMemoryOnceThoughItHasTwoCopies() {
        long copies = 0;
        for (TieredStore s : stores.values()) {
            copies += s.counts().warm(SPACE);
        }
        assertThat(copies).isEqualTo(2L * MEMORIES);
        for (String coordinator : IDS) {
            ClusterQueries.CountsOutcome o = queries.get(coordinator).counts("", Duration.ofSeconds(30)).join();
            assertThat(o.complete()).isTrue();
            assertThat(o.spaces().get(SPACE)[1]).isEqualTo(MEMORIES);
        }
    }

    @Test
    void recallByCue_oneNodeFailsItsJobs_theOtherReplicasAnswerAndTheAnswerIsComplete() {
        failing.add("3");
        float[] cue = randomCue();
        ClusterQueries.CueOutcome o = queries.get("1").recallByCue(SPACE, cue, 20, 0f, List.of(),
                Duration.ofSeconds(30)).join();
        assertThat(o.complete()).isTrue();
        assertThat(ids(o)).isEqualTo(bruteForce(cue, 20, 0f, p -> true));
        assertThat(queries.get("2").counts(SPACE, Duration.ofSeconds(30)).join().spaces().get(SPACE)[1])
                .isEqualTo(MEMORIES);
    }

    @Test
    void recallByCue_oneNodeNeverAnswers_theHedgeAnswersBeforeTheDeadline() {
        hanging.add("2");
        float[] cue = randomCue();
        long start = System.nanoTime();
        ClusterQueries.CueOutcome o = queries.get("1").recallByCue(SPACE, cue, 5, 0f, List.of(),
                Duration.ofSeconds(6)).join();
        System.out.println("hedged answer after " + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertThat(o.complete()).isTrue();
        assertThat(ids(o)).isEqualTo(bruteForce(cue, 5, 0f, p -> true));
    }

    @Test
    void recallByCue_twoOfThreeNodesDown_reportsTheUnansweredPartitionsAndTheBestOfTheRest() {
        failing.add("2");
        failing.add("3");
        float[] cue = randomCue();
        IntPredicate onNode1 = p -> topology.replicas(p).stream().anyMatch(m -> m.id().equals("1"));
        long expectedAnswered = java.util.stream.IntStream.range(0, PARTITIONS).filter(onNode1).count();
        assertThat(expectedAnswered).isLessThan(PARTITIONS);

        ClusterQueries.CueOutcome o = queries.get("1").recallByCue(SPACE, cue, 10, 0f, List.of(),
                Duration.ofSeconds(30)).join();

        assertThat(o.complete()).isFalse();
        assertThat(o.asked()).isEqualTo(PARTITIONS);
        assertThat(o.answered()).isEqualTo((int) expectedAnswered);
        assertThat(ids(o)).isEqualTo(bruteForce(cue, 10, 0f, onNode1));
        ClusterQueries.CountsOutcome c = queries.get("1").counts(SPACE, Duration.ofSeconds(30)).join();
        assertThat(c.complete()).isFalse();
        assertThat(c.answered()).isEqualTo((int) expectedAnswered);
    }

    /** Runs jobs on the in-JVM nodes, through Java serialization both ways, with the faults the test set. */
    private final class FakeCompute implements ClusterCompute {
        @Override
        public <R> BroadcastResult<R> broadcast(ClusterJob<R> job, Duration timeout) {
            throw new UnsupportedOperationException("cluster queries call members one by one");
        }

        @Override
        public <R> R call(String nodeId, ClusterJob<R> job, Duration timeout) {
            throw new UnsupportedOperationException("cluster queries call asynchronously");
        }

        @Override
        public <R> CompletableFuture<R> callAsync(String nodeId, ClusterJob<R> job, Duration timeout) {
            if (failing.contains(nodeId)) {
                return CompletableFuture.failedFuture(new IllegalStateException("node " + nodeId + " left"));
            }
            if (hanging.contains(nodeId)) {
                return new CompletableFuture<>();
            }
            @SuppressWarnings("unchecked")
            ClusterJob<R> shipped = (ClusterJob<R>) roundTrip(job);
            return CompletableFuture.supplyAsync(() -> {
                try {
                    @SuppressWarnings("unchecked")
                    R answer = (R) roundTrip(shipped.run(contexts.get(nodeId)));
                    return answer;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private static Object roundTrip(Object o) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(o);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
