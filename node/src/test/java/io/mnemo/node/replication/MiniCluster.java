package io.mnemo.node.replication;

import io.mnemo.node.storage.DefaultTieredStore;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.shardmap.PartitionFunction;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * An in-JVM cluster for replication tests: N nodes, each a real {@link DefaultTieredStore} in its own temp
 * directory, talking over one {@link LocalTransport} wrapped in a seeded {@link FaultyTransport}. RF = 3 on a
 * ring placement, W = R = majority. Each node has its own placement reference, so epochs can differ per node.
 */
final class MiniCluster implements AutoCloseable {
    static final String SPACE = "s1";
    static final int DIM = 4;

    final int size;
    final int partitions;
    final long seed;
    final FaultyTransport transport;
    final List<DefaultTieredStore> stores = new ArrayList<>();
    final List<ReplicationNode> nodes = new ArrayList<>();
    final List<AtomicReference<ReplicaPlacement>> placements = new ArrayList<>();
    final ConcurrentLinkedQueue<Throwable> loopErrors = new ConcurrentLinkedQueue<>();
    private final ExecutorService workers;
    private final ScheduledThreadPoolExecutor timer;
    private final LocalTransport local;
    private final PartitionFunction partitionFunction;

    MiniCluster(Path dir, int size, int partitions, long seed) {
        this(dir, size, partitions, seed, b -> { });
    }

    MiniCluster(Path dir, int size, int partitions, long seed, Consumer<ReplicationConfig.Builder> tune) {
        this(dir, size, partitions, seed, tune, t -> t);
    }

    /**
     * A cluster whose in-JVM transport is wrapped by {@code wrap} under the fault injector (a test decorator, e.g. one
     * that makes some nodes behave as an older build).
     */
    MiniCluster(Path dir, int size, int partitions, long seed, Consumer<ReplicationConfig.Builder> tune,
                UnaryOperator<ReplicaTransport> wrap) {
        this.size = size;
        this.partitions = partitions;
        this.seed = seed;
        this.partitionFunction = PartitionFunction.of(partitions);
        System.out.println("MiniCluster size=" + size + " partitions=" + partitions + " seed=" + seed);
        AtomicInteger threadNo = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(4, r -> daemon(r, "mini-worker-" + threadNo.incrementAndGet()));
        this.timer = new ScheduledThreadPoolExecutor(2, r -> daemon(r, "mini-timer-" + threadNo.incrementAndGet()));
        timer.setRemoveOnCancelPolicy(true);
        this.local = new LocalTransport(workers);
        Scheduler scheduler = Scheduler.of(timer);
        this.transport = new FaultyTransport(wrap.apply(local), scheduler, seed);
        List<Integer> ids = IntStream.range(0, size).boxed().collect(Collectors.toList());
        for (int id = 0; id < size; id++) {
            DefaultTieredStore store = TieredStores.open(StorageConfig.builder(dir.resolve("node-" + id))
                    .partitions(partitions).nodeId(id).hotTierMaxBytes(1 << 20).entriesPerSegment(512)
                    .averageValueBytes(512).largeValueThresholdBytes(16 << 10).largeEntriesPerSegment(16)
                    .largeAverageValueBytes(256 << 10).build());
            store.createSpace(SpaceConfig.of(SPACE, DIM));
            stores.add(store);
            AtomicReference<ReplicaPlacement> placement = new AtomicReference<>(StaticPlacement.ring(1, partitions, ids, 3));
            placements.add(placement);
            ReplicationConfig.Builder b = ReplicationConfig.builder(id).writeTimeout(Duration.ofMillis(1500))
                    .readTimeout(Duration.ofMillis(1500)).hintInterval(Duration.ofMillis(50))
                    .antiEntropyInterval(Duration.ofMillis(100)).seed(seed + id);
            tune.accept(b);
            ReplicationNode node = new ReplicationNode(b.build(), store, transport, placement::get,
                    new HybridClock(Clock.systemUTC()), scheduler, (loop, error) -> loopErrors.add(error));
            nodes.add(node);
            local.register(node.handler());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    ReplicationNode node(int id) {
        return nodes.get(id);
    }

    int partitionOf(String id) {
        return partitionFunction.partitionOf(SPACE, id);
    }

    /** The replicas of {@code id}'s partition in node 0's placement. */
    List<Integer> replicasOf(String id) {
        return placements.get(0).get().replicas(partitionOf(id));
    }

    /** Sets every node's placement. */
    void setPlacement(ReplicaPlacement p) {
        placements.forEach(r -> r.set(p));
    }

    /** Node {@code id}'s stored record of a key, read from its store directly. */
    Optional<StoredRecord> recordOn(int id, String key) {
        return stores.get(id).read(SPACE, key);
    }

    /** Cuts {@code id} from every other node, both ways. */
    void isolate(int id) {
        Set<Integer> others = IntStream.range(0, size).filter(i -> i != id).boxed().collect(Collectors.toSet());
        transport.isolate(id, others);
    }

    static Memory memory(String id, String content) {
        float[] e = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            e[i] = (id.hashCode() % 97 + i) / 100f;
        }
        return Memory.builder(SPACE, id).content(content).embedding(e).createdAtNs(1_000L).lastAccessNs(2_000L)
                .confidence(0.5f).build();
    }

    static MemoryKey key(String id) {
        return new MemoryKey(SPACE, id);
    }

    @Override
    public void close() {
        nodes.forEach(ReplicationNode::close);
        transport.close();
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stores.forEach(DefaultTieredStore::close);
    }
}
