package io.mnemo.node.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mnemo.node.cluster.membership.LocalServices;
import io.mnemo.node.replication.ReplicaPlacement;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.TierCounts;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.node.storage.UnknownSpaceException;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.ErrorDetail;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Recall by cue and counts on one node: the local top-k, its validation and its partition filter. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalQueriesTest {
    private static final String SPACE = "cue";
    private static final int DIM = 4;
    private static final int PARTITIONS = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private TieredStore store;
    private ClusterQueries queries;

    @BeforeEach
    void open() {
        store = TieredStores.open(StorageConfig.builder(dir).partitions(PARTITIONS).entriesPerSegment(512)
                .averageValueBytes(256).build());
        store.createSpace(SpaceConfig.of(SPACE, DIM));
        queries = oneNode(store, topology("1"));
    }

    @AfterEach
    void close() {
        queries.close();
        store.close();
    }

    static Topology topology(String... members) {
        List<Member> list = new ArrayList<>();
        for (String m : members) {
            list.add(Member.of(m, "127.0.0.1:" + (7000 + Integer.parseInt(m)), 1, null));
        }
        return Topology.of(1, PARTITIONS, 1, list);
    }

    private static ClusterQueries oneNode(TieredStore store, Topology t) {
        ReplicaPlacement placement = Placements.of(t);
        LocalServices services = new LocalServices()
                .register(LocalQueries.class, new LocalQueries(1, store, () -> placement));
        return new ClusterQueries(services, () -> placement, () -> java.util.Set.of("1"), () -> null, 1);
    }

    private void put(String id, float confidence, float... embedding) {
        store.store(Memory.builder(SPACE, id).embedding(embedding).confidence(confidence).createdAtNs(1).build());
    }

    private ClusterQueries.CueOutcome cue(int k, float minConfidence, float... cue) {
        return queries.recallByCue(SPACE, cue, k, minConfidence, List.of(), TIMEOUT).join();
    }

    private static List<String> ids(ClusterQueries.CueOutcome o) {
        return o.hits().stream().map(CueHit::id).toList();
    }

    @Test
    void recallByCue_kLargerThanData_returnsEveryLiveMemoryBestFirst() {
        put("same", 1f, 1, 0, 0, 0);
        put("near", 1f, 1, 1, 0, 0);
        put("orthogonal", 1f, 0, 0, 1, 0);
        put("opposite", 1f, -2, 0, 0, 0);

        ClusterQueries.CueOutcome o = cue(10, 0f, 3, 0, 0, 0);

        assertThat(ids(o)).containsExactly("same", "near", "orthogonal", "opposite");
        float[] expected = {1f, (float) (1 / Math.sqrt(2)), 0f, -1f};
        for (int i = 0; i < expected.length; i++) {
            assertThat(o.hits().get(i).similarity()).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6f));
        }
        assertThat(o.complete()).isTrue();
        assertThat(o.answered()).isEqualTo(PARTITIONS);
        assertThat(o.asked()).isEqualTo(PARTITIONS);
        assertThat(o.hits().get(0).memory().embedding()).containsExactly(1, 0, 0, 0);
    }

    @Test
    void recallByCue_equalSimilarities_areOrderedByIdAndTheCutKeepsTheSmallestIds() {
        for (String id : List.of("d", "b", "e", "a", "c")) {
            put(id, 1f, 0, 2, 0, 0);
        }
        put("best", 1f, 0, 1, 0.01f, 0);

        assertThat(ids(cue(10, 0f, 0, 1, 0, 0))).containsExactly("a", "b", "c", "d", "e", "best");
        assertThat(ids(cue(3, 0f, 0, 1, 0, 0))).containsExactly("a", "b", "c");
    }

    @Test
    void recallByCue_minConfidence_keepsOnlyMemoriesAtOrAboveIt() {
        put("low", 0.49f, 1, 0, 0, 0);
        put("edge", 0.5f, 1, 0, 0, 0);
        put("high", 0.9f, 0, 1, 0, 0);

        assertThat(ids(cue(10, 0.5f, 1, 0, 0, 0))).containsExactly("edge", "high");
        assertThat(ids(cue(10, 1f, 1, 0, 0, 0))).isEmpty();
    }

    @Test
    void recallByCue_removedMemory_isNeverAHit() {
        put("kept", 1f, 1, 0, 0, 0);
        put("removed", 1f, 1, 0, 0, 0);
        store.remove(SPACE, "removed");

        assertThat(ids(cue(10, 0f, 1, 0, 0, 0))).containsExactly("kept");
    }

    @Test
    void recallByCue_emptySpace_answersCompleteWithNoHits() {
        ClusterQueries.CueOutcome o = cue(5, 0f, 1, 2, 3, 4);
        assertThat(o.hits()).isEmpty();
        assertThat(o.complete()).isTrue();
    }

    @Test
    void recallByCue_zeroNormMemory_isNeverAHit() {
        put("zero", 1f, 0, 0, 0, 0);
        put("one", 1f, 0, 0, 0, 1);
        assertThat(ids(cue(10, 0f, 0, 0, 0, 1))).containsExactly("one");
    }

    @Test
    void recallByCue_doesNotTouchAccessStatistics() {
        put("m", 1f, 1, 0, 0, 0);
        long before = store.read(SPACE, "m").orElseThrow().memory().orElseThrow().accessCount();
        cue(1, 0f, 1, 0, 0, 0);
        assertThat(store.read(SPACE, "m").orElseThrow().memory().orElseThrow().accessCount()).isEqualTo(before);
    }

    @Test
    void recallByCue_randomData_equalsABruteForceRanking() {
        long seed = System.nanoTime();
        System.out.println("LocalQueriesTest seed " + seed);
        Random r = new Random(seed);
        List<Memory> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            float[] e = {r.nextFloat() - 0.5f, r.nextFloat() - 0.5f, r.nextFloat() - 0.5f, r.nextFloat() - 0.5f};
            Memory m = Memory.builder(SPACE, "m" + i).embedding(e).confidence(r.nextFloat()).createdAtNs(1).build();
            store.store(m);
            all.add(m);
        }
        float[] c = {r.nextFloat() - 0.5f, r.nextFloat() - 0.5f, r.nextFloat() - 0.5f, r.nextFloat() - 0.5f};
        float min = 0.3f;
        CueQuery q = CueQuery.validate(SpaceConfig.of(SPACE, DIM), c, 1, min);
        List<String> expected = all.stream().filter(m -> m.confidence() >= min)
                .map(m -> CueHit.of(m, q.similarity(m))).sorted(CueHit.BEST_FIRST).limit(17).map(CueHit::id).toList();

        assertThat(ids(cue(17, min, c))).as("seed " + seed).isEqualTo(expected);
    }

    @Test
    void recallByCue_invalidInput_isInvalidArgumentNamingTheField() {
        assertInvalid(() -> cue(1, 0f, 1, 0, 0), "cue", "4");
        assertInvalid(() -> cue(1, 0f, 0, 0, 0, 0), "cue", "a non-zero vector");
        assertInvalid(() -> cue(1, 0f, 1, Float.NaN, 0, 0), "cue[1]", "finite");
        assertInvalid(() -> cue(0, 0f, 1, 0, 0, 0), "k", "1.." + CueQuery.MAX_K);
        assertInvalid(() -> cue(CueQuery.MAX_K + 1, 0f, 1, 0, 0, 0), "k", "1.." + CueQuery.MAX_K);
        assertInvalid(() -> cue(1, 1.5f, 1, 0, 0, 0), "min_confidence", "[0, 1]");
        assertInvalid(() -> queries.recallByCue(SPACE, new float[] {1, 0, 0, 0}, 1, 0f, List.of(3, PARTITIONS), TIMEOUT),
                "partitions[1]", "0.." + (PARTITIONS - 1));
        assertThatThrownBy(() -> queries.recallByCue("nope", new float[] {1, 0, 0, 0}, 1, 0f, List.of(), TIMEOUT))
                .isInstanceOf(UnknownSpaceException.class);
    }

    private static void assertInvalid(Runnable call, String field, String limit) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            ErrorDetail d = Errors.detailOf(e).orElseThrow();
            assertThat(d.getInvalidArgument().getField()).isEqualTo(field);
            assertThat(d.getInvalidArgument().getLimit()).isEqualTo(limit);
        });
    }

    @Test
    void recallByCue_someOfThePartitions_searchesOnlyThose() {
        for (int i = 0; i < 40; i++) {
            put("m" + i, 1f, 1, i, 0, 0);
        }
        int partition = topology("1").partitionOf(SPACE, "m7");
        ClusterQueries.CueOutcome o = queries.recallByCue(SPACE, new float[] {1, 0, 0, 0}, 100, 0f,
                List.of(partition, partition), TIMEOUT).join();
        assertThat(o.asked()).isEqualTo(1);
        assertThat(o.complete()).isTrue();
        assertThat(ids(o)).contains("m7")
                .allSatisfy(id -> assertThat(topology("1").partitionOf(SPACE, id)).isEqualTo(partition));
    }

    @Test
    void searchCue_partitionsThisNodeDoesNotReplicate_areLeftOutOfTheAnswer() {
        Topology two = topology("1", "2");
        for (int i = 0; i < 40; i++) {
            put("m" + i, 1f, 1, i, 0, 0);
        }
        ReplicaPlacement placement = Placements.of(two);
        LocalQueries local = new LocalQueries(1, store, () -> placement);
        int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
        CueShard shard = local.searchCue(CueQuery.validate(SpaceConfig.of(SPACE, DIM), new float[] {1, 0, 0, 0}, 100, 0f),
                all, TimeUnit.SECONDS.toNanos(30));

        List<Integer> mine = new ArrayList<>();
        for (int p : all) {
            if (two.replicas(p).get(0).id().equals("1")) {
                mine.add(p);
            }
        }
        assertThat(shard.answered()).containsExactly(mine.stream().mapToInt(Integer::intValue).toArray());
        assertThat(shard.hits()).extracting(h -> two.partitionOf(SPACE, h.id())).allMatch(mine::contains);
    }

    @Test
    void counts_ofSomePartitions_sumToTheNodeTotal() {
        for (int i = 0; i < 50; i++) {
            put("m" + i, 1f, 1, i, 0, 0);
        }
        store.remove(SPACE, "m3");
        TierCounts total = store.counts();
        long warm = 0;
        long tombstones = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            int only = p;
            TierCounts c = store.counts(x -> x == only);
            warm += c.warm(SPACE);
            tombstones += c.tombstones(SPACE);
        }
        assertThat(warm).isEqualTo(total.warm(SPACE)).isEqualTo(49);
        assertThat(tombstones).isEqualTo(1);

        ClusterQueries.CountsOutcome o = queries.counts(SPACE, TIMEOUT).join();
        assertThat(o.complete()).isTrue();
        assertThat(o.spaces().get(SPACE)[1]).isEqualTo(49);
        assertThat(o.spaces().get(SPACE)[2]).isEqualTo(1);
        assertThatThrownBy(() -> queries.counts("nope", TIMEOUT)).isInstanceOf(UnknownSpaceException.class);
    }

    @Test
    void topK_keepsTheBestInOrder() {
        TopK top = new TopK(2);
        Comparator<CueHit> order = CueHit.BEST_FIRST;
        assertThat(order).isNotNull();
        top.offer(CueHit.of(Memory.builder(SPACE, "x").embedding(new float[] {1}).build(), 0.1f));
        top.offer(CueHit.of(Memory.builder(SPACE, "y").embedding(new float[] {1}).build(), 0.9f));
        top.offer(CueHit.of(Memory.builder(SPACE, "z").embedding(new float[] {1}).build(), 0.5f));
        assertThat(top.bestFirst()).extracting(CueHit::id).containsExactly("y", "z");
        assertThat(top.admits(0.5f, SPACE, "a")).isTrue();
        assertThat(top.admits(0.5f, SPACE, "zz")).isFalse();
    }
}
