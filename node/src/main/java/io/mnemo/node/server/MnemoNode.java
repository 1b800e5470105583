package io.mnemo.node.server;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mnemo.node.cluster.membership.ClusterCompute;
import io.mnemo.node.cluster.membership.LocalServices;
import io.mnemo.node.cluster.ownership.BaselineMember;
import io.mnemo.node.cluster.ownership.BaselineState;
import io.mnemo.node.cluster.ownership.MemberState;
import io.mnemo.node.cluster.ownership.SpaceSettings;
import io.mnemo.node.cluster.ownership.TopologyMapper;
import io.mnemo.node.config.ConfigException;
import io.mnemo.node.config.HostPort;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.Settings;
import io.mnemo.node.numa.NumaConfigException;
import io.mnemo.node.numa.NumaStatus;
import io.mnemo.node.numa.NumaWorkers;
import io.mnemo.node.numa.WorkerErrorHandler;
import io.mnemo.node.query.ClusterQueries;
import io.mnemo.node.query.LocalQueries;
import io.mnemo.node.replication.Hint;
import io.mnemo.node.replication.Rebalancer;
import io.mnemo.node.replication.ReplicationConfig;
import io.mnemo.node.replication.ReplicationNode;
import io.mnemo.node.replication.Scheduler;
import io.mnemo.node.security.NodeSecurity;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoreClosedException;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.PartitionFunction;
import io.mnemo.shardmap.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Mnemo node process, assembled from a {@link NodeConfig}: storage, NUMA workers, replication, one gRPC
 * server carrying {@code MnemoService} and {@code ReplicaService}, and the health/readiness/metrics endpoint.
 *
 * <p><b>Two shapes.</b> A node with no {@code mnemo.cluster.seeds} is a one-node cluster: its topology is
 * itself (epoch 1, P from the configuration, RF 1), and spaces live in its store. A node with seeds joins a
 * cluster ({@link ClusterControl}): Ignite membership, the Raft ownership log whose voters are
 * {@code mnemo.raft.members}, and the baseline control loop. Each committed baseline
 * becomes the node's routing ({@link TopologyPlacement} over {@link TopologyMapper}'s topology), its peers'
 * addresses ({@link PeerTransport}) and its spaces; the node is ready once the baseline names it an active
 * member. A placement change is carried out by the {@link Rebalancer}: the placement then holds the old and new
 * replica lists (joint quorums), the node streams the partitions it gains, confirms through the ownership log,
 * and drops the partitions it lost once the change is complete.
 *
 * <p><b>Start order</b> (reverse of close): store, NUMA workers, replication, gRPC server (its port is
 * known only once bound, and the topology names it), cluster control when clustered, health endpoint; then
 * the request gate opens (at once alone, on the epoch that makes it active in a cluster) and {@code /ready}
 * turns 200.
 *
 * <p><b>Drain</b> ({@link #close()}, also run by the CLI's SIGTERM hook): the gate closes (new calls get
 * UNAVAILABLE and {@code /ready} 503), in-flight calls may finish for up to {@code mnemo.node.drain-timeout},
 * replication delivers what hints it can and hands the rest to a live peer ({@link HintHandover}, the
 * {@code HandoverService} RPC), the node leaves the ownership group and membership, then the servers stop and the
 * store is closed cleanly.
 * Idempotent and thread-safe.
 */
public final class MnemoNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MnemoNode.class);
    /** The largest request: the largest content a space may allow, a maximal embedding, and room for the rest. */
    static final int MAX_INBOUND_MESSAGE_BYTES = SpaceConfig.MAX_MAX_CONTENT_BYTES + SpaceConfig.MAX_DIMENSION * 4
            + (1 << 20);

    private final NodeConfig config;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RequestGate gate = new RequestGate();
    private TieredStore store;
    private ReplicationNode replication;
    private Server grpc;
    private HealthServer health;
    private volatile TopologyPlacement placement;
    private NumaWorkers numa;
    /** TLS and authentication, from the configuration; set first in open(). */
    private NodeSecurity security = NodeSecurity.plaintext();
    /** Partitions whose files were prepared (or are queued to be) by {@code preparer}. */
    private final Set<Integer> prepared = ConcurrentHashMap.newKeySet();
    /** Opens owned partitions' files in the background, one at a time, off the partition worker pools. */
    private ExecutorService preparer;
    private volatile MnemoServiceImpl.SpaceAdmin spaces;
    private PeerTransport transport;
    /** Set once, when clustered, before the first baseline is applied; onEpoch ignores baselines until then. */
    private volatile ClusterControl cluster;
    /** Set once, when clustered, right after {@link #cluster}; moves data on placement changes. */
    private volatile Rebalancer rebalancer;
    /** The epoch of the last baseline applied (under the monitor); an older one arriving late is ignored. */
    private long appliedEpoch;

    private MnemoNode(NodeConfig config) {
        this.config = config;
    }

    /**
     * Starts a node. Without seeds it is a one-node cluster, ready when this returns. With seeds it joins the
     * cluster: {@code mnemo.raft.members} are the ownership log's voters, and the node becomes ready (see
     * {@link #isReady()} and {@code /ready}) once the baseline names it an active member, which may be after this
     * returns.
     *
     * @throws IllegalStateException if seeds are set but no Raft members are configured
     * @throws ConfigException       if a setting cannot be honoured here (TLS files, NUMA CPU lists this machine
     *                               lacks), naming the key, the value and where it came from
     * @throws IOException           if a port cannot be bound
     */
    public static MnemoNode start(NodeConfig config) throws IOException {
        if (!config.seeds().isEmpty() && config.raftMembers().isEmpty()) {
            throw new IllegalStateException(Settings.SEEDS.key() + " is set (" + config.seeds() + ") but the Raft member "
                    + "list " + Settings.RAFT_MEMBERS.key() + " is empty (" + config.sourceOf(Settings.RAFT_MEMBERS)
                    + "): set it to the ownership log's voters, this node included, e.g. " + Settings.RAFT_MEMBERS.key()
                    + " = 1@host1:7800,2@host2:7800,3@host3:7800");
        }
        MnemoNode node = new MnemoNode(config);
        try {
            node.open();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void open() throws IOException {
        int nodeId = config.nodeId();
        int partitions = config.partitions();
        security = NodeSecurity.from(config);
        LOG.info("node {}: {}", nodeId, security);
        if (security.hasToken() && !security.isTls()) {
            LOG.warn("node {}: {} is set but TLS is off: the token travels in plaintext", nodeId,
                    Settings.AUTH_TOKEN_FILE.key());
        }
        store = TieredStores.open(storageConfig(config));
        resources.push(store);
        LOG.info("node {}: storage open at {} ({} partitions); recovery: {}", nodeId, config.dataDir(), partitions,
                store.stats().recovery());

        try {
            numa = NumaWorkers.start(config.numaConfig(), partitions, WorkerErrorHandler.logging());
        } catch (NumaConfigException e) {
            throw config.numaRefusal(e);
        }
        resources.push(numa);
        LOG.info("node {}: NUMA workers: {}", nodeId, numa.status());

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mnemo-replication-timer-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        resources.push(timers::shutdownNow);
        preparer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mnemo-prepare-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        resources.push(preparer::shutdownNow);
        transport = new PeerTransport(Duration.ofSeconds(2), a -> security.peerChannel(a.getHostString(), a.getPort()));
        resources.push(transport);
        ReplicationConfig rc = ReplicationConfig.builder(nodeId)
                .writeQuorum(config.get(Settings.WRITE_QUORUM))
                .readQuorum(config.get(Settings.READ_QUORUM))
                .build();
        replication = new ReplicationNode(rc, store, transport, () -> placement, new HybridClock(Clock.systemUTC()),
                Scheduler.of(timers), (loop, error) -> LOG.error("replication loop {} failed", loop, error));
        resources.push(replication);

        MnemoServiceImpl service = new MnemoServiceImpl(nodeId, store, replication, () -> placement, this::endpointOf,
                () -> spaces, gate, config.hotMaxBytes().bytes(), PartitionFunction.of(partitions), numa::executorFor);
        // Recall by cue and cluster-wide counts: jobs from other members find this node's LocalQueries here.
        LocalServices jobServices = new LocalServices()
                .register(LocalQueries.class, new LocalQueries(nodeId, store, () -> placement));
        ClusterQueries queries = new ClusterQueries(jobServices, () -> placement, this::liveMemberIds, this::compute, 2);
        resources.push(queries);
        service.useQueries(queries);
        io.mnemo.node.replication.ReplicaServiceImpl replicaService = new io.mnemo.node.replication.ReplicaServiceImpl(
                replication.handler(), this::endpointOf, config.get(Settings.REBALANCE_STREAM_NICE));
        resources.push(replicaService);
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindHost(), config.grpcPort()),
                        security.serverCredentials())
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .callExecutor(new CallExecutors())
                .addService(ServerInterceptors.intercept(service, security.clientServices()))
                .addService(ServerInterceptors.intercept(replicaService, security.peerServices()))
                .addService(ServerInterceptors.intercept(new AdminServiceImpl(() -> cluster), security.clientServices()))
                .addService(ServerInterceptors.intercept(new HandoverServiceImpl(replication), security.peerServices()))
                .build()
                .start();
        resources.push(this::stopGrpc);
        String endpoint = config.bindHost() + ":" + grpc.getPort();
        if (config.raftMembers().isEmpty()) {
            placement = new TopologyPlacement(Topology.of(1, partitions, 1,
                    List.of(Member.of(Integer.toString(nodeId), endpoint, 1, null))));
            spaces = new LocalSpaces(store, config, () -> placement.epoch());
            prepareOwnedPartitions(placement);
        } else {
            try {
                cluster = ClusterControl.start(config, endpoint, this::onEpoch, jobServices);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("node " + nodeId + " could not join the cluster: " + e.getMessage(), e);
            }
            resources.push(cluster);
            spaces = cluster;
            ClusterControl cc = cluster;
            Rebalancer rb = new Rebalancer(nodeId, store, replication.handler(), transport, cc::confirmMoves,
                    config.get(Settings.READ_QUORUM), config.get(Settings.REBALANCE_MAX_BYTES_PER_SECOND).bytes(),
                    config.get(Settings.REBALANCE_PARALLEL_STREAMS), config.get(Settings.REBALANCE_STREAM_NICE));
            rb.start();
            resources.push(rb);
            rebalancer = rb;
            onEpoch(cluster.current());
        }
        replication.start();

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        resources.push(registry::close);
        Gauge.builder("mnemo_requests_in_flight", gate, RequestGate::inFlight)
                .description("Client calls being served").register(registry);
        Gauge.builder("mnemo_ready", gate, g -> g.isOpen() ? 1 : 0)
                .description("1 while the node admits client calls").register(registry);
        Gauge.builder("mnemo_hints_pending", replication, r -> r.pendingHints())
                .description("Writes kept for replicas that missed them").register(registry);
        Gauge.builder("mnemo_topology_epoch", this, n -> n.placement == null ? 0 : n.placement.topology().epoch())
                .description("Topology epoch this node routes by").register(registry);
        service.metrics().bindTo(registry);
        Gauge.builder("mnemo_ownership_epoch", this, n -> n.placement == null ? 0 : n.placement.epoch())
                .description("Ownership epoch (version of the placement) replicas compare").register(registry);
        Gauge.builder("mnemo_partitions_moving", this, n -> n.placement == null ? 0 : n.placement.movingPartitions())
                .description("Partitions moving in the placement change in progress (0: placement stable)").register(registry);
        Rebalancer rb = rebalancer;
        if (rb != null) {
            Gauge.builder("mnemo_rebalance_partitions_moving", rb, r -> r.stats().partitionsMoving())
                    .description("Partitions this node still has to stream in the placement change in progress")
                    .register(registry);
            FunctionCounter.builder("mnemo_rebalance_partitions_streamed", rb, r -> r.stats().partitionsStreamed())
                    .description("Partitions this node received from their old replicas").register(registry);
            FunctionCounter.builder("mnemo_rebalance_records_received", rb, r -> r.stats().recordsReceived())
                    .description("Records received by rebalancing streams").register(registry);
            FunctionCounter.builder("mnemo_rebalance_bytes_received", rb, r -> r.stats().bytesReceived())
                    .description("Bytes received by rebalancing streams").register(registry);
            FunctionCounter.builder("mnemo_rebalance_partitions_dropped", rb, r -> r.stats().partitionsDropped())
                    .description("Partitions dropped after a completed placement change moved them away").register(registry);
        }
        StatsMeters stats = new StatsMeters(replication, store);
        stats.bindTo(registry);
        health = new HealthServer(new InetSocketAddress(config.bindHost(), config.metricsPort()), gate::isOpen, () -> {
            stats.refresh();
            return registry.scrape();
        });
        resources.push(health);
        if (config.raftMembers().isEmpty()) {
            gate.open();
        }
        LOG.info("node {} started: gRPC {}, health/metrics http://{}:{}/ ({})", nodeId, endpoint, config.bindHost(),
                health.port(), gate.isOpen() ? "ready" : "ready once the baseline names it an active member");
    }

    /**
     * Applies a committed baseline (on the ownership log's listener thread; serialized by the monitor): peer
     * addresses, spaces, then routing; opens the gate once this node is an active member.
     */
    private synchronized void onEpoch(BaselineState state) {
        if (cluster == null || !state.isInitialized() || closed.get()) {
            return;
        }
        if (state.epoch() < appliedEpoch) {
            return;
        }
        appliedEpoch = state.epoch();
        if (state.partitions() != config.partitions()) {
            LOG.error("node {}: the cluster has {} partitions but mnemo.cluster.partitions is {}; not serving",
                    config.nodeId(), state.partitions(), config.partitions());
            return;
        }
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        List<BaselineMember> reachable = new ArrayList<>(state.transition().map(t -> t.source()).orElse(List.of()));
        reachable.addAll(state.members());
        for (BaselineMember m : reachable) {
            HostPort hp = HostPort.parse(m.endpoint());
            peers.put(Integer.parseInt(m.id()), new InetSocketAddress(hp.host(), hp.port()));
        }
        transport.update(peers);
        applySpaces(state);
        if (!state.activeMembers().isEmpty()) {
            TopologyPlacement next = TopologyPlacement.of(state);
            placement = next;
            replication.handler().placementChanged();
            prepareOwnedPartitions(next);
            Rebalancer rb = rebalancer;
            if (rb != null) {
                rb.onPlacement(next);
            }
            if (next.movingPartitions() > 0) {
                LOG.info("node {}: placement change in progress at ownership epoch {}: {} partitions moving, confirmed by {}",
                        config.nodeId(), state.ownershipEpoch(), next.movingPartitions(),
                        state.transition().map(t -> t.confirmed()).orElse(List.of()));
            }
        }
        boolean active = state.member(Integer.toString(config.nodeId()))
                .map(m -> m.state() == MemberState.ACTIVE).orElse(false);
        LOG.info("node {}: epoch {}, {} members, this node {}", config.nodeId(), state.epoch(), state.memberCount(),
                active ? "active" : "not active");
        cluster.applied(state);
        if (active && placement != null && !gate.isOpen()) {
            gate.open();
        }
    }

    /**
     * Opens the warm-tier files of the partitions this node replicates, in the background, so the first write to a
     * partition does not pay for file creation (it would eat into the write deadline). Asynchronous: readiness does
     * not wait for it. It runs on its own thread, one partition at a time, never on the partition worker pools:
     * queued there, the preparation of every owned partition (the first Chronicle Map file of a process alone took
     * 10-17 s on a loaded 2-core VM) ran ahead of the client calls queued behind it, which is how a call right after
     * a cluster formed could miss its 10 s deadline. A call that reaches a partition first opens the file itself.
     */
    private void prepareOwnedPartitions(TopologyPlacement pl) {
        List<Integer> owned = new ArrayList<>();
        for (int p = 0; p < pl.partitions(); p++) {
            if (pl.replicas(p).contains(config.nodeId()) && prepared.add(p)) {
                owned.add(p);
            }
        }
        if (owned.isEmpty()) {
            return;
        }
        long startNs = System.nanoTime();
        try {
            preparer.execute(() -> {
                int failed = 0;
                for (int p : owned) {
                    try {
                        store.preparePartition(p);
                    } catch (StoreClosedException stopping) {
                        LOG.info("node {}: stopped preparing partitions: the store closed", config.nodeId());
                        return;
                    } catch (RuntimeException e) {
                        failed++;
                        LOG.warn("node {}: preparing partition {} failed; it opens on first use", config.nodeId(), p, e);
                    }
                }
                LOG.info("node {}: prepared {} of {} owned partitions in {} ms", config.nodeId(), owned.size() - failed,
                        owned.size(), (System.nanoTime() - startNs) / 1_000_000);
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("node {}: closing; owned partitions not prepared", config.nodeId());
        }
    }

    /** Makes the local store's spaces those of the baseline. */
    private void applySpaces(BaselineState state) {
        Set<String> wanted = new HashSet<>();
        for (SpaceSettings s : state.spaces()) {
            wanted.add(s.name());
            store.createSpace(cluster.spaceConfig(s));
        }
        for (SpaceConfig local : store.listSpaces()) {
            if (!wanted.contains(local.name())) {
                store.dropSpace(local.name());
            }
        }
    }

    /** The live members' ids for cluster queries: the cluster's, or this node alone. */
    private Set<String> liveMemberIds() {
        ClusterControl c = cluster;
        return c == null ? Set.of(Integer.toString(config.nodeId())) : c.liveMemberIds();
    }

    /** The compute grid for cluster queries; null on a one-node cluster. */
    private ClusterCompute compute() {
        ClusterControl c = cluster;
        return c == null ? null : c.compute();
    }

    static StorageConfig storageConfig(NodeConfig c) {
        long entries = Math.max(16, Math.min(1 << 26, c.warmEntriesPerPartition()));
        long avg = Math.max(64, Math.min(1 << 20, c.warmAverageValueSize().bytes()));
        return StorageConfig.builder(c.dataDir())
                .partitions(c.partitions())
                .nodeId(c.nodeId())
                .hotTierMaxBytes(c.hotMaxBytes().bytes())
                .entriesPerSegment((int) entries)
                .averageValueBytes((int) avg)
                .tombstoneGracePeriod(c.tombstoneGrace())
                .build();
    }

    private String endpointOf(int node) {
        TopologyPlacement p = placement;
        if (p == null) {
            return null;
        }
        // A node of the move's source that the target left out still owns (and is suggested for) its partitions.
        return p.member(node).map(Member::endpoint).orElse(null);
    }

    /** The port the gRPC server listens on (the configured one, or the one picked for port 0). */
    public int grpcPort() {
        return grpc.getPort();
    }

    /** The NUMA worker pools' status: mode, pinning and per-pool task counts. */
    public NumaStatus numaStatus() {
        return numa.status();
    }

    /** The port of {@code /health}, {@code /ready} and {@code /metrics}. */
    public int metricsPort() {
        return health.port();
    }

    public int nodeId() {
        return config.nodeId();
    }

    /** True while the node admits client calls. */
    public boolean isReady() {
        return gate.isOpen();
    }

    private void stopGrpc() throws InterruptedException {
        grpc.shutdown();
        if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
            grpc.shutdownNow();
        }
    }

    /** Drains (see the class comment) and releases everything; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        gate.close();
        Duration drain = config.drainTimeout();
        try {
            if (!gate.awaitIdle(drain)) {
                LOG.warn("node {}: {} calls still in flight after the drain timeout {}", config.nodeId(), gate.inFlight(),
                        drain);
            }
            if (replication != null) {
                long deadline = System.nanoTime() + drain.toNanos();
                List<Hint> left = replication.drain().get(drain.toMillis(), TimeUnit.MILLISECONDS);
                if (!left.isEmpty()) {
                    HintHandover.handOver(config.nodeId(), placement, left, deadline, security::peerChannel);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("node {}: hint delivery did not finish: {}; anti-entropy on the remaining replicas repairs what "
                    + "the undelivered hints carried", config.nodeId(), e.toString());
        }
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("node {}: closing {} failed", config.nodeId(), r, e);
            }
        }
        LOG.info("node {} stopped", config.nodeId());
    }

    /** Spaces of a one-node cluster: the local store is the whole truth; epochs are the topology's. */
    private static final class LocalSpaces implements MnemoServiceImpl.SpaceAdmin {
        private final TieredStore store;
        private final NodeConfig config;
        private final java.util.function.LongSupplier epoch;

        LocalSpaces(TieredStore store, NodeConfig config, java.util.function.LongSupplier epoch) {
            this.store = store;
            this.config = config;
            this.epoch = epoch;
        }

        @Override
        public Map.Entry<SpaceConfig, Long> create(SpaceSpec spec) {
            SpaceConfig.Builder b = SpaceConfig.builder(spec.getName())
                    .dimension(spec.getDimension() == 0 ? config.defaultEmbeddingDimension() : spec.getDimension())
                    .maxContentBytes(spec.getMaxContentBytes() == 0 ? config.maxContentBytes().bytesAsInt()
                            : spec.getMaxContentBytes());
            if (spec.getQuotaBytes() > 0) {
                b.quotaBytes(spec.getQuotaBytes());
            }
            return Map.entry(store.createSpace(b.build()), epoch.getAsLong());
        }

        @Override
        public long drop(String name) {
            if (!store.dropSpace(name)) {
                throw new io.mnemo.node.storage.UnknownSpaceException(name);
            }
            return epoch.getAsLong();
        }

        @Override
        public Map.Entry<List<SpaceConfig>, Long> list() {
            return Map.entry(store.listSpaces(), epoch.getAsLong());
        }
    }
}
