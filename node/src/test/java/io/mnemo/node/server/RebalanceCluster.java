package io.mnemo.node.server;

import io.mnemo.node.cluster.ownership.BaselineCommand;
import io.mnemo.node.cluster.ownership.BaselineState;
import io.mnemo.node.cluster.ownership.BaselineTransitions;
import io.mnemo.node.cluster.ownership.CommandResult;
import io.mnemo.node.cluster.ownership.TopologyMapper;
import io.mnemo.node.config.Quorum;
import io.mnemo.node.replication.FaultyTransport;
import io.mnemo.node.replication.LocalTransport;
import io.mnemo.node.replication.PartitionDigest;
import io.mnemo.node.replication.PartitionSource;
import io.mnemo.node.replication.Rebalancer;
import io.mnemo.node.replication.ReplicaHandler;
import io.mnemo.node.replication.ReplicaUnavailableException;
import io.mnemo.node.replication.ReplicationConfig;
import io.mnemo.node.replication.ReplicationNode;
import io.mnemo.node.replication.Scheduler;
import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.DefaultTieredStore;
import io.mnemo.node.storage.EncodedRecord;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.Memory;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * An in-JVM cluster for rebalancing tests: nodes with real stores, replication over a seeded {@link FaultyTransport}
 * on a {@link LocalTransport}, a {@link Rebalancer} each, and an in-process stand-in for the Raft ownership log: the
 * real {@link BaselineTransitions} applied under a lock, each new state published to every node at once (as
 * {@link MnemoNode#onEpoch} does, with the same {@link TopologyPlacement}). Node ids are 1..; P and RF as given.
 *
 * <p>Partition streams go straight to the source's {@link ReplicaHandler#scanPartition}, with injectable faults:
 * a node can refuse to serve streams ({@link #streamsDown}), streams can break every few chunks (resumed by token),
 * a node can corrupt the records it serves ({@link #corrupting}), and a receiver's streams can be held back
 * ({@link #holdStreams}) to keep a transition open. Records pass through their storage encoding
 * ({@link EncodedRecord}) and are checked on arrival, as over gRPC. Digests and bucket fetches (the receiver's check of
 * a second source) go to the source's handler too; {@link #digestsDown} refuses them.
 */
final class RebalanceCluster implements AutoCloseable {
    static final String SPACE = "s1";
    static final int DIM = 4;

    final int partitions;
    final long seed;
    final FaultyTransport transport;
    final Map<Integer, Node> nodes = new ConcurrentHashMap<>();
    final Set<Integer> streamsDown = ConcurrentHashMap.newKeySet();
    final Set<Integer> holdStreams = ConcurrentHashMap.newKeySet();
    final AtomicInteger streamBreaks = new AtomicInteger();
    /** Nodes whose streams deliver every record with a flipped byte (the receiver's CRC check must catch it). */
    final Set<Integer> corrupting = ConcurrentHashMap.newKeySet();
    final AtomicInteger corruptionsDetected = new AtomicInteger();
    /** Nodes that answer no digests or bucket fetches (the receiver must stream them in full). */
    final Set<Integer> digestsDown = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<Throwable> loopErrors = new ConcurrentLinkedQueue<>();
    /** Called with (state before, command) under the ownership lock, before each command applies. */
    volatile BiConsumer<BaselineState, BaselineCommand> beforeCommand = (s, c) -> { };
    private final Path dir;
    private final LocalTransport local;
    private final ExecutorService workers;
    private final ScheduledThreadPoolExecutor timer;
    private final Scheduler scheduler;
    private final PartitionFunction partitionFunction;
    private final Object ownershipLock = new Object();
    private BaselineState state = BaselineState.empty();
    private volatile int breakEveryChunks;
    /** Partitions each node's rebalancer streams at once; set before starting nodes. */
    volatile int parallelStreams = 3;
    /** Each node's anti-entropy period; set before starting nodes. */
    volatile Duration antiEntropyInterval = Duration.ofMillis(200);

    /** One node of the cluster. */
    static final class Node {
        final int id;
        final DefaultTieredStore store;
        final ReplicationNode replication;
        final Rebalancer rebalancer;
        final AtomicReference<TopologyPlacement> placement;

        Node(int id, DefaultTieredStore store, ReplicationNode replication, Rebalancer rebalancer,
             AtomicReference<TopologyPlacement> placement) {
            this.id = id;
            this.placement = placement;
            this.store = store;
            this.replication = replication;
            this.rebalancer = rebalancer;
        }
    }

    RebalanceCluster(Path dir, int partitions, int replicationFactor, long seed) {
        this.dir = dir;
        this.partitions = partitions;
        this.seed = seed;
        this.partitionFunction = PartitionFunction.of(partitions);
        System.out.println("RebalanceCluster partitions=" + partitions + " rf=" + replicationFactor + " seed=" + seed);
        AtomicInteger threadNo = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(8, r -> daemon(r, "rb-worker-" + threadNo.incrementAndGet()));
        this.timer = new ScheduledThreadPoolExecutor(2, r -> daemon(r, "rb-timer-" + threadNo.incrementAndGet()));
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = Scheduler.of(timer);
        this.local = new LocalTransport(workers);
        this.transport = new FaultyTransport(local, scheduler, seed);
        propose(new BaselineCommand.Init(partitions, replicationFactor));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts node {@code id} (not yet a baseline member). */
    Node start(int id) {
        DefaultTieredStore store = TieredStores.open(StorageConfig.builder(dir.resolve("node-" + id))
                .partitions(partitions).nodeId(id).hotTierMaxBytes(1 << 20).entriesPerSegment(512)
                .averageValueBytes(512).largeValueThresholdBytes(16 << 10).largeEntriesPerSegment(16)
                .largeAverageValueBytes(256 << 10).build());
        store.createSpace(SpaceConfig.of(SPACE, DIM));
        AtomicReference<TopologyPlacement> ref = new AtomicReference<>();
        ReplicationConfig rc = ReplicationConfig.builder(id).writeTimeout(Duration.ofMillis(2000))
                .readTimeout(Duration.ofMillis(2000)).hintInterval(Duration.ofMillis(50))
                .antiEntropyInterval(antiEntropyInterval).seed(seed + id).build();
        ReplicationNode replication = new ReplicationNode(rc, store, transport, ref::get, new HybridClock(Clock.systemUTC()),
                scheduler, (loop, error) -> loopErrors.add(error));
        Rebalancer rebalancer = new Rebalancer(id, store, replication.handler(), new Source(), epoch -> confirm(id, epoch),
                Quorum.MAJORITY, 1L << 40, parallelStreams);
        Node node = new Node(id, store, replication, rebalancer, ref);
        // The node routes by the current baseline from the start, like a node that just joined the Raft group.
        synchronized (ownershipLock) {
            nodes.put(id, node);
            if (!state.activeMembers().isEmpty()) {
                publish(node, state);
            }
        }
        local.register(replication.handler());
        replication.start();
        rebalancer.start();
        return node;
    }

    /** Adds node {@code id} to the baseline (starting it first if needed). */
    void join(int id) {
        if (!nodes.containsKey(id)) {
            start(id);
        }
        propose(new BaselineCommand.AddMember(Integer.toString(id), "127.0.0.1:" + (20000 + id), 1, null, 1));
    }

    /** Removes node {@code id} from the baseline (it keeps running and routing, as a drained node would). */
    void remove(int id) {
        propose(new BaselineCommand.RemoveMember(Integer.toString(id)));
    }

    /** Applies a command to the baseline and publishes the result to every node. */
    CommandResult propose(BaselineCommand command) {
        synchronized (ownershipLock) {
            beforeCommand.accept(state, command);
            CommandResult r = BaselineTransitions.apply(state, command);
            if (r.outcome() == CommandResult.Outcome.REJECTED) {
                throw new IllegalStateException(command + " rejected: " + r.message());
            }
            boolean newEpoch = r.state().epoch() > state.epoch();
            state = r.state();
            if (newEpoch && !state.activeMembers().isEmpty()) {
                for (Node n : nodes.values()) {
                    publish(n, state);
                }
            }
            return r;
        }
    }

    private void confirm(int id, long ownershipEpoch) {
        propose(new BaselineCommand.ConfirmMoves(Integer.toString(id), ownershipEpoch));
    }

    private static void publish(Node n, BaselineState s) {
        TopologyPlacement pl = new TopologyPlacement(TopologyMapper.toTopology(s), TopologyMapper.sourceTopology(s).orElse(null),
                s.ownershipEpoch());
        n.placement.set(pl);
        n.replication.handler().placementChanged();
        n.rebalancer.onPlacement(pl);
    }

    BaselineState state() {
        synchronized (ownershipLock) {
            return state;
        }
    }

    /** Makes every stream break after {@code chunks} chunks (0: never); the rebalancer resumes from the token. */
    void breakStreamsEvery(int chunks) {
        this.breakEveryChunks = chunks;
    }

    TopologyPlacement placement() {
        BaselineState s = state();
        return new TopologyPlacement(TopologyMapper.toTopology(s), TopologyMapper.sourceTopology(s).orElse(null),
                s.ownershipEpoch());
    }

    int partitionOf(String id) {
        return partitionFunction.partitionOf(SPACE, id);
    }

    static Memory memory(String id, String content) {
        float[] e = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            e[i] = (id.hashCode() % 97 + i) / 100f;
        }
        return Memory.builder(SPACE, id).content(content).embedding(e).createdAtNs(1_000L).lastAccessNs(2_000L)
                .confidence(0.5f).build();
    }

    /** A node that may coordinate writes of {@code id} now: the first of the target list. */
    int coordinatorOf(String id) {
        TopologyPlacement pl = placement();
        int p = partitionOf(id);
        List<Integer> target = pl.pendingReplicas(p).isEmpty() ? pl.replicas(p) : pl.pendingReplicas(p);
        return target.get(0);
    }

    /** The partitions with files on node {@code id}. */
    Set<Integer> partitionsOn(int id) {
        return nodes.get(id).store.partitionsWithFiles();
    }

    StoredRecord recordOn(int id, String key) {
        return nodes.get(id).store.read(SPACE, key).orElse(null);
    }

    /** True when no transition is in progress and every rebalancer finished the newest placement. */
    boolean settled() {
        if (state().transition().isPresent()) {
            return false;
        }
        for (Node n : nodes.values()) {
            if (!n.rebalancer.isIdle()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Streams, digests and bucket fetches served from the source's handler, with the injected faults; fetched records
     * travel in their storage encoding too.
     */
    private final class Source implements PartitionSource {
        @Override
        public CompletableFuture<PartitionDigest> digest(int source, io.mnemo.node.replication.ReplicaTransport.Caller from,
                                                         int partition) {
            return CompletableFuture.supplyAsync(() -> digestServer(source).digest(from, partition), workers);
        }

        @Override
        public CompletableFuture<List<StoredRecord>> fetchBuckets(int source, io.mnemo.node.replication.ReplicaTransport.Caller from,
                                                                  int partition, long bucketMask) {
            return CompletableFuture.supplyAsync(() -> {
                List<StoredRecord> out = new ArrayList<>();
                for (StoredRecord r : digestServer(source).fetchBuckets(from, partition, bucketMask)) {
                    out.add(travel(r, source, partition));
                }
                return out;
            }, workers);
        }

        private ReplicaHandler digestServer(int source) {
            Node n = nodes.get(source);
            if (n == null || streamsDown.contains(source) || digestsDown.contains(source)) {
                throw new ReplicaUnavailableException(source, "digests from node " + source + " are down");
            }
            return n.replication.handler();
        }

        /** {@code r} encoded, damaged if {@code source} corrupts, and decoded with its CRC checked, as over gRPC. */
        private StoredRecord travel(StoredRecord r, int source, int partition) {
            EncodedRecord e = EncodedRecord.of(r);
            if (corrupting.contains(source)) {
                byte[] damaged = e.record().clone();
                damaged[damaged.length / 2] ^= 0x5a;
                e = new EncodedRecord(e.key(), damaged);
            }
            try {
                return e.decode("stream of partition " + partition + " from node " + source);
            } catch (CorruptionDetectedException ex) {
                corruptionsDetected.incrementAndGet();
                throw ex;
            }
        }

        @Override
        public Stream open(int source, io.mnemo.node.replication.ReplicaTransport.Caller from, int partition,
                           String resumeToken) {
            return new Stream() {
                private String token = resumeToken;
                private int served;

                @Override
                public Chunk next() {
                    while (holdStreams.contains(from.nodeId())) {
                        try {
                            TimeUnit.MILLISECONDS.sleep(5);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new ReplicaUnavailableException(source, "interrupted");
                        }
                    }
                    Node n = nodes.get(source);
                    if (n == null || streamsDown.contains(source)) {
                        throw new ReplicaUnavailableException(source, "streams from node " + source + " are down");
                    }
                    int every = breakEveryChunks;
                    if (every > 0 && served >= every) {
                        streamBreaks.incrementAndGet();
                        throw new ReplicaUnavailableException(source, "stream broken on purpose after " + served + " chunks");
                    }
                    ReplicaHandler.ScanPage page = n.replication.handler().scanPartition(from, partition, token, 8);
                    served++;
                    // As over gRPC: each record travels in its storage encoding and is checked on arrival.
                    List<StoredRecord> records = new ArrayList<>(page.records().size());
                    long bytes = 0;
                    for (StoredRecord r : page.records()) {
                        bytes += EncodedRecord.of(r).size();
                        records.add(travel(r, source, partition));
                    }
                    token = page.resumeToken();
                    return new Chunk(records, page.resumeToken(), page.last(), bytes);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Override
    public void close() {
        for (Node n : nodes.values()) {
            n.rebalancer.close();
            n.replication.close();
        }
        transport.close();
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<DefaultTieredStore> stores = new ArrayList<>();
        nodes.values().forEach(n -> stores.add(n.store));
        stores.forEach(DefaultTieredStore::close);
    }
}
