package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.cli.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recall by cue and cluster-wide counts through {@link MnemoClient} against three real node processes
 * ({@link LocalCluster}) with RF 2: every memory has two copies on three nodes, so a count that summed copies would
 * be twice too large, and after one node is killed every partition still has a live replica, so the answer must be
 * complete again. The tests share the cluster and run in order; the last one kills a node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecallByCueClusterTest {
    private static final int NODES = 3;
    private static final int DIM = 8;
    private static final String SPACE = "cues";
    private static final int MEMORIES = 60;
    private static final String REMOVED = "c-5";
    private static final int VICTIM = 3;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    /** Kept when a test fails: the nodes' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    /** Small warm-tier files and few partitions: each node preallocates the files of the partitions it owns. */
    @RegisterExtension
    static final RealCluster CLUSTER = new RealCluster("RecallByCueClusterTest", NODES)
            .withSetting("mnemo.replication.factor", "2")
            .withSetting("mnemo.cluster.partitions", "16")
            .withSetting("mnemo.storage.warm.entries-per-partition", "256")
            .withSetting("mnemo.storage.warm.average-value-size", "1KiB");
    private static MnemoClient client;
    private static final List<Memory> STORED = new ArrayList<>();

    @BeforeAll
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        CLUSTER.start(dir, NODES, Duration.ofSeconds(120), Duration.ofSeconds(60));
        client = CLUSTER.client(b -> b.defaultSpace(SPACE).requestTimeout(CALL_TIMEOUT)
                .retryPolicy(RetryPolicy.of(8, Duration.ofMillis(25), Duration.ofMillis(500)).withSeed(CLUSTER.seed())));
        // Every node must have applied the space before it can answer its share.
        CLUSTER.createSpace(client, new SpaceInfo(SPACE, DIM, 0, 0), Duration.ofSeconds(60));
        List<Memory> batch = new ArrayList<>();
        for (int i = 0; i < MEMORIES; i++) {
            batch.add(Memory.builder().id("c-" + i).embedding(vector(i)).confidence(i % 2 == 0 ? 0.9f : 0.4f)
                    .content("memory " + i).build());
        }
        for (StoreResult r : client.storeAll(batch)) {
            assertThat(r.error()).as("store " + r).isEmpty();
        }
        STORED.addAll(batch);
        client.remove(REMOVED);
    }

    @Test
    @Order(1)
    void recallByCue_allNodesUp_returnsTheBruteForceTopKCompleteAndInOrder() {
        float[] cue = vector(1000);
        CueResult r = client.recallByCue(cue, 7, 0.5f);

        assertThat(r.complete()).isTrue();
        assertThat(r.partitionsAsked()).isEqualTo(16);
        assertThat(r.partitionsAnswered()).isEqualTo(16);
        assertTopK(r, cue, 7, 0.5f);
        assertThat(r.hits().get(0).memory().content()).contains("memory " + r.hits().get(0).memory().id().substring(2));
    }

    @Test
    @Order(2)
    void counts_clusterWide_countEachMemoryOnceThoughEveryMemoryHasTwoCopies() {
        Counts c = client.counts();
        assertThat(c.total().warm()).isEqualTo(MEMORIES - 1);
        assertThat(c.total().tombstones()).isEqualTo(1);
        assertThat(c.spaces().get(SPACE).warm()).isEqualTo(MEMORIES - 1);
    }

    @Test
    @Order(3)
    void killOneNode_everyPartitionStillHasALiveReplica_theAnswerIsCompleteAgain() throws Exception {
        CLUSTER.killNode(VICTIM);
        assertThat(CLUSTER.nodes().isAlive(VICTIM)).isFalse();
        float[] cue = vector(2000);
        List<CueResult> results = new ArrayList<>();
        // Right after the kill a share sent to the dead node fails and is retried on the other replica; an answer
        // may still be partial while the cluster notices, and must then say so truthfully.
        ClusterProbe.await(Duration.ofSeconds(45), () -> {
            try {
                CueResult r = client.recallByCue(cue, 10, 0f);
                results.add(r);
                assertThat(r.partitionsAnswered()).isLessThanOrEqualTo(r.partitionsAsked());
                assertThat(r.complete()).isEqualTo(r.partitionsAnswered() == r.partitionsAsked());
                return r.complete();
            } catch (UnavailableException | MnemoTimeoutException e) {
                System.out.println("recallByCue after the kill failed, retrying: " + e);
                return false;
            }
        });
        CueResult complete = results.get(results.size() - 1);
        System.out.println("after the kill: " + results.size() + " answers, partitions answered "
                + results.stream().map(r -> r.partitionsAnswered() + "/" + r.partitionsAsked()).toList());
        assertTopK(complete, cue, 10, 0f);
        ClusterProbe.await(Duration.ofSeconds(30), () -> {
            try {
                return client.counts().total().warm() == MEMORIES - 1;
            } catch (UnavailableException | MnemoTimeoutException e) {
                return false;
            }
        });
    }

    /** The hits are the brute-force top k of the stored memories, best first, similarities in order. */
    private static void assertTopK(CueResult r, float[] cue, int k, float minConfidence) {
        List<Memory> expected = STORED.stream().filter(m -> !m.id().equals(REMOVED))
                .filter(m -> m.confidence() >= minConfidence)
                .sorted(Comparator.comparingDouble((Memory m) -> -cosine(cue, m.embedding())).thenComparing(Memory::id))
                .limit(k).toList();
        assertThat(r.hits()).extracting(h -> h.memory().id()).containsExactlyElementsOf(expected.stream()
                .map(Memory::id).toList());
        for (int i = 0; i < r.hits().size(); i++) {
            assertThat((double) r.hits().get(i).similarity())
                    .isCloseTo(cosine(cue, expected.get(i).embedding()), org.assertj.core.data.Offset.offset(1e-5));
            if (i > 0) {
                assertThat(r.hits().get(i).similarity()).isLessThanOrEqualTo(r.hits().get(i - 1).similarity());
            }
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static float[] vector(int seed) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) Math.sin(seed * 31.0 + i * 1.7);
        }
        return v;
    }
}
