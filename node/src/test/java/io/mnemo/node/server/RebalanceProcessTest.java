package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.Consistency;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.shardmap.PartitionFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3 -> 4 join over real node processes ({@link LocalCluster}): three nodes take continuous writes, a fourth starts
 * and joins by itself (auto-join after the settle delay), the placement change completes (every node reports no
 * moving partition), and then every acknowledged write reads back at QUORUM with its content, node 4 holds its
 * partitions (read at ONE from it), the old owners' copies of moved partitions are gone from their data
 * directories, and spaces created while writing refused no write. Prints how long the join took;
 * {@code -Dmnemo.rebalance.preload=N -Dmnemo.rebalance.dim=D} measures it for N memories of dimension D.
 *
 * <p>Tagged slow ({@code ./mvnw -Pslow}): four node JVMs take 2-4 minutes on a shared 2-core machine, over this
 * module's budget for the default run; the default run covers the same protocol in one JVM ({@link RebalanceTest})
 * and its processes go through the same transitions whenever a cluster forms (each join is a placement change).
 */
@Tag("slow")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RebalanceProcessTest {
    private static final String SPACE = "moves";
    private static final int PARTITIONS = 16;
    private static final int NODES = 4;
    private static final int PRELOAD = Integer.getInteger("mnemo.rebalance.preload", 500);
    private static final int DIM = Integer.getInteger("mnemo.rebalance.dim", 4);

    @TempDir
    Path dir;

    private final ManagedChannel[] channels = new ManagedChannel[NODES + 1];
    private final Map<String, String> acked = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();
    /** Refusals that name the epoch (stale epoch, a replica behind). */
    private final AtomicInteger epochRefusals = new AtomicInteger();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void join3to4_underWrites_losesNothing_newOwnerHoldsItsPartitions_oldCopiesDropped() throws Exception {
        long seed = System.nanoTime();
        int base = LocalCluster.findFreeBasePort(new java.util.Random(seed), NODES);
        System.out.println("RebalanceProcessTest base port " + base + " (seed " + seed + "), preload " + PRELOAD
                + " memories of dimension " + DIM);
        long entries = Math.max(256, PRELOAD / 4);
        try (LocalCluster cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, NODES)
                .withSetting("mnemo.cluster.partitions", Integer.toString(PARTITIONS))
                .withSetting("mnemo.storage.warm.entries-per-partition", Long.toString(entries))
                .withSetting("mnemo.storage.warm.average-value-size", DIM > 64 ? "4KiB" : "512B")) {
            for (int i = 1; i <= NODES; i++) {
                channels[i] = NettyChannelBuilder.forTarget(cluster.endpoint(i)).usePlaintext().build();
            }
            try {
                run(cluster);
            } catch (Throwable t) {
                printLogTails(cluster);
                throw t;
            } finally {
                for (int i = 1; i <= NODES; i++) {
                    channels[i].shutdownNow();
                }
            }
        }
    }

    private void run(LocalCluster cluster) throws Exception {
        metricsSource = cluster;
        for (int i = 1; i <= 3; i++) {
            cluster.start(i);
        }
        for (int i = 1; i <= 3; i++) {
            cluster.awaitReady(i, Duration.ofSeconds(240));
        }
        await("3 members, placement stable", Duration.ofSeconds(60),
                () -> members(1) == 3 && stable(1, 2, 3));
        await("space created", Duration.ofSeconds(60), () -> createSpace(SPACE));

        preload(PRELOAD);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    store("w-" + i, 3);
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        }, "rebalance-writer");
        writer.start();
        int before = acked.size();
        await("writes before the join", Duration.ofSeconds(60), () -> acked.size() >= before + 100);
        // Spaces created while writing change no placement: no write may be refused for a changed epoch.
        int epochRefusalsBefore = epochRefusals.get();
        for (int i = 0; i < 3; i++) {
            int n = i;
            await("space " + i, Duration.ofSeconds(30), () -> createSpace("extra" + n));
        }
        int afterSpaces = acked.size();
        await("writes after creating spaces", Duration.ofSeconds(60), () -> acked.size() >= afterSpaces + 50);
        assertThat(epochRefusals.get() - epochRefusalsBefore).as("writes refused for the epoch while spaces were created")
                .isZero();
        Topology old = topology(1);

        long joinStart = System.nanoTime();
        cluster.start(4);
        cluster.awaitReady(4, Duration.ofSeconds(240));
        await("4 members and the placement change complete", Duration.ofSeconds(150),
                () -> members(1) == 4 && stable(1, 2, 3, 4));
        long joinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - joinStart);
        int atJoin = acked.size();
        await("writes after the join", Duration.ofSeconds(60), () -> acked.size() >= atJoin + 100);
        stop.set(true);
        writer.join(30_000);
        assertThat(writerFailure.get()).as("writer failure").isNull();
        System.out.println("JOIN 3->4 of " + atJoin + " memories (dimension " + DIM + ") completed in " + joinMs
                + " ms (node 4 started, joined, streamed, confirmed; every node stable); node 4 received "
                + metric(4, "mnemo_rebalance_records_received_total") + " records; writes retried " + refused.get());

        // Every acknowledged write reads back at QUORUM with its content.
        PartitionFunction pf = PartitionFunction.of(PARTITIONS);
        Topology now = topology(1);
        long readStart = System.nanoTime();
        acked.entrySet().parallelStream().forEach(e -> {
            Memory got = recall(e.getKey(), Consistency.CONSISTENCY_QUORUM, replicasOf(now, pf.partitionOf(SPACE, e.getKey())));
            assertThat(got.getContent()).as("acknowledged %s", e.getKey()).isEqualTo(e.getValue());
        });
        System.out.println("read back " + acked.size() + " acknowledged memories at QUORUM in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readStart) + " ms");
        // Node 4 holds its partitions: its own copy (read at ONE) of every key it replicates.
        Set<Integer> gained = new HashSet<>();
        for (PartitionReplicas pr : now.getPartitionsList()) {
            if (pr.getReplicasList().contains(4)) {
                gained.add(pr.getPartition());
            }
        }
        assertThat(gained).isNotEmpty();
        assertThat(metric(4, "mnemo_rebalance_partitions_streamed_total")).isGreaterThanOrEqualTo(gained.size());
        acked.entrySet().parallelStream().forEach(e -> {
            if (gained.contains(pf.partitionOf(SPACE, e.getKey()))) {
                AtomicReference<Memory> got = new AtomicReference<>();
                await("node 4's copy of " + e.getKey(), Duration.ofSeconds(30), () -> {
                    got.set(recallOn(4, e.getKey(), Consistency.CONSISTENCY_ONE));
                    return got.get() != null && got.get().getContent().equals(e.getValue());
                });
            }
        });
        // The old owners' copies of the partitions they lost are gone from disk.
        for (int node = 1; node <= 3; node++) {
            Set<Integer> lost = new HashSet<>();
            for (int p = 0; p < PARTITIONS; p++) {
                if (replicasOf(old, p).contains(node) && !replicasOf(now, p).contains(node)) {
                    lost.add(p);
                }
            }
            Path data = dir.resolve("node-" + node).resolve("data");
            for (int p : lost) {
                Path partitionDir = data.resolve(String.format("p-%04d", p));
                await(partitionDir + " dropped", Duration.ofSeconds(30), () -> !Files.exists(partitionDir));
            }
            System.out.println("node " + node + " lost partitions " + lost + ": dropped");
        }
    }

    private void preload(int count) throws InterruptedException {
        if (count <= 0) {
            return;
        }
        long start = System.nanoTime();
        int threads = 3;
        int batch = 200;
        List<Thread> loaders = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread l = new Thread(() -> {
                try {
                    for (int from = first * batch; from < count; from += threads * batch) {
                        storeBatch(from, Math.min(count, from + batch), 1 + first);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "preload-" + t);
            l.start();
            loaders.add(l);
        }
        for (Thread l : loaders) {
            l.join();
        }
        assertThat(failure.get()).as("preload failure").isNull();
        System.out.println("preloaded " + count + " memories in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                + " ms");
    }

    /** Stores keys p-from..p-(to-1) in one StoreBatch on node {@code node}; items that fail are stored one by one. */
    private void storeBatch(int from, int to, int node) {
        io.mnemo.protocol.v1.StoreBatchRequest.Builder b = io.mnemo.protocol.v1.StoreBatchRequest.newBuilder();
        for (int i = from; i < to; i++) {
            b.addMemories(memory("p-" + i));
        }
        List<io.mnemo.protocol.v1.StoreItemResult> results;
        try {
            results = MnemoServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .storeBatch(b.build()).getResultsList();
        } catch (StatusRuntimeException e) {
            results = List.of();
        }
        Set<Integer> done = new HashSet<>();
        for (io.mnemo.protocol.v1.StoreItemResult r : results) {
            if (r.hasVersion()) {
                done.add(from + r.getIndex());
                acked.put("p-" + (from + r.getIndex()), "c-p-" + (from + r.getIndex()));
            }
        }
        for (int i = from; i < to; i++) {
            if (!done.contains(i)) {
                store("p-" + i, node);
            }
        }
    }

    private static Memory memory(String key) {
        Memory.Builder m = Memory.newBuilder().setSpace(SPACE).setId(key).setContent("c-" + key);
        for (int d = 0; d < DIM; d++) {
            m.addEmbedding((key.hashCode() + d) % 100 / 100f);
        }
        return m.build();
    }

    /** Stores {@code key} starting at node {@code first}, moving to the next node on any retryable refusal. */
    private void store(String key, int first) {
        String content = "c-" + key;
        StoreRequest request = StoreRequest.newBuilder().setMemory(memory(key)).build();
        for (int attempt = 0; attempt < 200; attempt++) {
            int node = 1 + (first - 1 + attempt) % 3;
            try {
                MnemoServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(10, TimeUnit.SECONDS).store(request);
                acked.put(key, content);
                return;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                    throw e;
                }
                refused.incrementAndGet();
                String why = String.valueOf(e.getStatus().getDescription());
                if ((why.contains("epoch") || why.contains("behind")) && !why.contains("is not a replica")) {
                    epochRefusals.incrementAndGet();
                    System.out.println("store of " + key + " refused for the epoch: " + e.getStatus());
                }
                pause(attempt < 3 ? 5 : 50);
            }
        }
        throw new AssertionError("store of " + key + " never succeeded");
    }

    private Memory recall(String key, Consistency consistency, List<Integer> nodes) {
        for (int attempt = 0; attempt < 100; attempt++) {
            Memory m = recallOn(nodes.get(attempt % nodes.size()), key, consistency);
            if (m != null) {
                return m;
            }
            pause(50);
        }
        throw new AssertionError("recall of " + key + " never answered");
    }

    /** Node {@code node}'s answer, or null on a retryable failure. */
    private Memory recallOn(int node, String key, Consistency consistency) {
        try {
            return MnemoServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .recall(RecallRequest.newBuilder().setSpace(SPACE).setId(key).setConsistency(consistency).build())
                    .getMemory();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                throw e;
            }
            return null;
        }
    }

    private boolean createSpace(String name) {
        try {
            MnemoServiceGrpc.newBlockingStub(channels[1]).withDeadlineAfter(20, TimeUnit.SECONDS).createSpace(
                    CreateSpaceRequest.newBuilder().setSpec(SpaceSpec.newBuilder().setName(name).setDimension(DIM)).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                throw e;
            }
            return false;
        }
    }

    private static List<Integer> replicasOf(Topology t, int partition) {
        return t.getPartitions(partition).getReplicasList();
    }

    private Topology topology(int node) {
        return MnemoServiceGrpc.newBlockingStub(channels[node]).withDeadlineAfter(10, TimeUnit.SECONDS)
                .topology(TopologyRequest.getDefaultInstance()).getTopology();
    }

    private int members(int node) {
        try {
            return topology(node).getMembersCount();
        } catch (StatusRuntimeException e) {
            return -1;
        }
    }

    /** True when every node in {@code nodes} reports no moving partition and has received the same ownership epoch. */
    private boolean stable(int... nodes) {
        double epoch = -1;
        for (int n : nodes) {
            double moving = metric(n, "mnemo_partitions_moving");
            double e = metric(n, "mnemo_ownership_epoch");
            if (moving != 0 || (epoch >= 0 && e != epoch)) {
                return false;
            }
            epoch = e;
        }
        return true;
    }

    private double metric(int node, String name) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + clusterMetricsPort(node) + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private LocalCluster metricsSource;

    private int clusterMetricsPort(int node) {
        return metricsSource.metricsPort(node);
    }

    private void printLogTails(LocalCluster cluster) {
        for (int i = 1; i <= NODES; i++) {
            try {
                List<String> lines = Files.readAllLines(cluster.logOf(i), StandardCharsets.UTF_8);
                System.out.println("---- last lines of node " + i + "'s log\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
            } catch (IOException | UncheckedIOException e) {
                System.out.println("---- node " + i + "'s log unreadable: " + e);
            }
        }
    }

    private static void pause(long ms) {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS)).join();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            pause(100);
        }
    }
}
