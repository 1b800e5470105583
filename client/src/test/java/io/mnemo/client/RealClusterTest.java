package io.mnemo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
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

    private static LocalCluster cluster;
    private static MnemoClient client;
    /** Attempts the client retried (any call): a retried keyed call may be coordinated twice. */
    private static final AtomicInteger RETRIES = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        long seed = System.nanoTime();
        System.out.println("RealClusterTest port seed " + seed);
        int base = LocalCluster.findFreeBasePort(new Random(seed), NODES);
        System.out.println("RealClusterTest base port " + base);
        // The project root holds config/jvm.options; surefire runs in the client module's directory.
        cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, NODES);
        try {
            cluster.startAll(Duration.ofSeconds(120));
            awaitFullTopology(Duration.ofSeconds(60));
            List<String> seeds = new ArrayList<>();
            for (int i = 1; i <= NODES; i++) {
                seeds.add(cluster.endpoint(i));
            }
            client = MnemoClient.builder()
                    .seeds(seeds)
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
                    .retryPolicy(RetryPolicy.of(8, Duration.ofMillis(25), Duration.ofMillis(500)).withSeed(seed))
                    .build();
            createSpaceEverywhere(new SpaceInfo(SPACE, DIM, 0, 0));
            createSpaceEverywhere(new SpaceInfo(BATCH_SPACE, DIM, 0, 0));
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
        Map<Integer, long[]> before = clientCounters();
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
            await(Duration.ofSeconds(20), () -> {
                Map<Integer, long[]> after = clientCounters();
                totals[0] = 0;
                totals[1] = 0;
                for (int i = 1; i <= NODES; i++) {
                    totals[0] += after.get(i)[0] - before.get(i)[0];
                    totals[1] += after.get(i)[1] - before.get(i)[1];
                }
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
        await(Duration.ofSeconds(40), () -> {
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
        Workload workload = new Workload();
        try {
            scan = scanStream.iterator();
            for (int i = 0; i < 500; i++) {
                scanned.merge(scan.next().id(), 1, Integer::sum);
            }
            int serving = servingNode(scansBefore, scanCounters());
            System.out.println("scan served by node " + serving + "; killing it mid-workload and mid-scan");

            workload.start();
            await(Duration.ofSeconds(20), () -> workload.done.get() >= 50 || !workload.errors.isEmpty());
            int atKill = workload.done.get();
            cluster.kill(serving);
            assertThat(cluster.isAlive(serving)).isFalse();
            await(Duration.ofSeconds(45), () -> workload.done.get() >= atKill + 200 || !workload.errors.isEmpty());

            scan.forEachRemaining(m -> scanned.merge(m.id(), 1, Integer::sum));
        } finally {
            workload.stop();
            scanStream.close();
        }

        assertThat(workload.errors).as("errors surfaced to the workload").isEmpty();
        assertExactlyOnce(scanned);
        System.out.println("workload: " + workload.acked.size() + " acknowledged stores, " + workload.done.get()
                + " calls");
        for (Map.Entry<String, String> e : workload.acked.entrySet()) {
            Optional<Memory> got = client.recall(SPACE, e.getKey(), quorum());
            assertThat(got).as("acknowledged store %s", e.getKey()).isPresent();
            assertThat(got.get().content()).contains(e.getValue());
        }
    }

    /** Stores and recalls (QUORUM) in a loop on its own thread; records acknowledged stores and any error. */
    private static final class Workload {
        final Map<String, String> acked = new ConcurrentHashMap<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger done = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread = new Thread(this::run, "real-cluster-workload");

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            for (int i = 0; !stop.get(); i++) {
                String id = "w-" + i;
                String content = "workload " + i;
                try {
                    client.store(memory(id, i).content(content).build());
                    acked.put(id, content);
                    done.incrementAndGet();
                    Optional<Memory> back = client.recall(SPACE, id, quorum());
                    if (back.isEmpty() || !back.get().content().equals(Optional.of(content))) {
                        errors.add(new AssertionError("read back " + back + " for " + id));
                    }
                    done.incrementAndGet();
                } catch (RuntimeException e) {
                    errors.add(e);
                    e.printStackTrace(System.out);
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("workload thread stopped").isFalse();
        }
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
            out[i] = (long) metric(scrape(i), "mnemo_client_scans_total");
        }
        return out;
    }

    /** Per node: {coordinated, wrong owner}. */
    private static Map<Integer, long[]> clientCounters() {
        Map<Integer, long[]> out = new HashMap<>();
        for (int i = 1; i <= NODES; i++) {
            String text = scrape(i);
            out.put(i, new long[] {(long) metric(text, "mnemo_client_ops_coordinated_total"),
                (long) metric(text, "mnemo_client_ops_wrong_owner_total")});
        }
        return out;
    }

    private static String scrape(int node) {
        HttpResponse<String> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.metricsPort(node) + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("scraping node " + node, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scraping node " + node, e);
        }
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The sample of an unlabelled (or single-series) metric in Prometheus text format. */
    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("metric " + name + " not exported; /metrics has:\n" + text);
    }

    /** Creates a space and waits until every node has applied it (the client routes to any of them). */
    private static void createSpaceEverywhere(SpaceInfo space) {
        client.createSpace(space);
        for (int i = 1; i <= NODES; i++) {
            String endpoint = cluster.endpoint(i);
            await(Duration.ofSeconds(30), () -> withStub(endpoint, s -> s.listSpaces(ListSpacesRequest.getDefaultInstance())
                    .getSpacesList().stream().anyMatch(x -> x.getName().equals(space.name()))).orElse(false));
        }
    }

    /** Waits until every node routes by the same topology and it names all nodes. */
    private static void awaitFullTopology(Duration timeout) {
        await(timeout, () -> {
            Set<Long> epochs = new HashSet<>();
            for (int i = 1; i <= NODES; i++) {
                TopologyResponse t = withStub(cluster.endpoint(i), s -> s.topology(TopologyRequest.getDefaultInstance()))
                        .orElse(TopologyResponse.getDefaultInstance());
                if (!t.hasTopology() || t.getTopology().getMembersCount() != NODES) {
                    return false;
                }
                epochs.add(t.getTopology().getEpoch());
            }
            return epochs.size() == 1;
        });
    }

    /** Calls one node through a short-lived raw stub; a call the node refuses (not ready yet) counts as "not yet". */
    private static <T> Optional<T> withStub(String endpoint,
                                            Function<MnemoServiceGrpc.MnemoServiceBlockingStub, T> f) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
        try {
            return Optional.of(f.apply(MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)));
        } catch (StatusRuntimeException notYet) {
            return Optional.empty();
        } finally {
            channel.shutdownNow();
        }
    }

    /** Waits for {@code condition}, checking every 50 ms, and fails when {@code timeout} passes first. */
    private static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)).join();
        }
    }

}
