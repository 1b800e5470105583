package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
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

    private static LocalCluster cluster;
    private static MnemoClient client;
    private static final List<Memory> STORED = new ArrayList<>();

    @BeforeAll
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        long seed = System.nanoTime();
        System.out.println("RecallByCueClusterTest port seed " + seed);
        int base = LocalCluster.findFreeBasePort(new Random(seed), NODES);
        // Small warm-tier files and few partitions: each node preallocates the files of the partitions it owns.
        cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, NODES)
                .withSetting("mnemo.replication.factor", "2")
                .withSetting("mnemo.cluster.partitions", "16")
                .withSetting("mnemo.storage.warm.entries-per-partition", "256")
                .withSetting("mnemo.storage.warm.average-value-size", "1KiB");
        try {
            cluster.startAll(Duration.ofSeconds(120));
            awaitFullTopology(Duration.ofSeconds(60));
            List<String> seeds = new ArrayList<>();
            for (int i = 1; i <= NODES; i++) {
                seeds.add(cluster.endpoint(i));
            }
            client = MnemoClient.builder().seeds(seeds).defaultSpace(SPACE).requestTimeout(CALL_TIMEOUT)
                    .retryPolicy(RetryPolicy.of(8, Duration.ofMillis(25), Duration.ofMillis(500)).withSeed(seed))
                    .build();
            await(Duration.ofSeconds(60), () -> {
                try {
                    client.createSpace(new SpaceInfo(SPACE, DIM, 0, 0));
                    return true;
                } catch (UnavailableException | MnemoTimeoutException e) {
                    System.out.println("createSpace failed, retrying: " + e);
                    return false;
                }
            });
            // Every node must have applied the space before it can answer its share.
            await(Duration.ofSeconds(30), () -> {
                try {
                    return client.listSpaces().stream().anyMatch(s -> s.name().equals(SPACE));
                } catch (MnemoException notYet) {
                    return false;
                }
            });
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
        } catch (Exception | AssertionError e) {
            stopAll();
            throw e;
        }
    }

    @AfterAll
    static void stopAll() {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
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
        cluster.kill(VICTIM);
        assertThat(cluster.isAlive(VICTIM)).isFalse();
        float[] cue = vector(2000);
        List<CueResult> results = new ArrayList<>();
        // Right after the kill a share sent to the dead node fails and is retried on the other replica; an answer
        // may still be partial while the cluster notices, and must then say so truthfully.
        await(Duration.ofSeconds(45), () -> {
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
        await(Duration.ofSeconds(30), () -> {
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

    private static void awaitFullTopology(Duration timeout) {
        await(timeout, () -> {
            java.util.Set<Long> epochs = new java.util.HashSet<>();
            for (int i = 1; i <= NODES; i++) {
                ManagedChannel channel = NettyChannelBuilder.forTarget(cluster.endpoint(i)).usePlaintext().build();
                try {
                    TopologyResponse t = MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                            .topology(TopologyRequest.getDefaultInstance());
                    if (!t.hasTopology() || t.getTopology().getMembersCount() != NODES) {
                        return false;
                    }
                    epochs.add(t.getTopology().getEpoch());
                } catch (StatusRuntimeException notYet) {
                    return false;
                } finally {
                    channel.shutdownNow();
                }
            }
            return epochs.size() == 1;
        });
    }

    /** Waits for {@code condition}, checking every 100 ms, and fails when {@code timeout} passes first. */
    private static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
        }
    }
}
