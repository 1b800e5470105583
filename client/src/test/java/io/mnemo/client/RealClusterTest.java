package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.cli.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
 * {@link MnemoClient} against a real three-node cluster: three node JVMs on 127.0.0.1, started once for the class
 * by the CLI's own launcher ({@link LocalCluster}) from this test class path. The tests share the cluster and run
 * in order; the last one kills a node with SIGKILL, so it must stay last.
 *
 * <p>The cluster has RF 3 on 3 nodes (the launcher's configuration), so every node replicates every partition: the
 * routing test shows the client never lands on a non-owner and that each keyed call is coordinated exactly once,
 * not that it picks among owners and non-owners (a cluster with non-owners needs RF below the node count, which
 * the launcher cannot configure yet, and would lose write quorum for some partitions in the kill test).
 *
 * <p>Scan resume across replicas: the node's resume token ({@code v1.<partition>.<base64 key>}, see the storage
 * scan cursor) names the partition and the last key returned, not a file position, so it is valid on every replica
 * of the partition; the kill test resumes on another node and checks that no memory is repeated or skipped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealClusterTest {
    private static final int NODES = 3;
    private static final int DIM = 8;
    private static final String SPACE = "real";
    private static final String BATCH_SPACE = "batch";
    private static final int BATCH = 10_000;
    /** Generous: the test machine's two cores are shared with other builds, and a slow node is not a failure. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    /** Kept when a test fails: the nodes' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    @RegisterExtension
    static final RealCluster CLUSTER = new RealCluster("RealClusterTest", NODES);
    private static ClusterProbe probe;
    private static MnemoClient client;
    /** Attempts the client retried (any call): a retried keyed call may be coordinated twice. */
    private static final AtomicInteger RETRIES = new AtomicInteger();

    @BeforeAll
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        CLUSTER.start(dir, NODES, Duration.ofSeconds(120), Duration.ofSeconds(60));
        client = CLUSTER.client(b -> b
                .defaultSpace(SPACE)
                .requestTimeout(CALL_TIMEOUT)
                .listener(new ClientListener() {
                    @Override
                    public void retrying(Operation operation, int attempt, Duration backoff, Throwable cause) {
                        RETRIES.incrementAndGet();
                        System.out.println("retrying " + operation + " attempt " + attempt + ": " + cause);
                    }
                })
                // Enough attempts to ride out a node's death: the dead node's connection fails fast.
                .retryPolicy(RetryPolicy.of(8, Duration.ofMillis(25), Duration.ofMillis(500)).withSeed(CLUSTER.seed())));
        probe = CLUSTER.probe();
        CLUSTER.createSpace(client, new SpaceInfo(SPACE, DIM, 0, 0), Duration.ofSeconds(30));
        CLUSTER.createSpace(client, new SpaceInfo(BATCH_SPACE, DIM, 0, 0), Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void storeRecallRemove_roundTrip_keepsAbsentAndEmptyContentApart() {
        Memory withContent = memory("rt-full", 1).content("met Ada at the station").confidence(0.75f).build();
        Memory emptyContent = memory("rt-empty", 2).content("").build();
        Memory noContent = memory("rt-none", 3).noContent().build();
        for (Memory m : List.of(withContent, emptyContent, noContent)) {
            assertThat(client.store(m)).isNotNull();
        }

        Memory full = client.recall("rt-full").orElseThrow();
        assertThat(full.content()).contains("met Ada at the station");
        assertThat(full.embedding()).containsExactly(vector(1));
        assertThat(full.confidence()).isEqualTo(0.75f);
        assertThat(full.version()).isPresent();
        assertThat(client.recall("rt-empty").orElseThrow().content()).contains("");
        assertThat(client.recall("rt-none").orElseThrow().content()).isEmpty();

        assertThat(client.remove("rt-full")).isTrue();
        assertThat(client.recall(SPACE, "rt-full", quorum())).isEmpty();
        assertThat(client.remove("rt-full")).isFalse();
        assertThat(client.recall(SPACE, "never-stored", quorum())).isEmpty();

        Version v1 = client.store(memory("rt-again", 4).content("one").build());
        Version v2 = client.store(memory("rt-again", 5).content("two").build());
        assertThat(v2).isNotEqualTo(v1);
        Memory again = client.recall(SPACE, "rt-again", quorum()).orElseThrow();
        assertThat(again.content()).contains("two");
        assertThat(again.embedding()).containsExactly(vector(5));
    }

    @Test
    @Order(2)
    void keyedCalls_goStraightToOwners_eachCoordinatedOnce() throws Exception {
        List<Integer> nodes = List.of(1, 2, 3);
        long[] before = probe.clientCounters(nodes);
        int retriesBefore = RETRIES.get();
        int n = 0;
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pending.add(client.storeAsync(memory("route-" + i, i).content("r" + i).build(), CallOptions.defaults()));
            n++;
        }
        join(pending);
        for (int i = 0; i < 100; i++) {
            pending.add(client.recallAsync(SPACE, "route-" + i, CallOptions.defaults())
                    .thenAccept(m -> assertThat(m).isPresent()));
            n++;
        }
        for (int i = 100; i < 150; i++) {
            pending.add(client.removeAsync(SPACE, "route-" + i, CallOptions.defaults())
                    .thenAccept(existed -> assertThat(existed).isFalse()));
            n++;
        }
        join(pending);
        int calls = n;
        int retries = RETRIES.get() - retriesBefore;
        // Each attempt that reached a node is counted there when it completes; an attempt the client gave up on
        // (and retried) may complete a moment later, so wait for the count to settle at calls + retries.
        long[] totals = new long[2];
        try {
            ClusterProbe.await(Duration.ofSeconds(20), () -> {
                long[] after = probe.clientCounters(nodes);
                totals[0] = after[0] - before[0];
                totals[1] = after[1] - before[1];
                return totals[0] >= calls + RETRIES.get() - retriesBefore;
            });
        } finally {
            System.out.println("keyed calls " + calls + ", retried attempts " + retries + ", coordinated " + totals[0]
                    + ", refused as wrong owner " + totals[1]);
        }
        assertThat(totals[1]).as("calls refused as wrong owner").isZero();
        assertThat(totals[0]).as("attempts coordinated across nodes (calls + retries)")
                .isEqualTo(calls + RETRIES.get() - retriesBefore);
    }

    @Test
    @Order(3)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void storeAll_tenThousand_groupedByOwner_perItemResults() {
        List<Memory> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(memory("b-" + i, i).space(BATCH_SPACE).content("batch " + i).build());
        }
        // An invalid item (wrong dimension) fails alone, with its own result.
        batch.add(Memory.builder().space(BATCH_SPACE).id("b-bad").embedding(new float[DIM + 1]).build());
        List<StoreResult> results = client.storeAllAsync(batch).orTimeout(100, TimeUnit.SECONDS).join();

        assertThat(results).hasSize(BATCH + 1);
        for (int i = 0; i < BATCH; i++) {
            StoreResult r = results.get(i);
            assertThat(r.index()).isEqualTo(i);
            assertThat(r.id()).isEqualTo("b-" + i);
            assertThat(r.isStored()).as("item %d: %s", i, r.error()).isTrue();
        }
        StoreResult bad = results.get(BATCH);
        assertThat(bad.isStored()).isFalse();
        assertThat(bad.error()).get().isInstanceOf(InvalidArgumentException.class);
        assertThat(client.recall(BATCH_SPACE, "b-9999", quorum()).orElseThrow().content()).contains("batch 9999");
        assertThat(client.recall(BATCH_SPACE, "b-bad", quorum())).isEmpty();
    }

    @Test
    @Order(4)
    void scan_returnsEveryMemoryExactlyOnce() {
        // A scan reads one replica's local store; a write acknowledged by the other two of the quorum reaches it a
        // moment later (hints), so scan until the replica has caught up. Every pass must repeat no memory.
        Map<String, Integer> seen = new HashMap<>();
        int[] passes = {0};
        ClusterProbe.await(Duration.ofSeconds(40), () -> {
            seen.clear();
            passes[0]++;
            try (Stream<Memory> all = client.scan(BATCH_SPACE, ScanOptions.defaults().withChunkSize(500)
                    .withStreamTimeout(Duration.ofSeconds(30)))) {
                all.forEach(m -> {
                    seen.merge(m.id(), 1, Integer::sum);
                    assertThat(m.content()).contains("batch " + m.id().substring(2));
                });
            }
            assertThat(seen.values()).as("times each memory was returned").containsOnly(1);
            return seen.size() == BATCH;
        });
        System.out.println("scan complete after " + passes[0] + " pass(es)");
        assertExactlyOnce(seen);
    }

    /** Every batch id seen exactly once; the message names a few offenders rather than 10K entries. */
    private static void assertExactlyOnce(Map<String, Integer> seen) {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < BATCH && missing.size() < 10; i++) {
            if (!seen.containsKey("b-" + i)) {
                missing.add("b-" + i);
            }
        }
        List<String> repeated = seen.entrySet().stream().filter(e -> e.getValue() != 1).limit(10)
                .map(e -> e.getKey() + " x" + e.getValue()).toList();
        assertThat(missing).as("some missing ids of %d seen", seen.size()).isEmpty();
        assertThat(repeated).as("ids returned more than once").isEmpty();
        assertThat(seen).as("scanned ids").hasSize(BATCH);
    }

    @Test
    @Order(5)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void nodeKilledMidWorkloadAndMidScan_callsSucceed_scanResumesElsewhere() throws Exception {
        long[] scansBefore = scanCounters();
        Iterator<Memory> scan;
        Stream<Memory> scanStream = client.scan(BATCH_SPACE, ScanOptions.defaults().withChunkSize(50)
                .withStreamTimeout(Duration.ofSeconds(60)));
        Map<String, Integer> scanned = new HashMap<>();
        Workload workload = new Workload("kill", client, SPACE, i -> memory("w-" + i, i).content("workload " + i).build());
        try {
            scan = scanStream.iterator();
            for (int i = 0; i < 500; i++) {
                scanned.merge(scan.next().id(), 1, Integer::sum);
            }
            int serving = servingNode(scansBefore, scanCounters());
            System.out.println("scan served by node " + serving + "; killing it mid-workload and mid-scan");

            workload.start();
            workload.awaitOps(50, Duration.ofSeconds(20));
            int atKill = workload.done.get();
            CLUSTER.killNode(serving);
            assertThat(CLUSTER.nodes().isAlive(serving)).isFalse();
            workload.awaitOps(atKill + 200, Duration.ofSeconds(45));

            scan.forEachRemaining(m -> scanned.merge(m.id(), 1, Integer::sum));
        } finally {
            workload.stop();
            scanStream.close();
        }

        workload.check();
        assertExactlyOnce(scanned);
    }

    // ---- helpers ----

    private static Memory.Builder memory(String id, int seed) {
        return Memory.builder().id(id).embedding(vector(seed));
    }

    private static float[] vector(int seed) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) Math.sin(seed * 31.0 + i);
        }
        return v;
    }

    private static void join(List<CompletableFuture<?>> calls) {
        CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static CallOptions quorum() {
        return CallOptions.defaults().withConsistency(Consistency.QUORUM);
    }

    /** The node whose scan count rose (exactly one must have). */
    private static int servingNode(long[] before, long[] after) {
        int serving = -1;
        for (int i = 1; i <= NODES; i++) {
            if (after[i] > before[i]) {
                assertThat(serving).as("more than one node opened a scan").isEqualTo(-1);
                serving = i;
            }
        }
        assertThat(serving).as("no node opened the scan").isPositive();
        return serving;
    }

    /** {@code mnemo_client_scans_total} of each node, indexed by node id. */
    private static long[] scanCounters() {
        long[] out = new long[NODES + 1];
        for (int i = 1; i <= NODES; i++) {
            out[i] = (long) ClusterProbe.metric(probe.scrape(i), "mnemo_client_scans_total");
        }
        return out;
    }
}
