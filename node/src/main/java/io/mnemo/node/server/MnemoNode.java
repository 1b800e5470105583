package io.mnemo.node.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.Settings;
import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaSetting;
import io.mnemo.node.numa.NumaWorkers;
import io.mnemo.node.numa.WorkerErrorHandler;
import io.mnemo.node.replication.GrpcReplicaTransport;
import io.mnemo.node.replication.Hint;
import io.mnemo.node.replication.ReplicationConfig;
import io.mnemo.node.replication.ReplicationNode;
import io.mnemo.node.replication.Scheduler;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Mnemo node process, assembled from a {@link NodeConfig}: storage, NUMA workers, replication, one gRPC
 * server carrying {@code MnemoService} and {@code ReplicaService}, and the health/readiness/metrics endpoint.
 *
 * <p><b>What is assembled.</b> A node with no {@code mnemo.cluster.seeds} is a one-node cluster: its topology
 * is itself (epoch 1, P from the configuration, RF 1), and every write is coordinated and acknowledged here.
 * A node with seeds needs membership (Ignite), the Raft ownership log and the baseline control loop wired in;
 * {@link #start} refuses such a configuration with an error naming what is missing instead of pretending to
 * be clustered (see the message in {@link #requireStandalone}).
 *
 * <p><b>Start order</b> (reverse of close): store, NUMA workers, replication, gRPC server (its port is
 * known only once bound, and the topology names it), health endpoint, then the request gate opens and
 * {@code /ready} turns 200.
 *
 * <p><b>Drain</b> ({@link #close()}, also run by the CLI's SIGTERM hook): the gate closes (new calls get
 * UNAVAILABLE and {@code /ready} 503), in-flight calls may finish for up to {@code mnemo.node.drain-timeout},
 * replication delivers what hints it can and returns the rest (handed to a peer when there is one), then the
 * servers stop and the store is closed cleanly. Idempotent and thread-safe.
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

    private MnemoNode(NodeConfig config) {
        this.config = config;
    }

    /**
     * Starts a node and returns once it is ready (serving client calls).
     *
     * @throws IllegalStateException if the configuration asks for a cluster (seeds), which is not assembled yet
     * @throws IOException           if a port cannot be bound
     */
    public static MnemoNode start(NodeConfig config) throws IOException {
        requireStandalone(config);
        MnemoNode node = new MnemoNode(config);
        try {
            node.open();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    private static void requireStandalone(NodeConfig config) {
        if (!config.seeds().isEmpty()) {
            throw new IllegalStateException("mnemo.cluster.seeds is set (" + config.seeds() + "), but this build "
                    + "assembles one-node clusters only: joining needs (1) a setting with the initial Raft member "
                    + "list (node id -> host:raft-port), which io.mnemo.node.config does not have yet, (2) the "
                    + "baseline control loop that feeds Ignite membership to BaselineController and proposes its "
                    + "commands to the ownership log, and (3) a replica transport whose peer addresses follow the "
                    + "topology (GrpcReplicaTransport takes a fixed address map). Start without seeds.");
        }
    }

    private void open() throws IOException {
        int nodeId = config.nodeId();
        int partitions = config.partitions();
        store = TieredStores.open(storageConfig(config));
        resources.push(store);
        LOG.info("node {}: storage open at {} ({} partitions)", nodeId, config.dataDir(), partitions);

        NumaWorkers numa = NumaWorkers.start(NumaConfig.from(this::numaSetting), partitions, WorkerErrorHandler.logging());
        resources.push(numa);
        LOG.info("node {}: NUMA workers: {}", nodeId, numa.status());

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mnemo-replication-timer-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        resources.push(timers::shutdownNow);
        GrpcReplicaTransport transport = new GrpcReplicaTransport(Map.of(), Duration.ofSeconds(2));
        resources.push(transport);
        ReplicationConfig rc = ReplicationConfig.builder(nodeId)
                .writeQuorum(config.get(Settings.WRITE_QUORUM))
                .readQuorum(config.get(Settings.READ_QUORUM))
                .build();
        replication = new ReplicationNode(rc, store, transport, () -> placement, new HybridClock(Clock.systemUTC()),
                Scheduler.of(timers), (loop, error) -> LOG.error("replication loop {} failed", loop, error));
        resources.push(replication);

        MnemoServiceImpl service = new MnemoServiceImpl(nodeId, store, replication, () -> placement.topology(),
                this::endpointOf, new LocalSpaces(store, config, () -> placement.epoch()), gate,
                config.hotMaxBytes().bytes());
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress(config.bindHost(), config.grpcPort()))
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .addService(service)
                .addService(new io.mnemo.node.replication.ReplicaServiceImpl(replication.handler(), this::endpointOf))
                .build()
                .start();
        resources.push(this::stopGrpc);
        String endpoint = config.bindHost() + ":" + grpc.getPort();
        placement = new TopologyPlacement(Topology.of(1, partitions, 1,
                List.of(Member.of(Integer.toString(nodeId), endpoint, 1, null))));
        replication.start();

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        resources.push(registry::close);
        Gauge.builder("mnemo_requests_in_flight", gate, RequestGate::inFlight)
                .description("Client calls being served").register(registry);
        Gauge.builder("mnemo_ready", gate, g -> g.isOpen() ? 1 : 0)
                .description("1 while the node admits client calls").register(registry);
        Gauge.builder("mnemo_hints_pending", replication, r -> r.pendingHints())
                .description("Writes kept for replicas that missed them").register(registry);
        Gauge.builder("mnemo_topology_epoch", this, n -> n.placement.epoch())
                .description("Topology epoch this node routes by").register(registry);
        health = new HealthServer(new InetSocketAddress(config.bindHost(), config.metricsPort()), gate::isOpen, registry);
        resources.push(health);
        gate.open();
        LOG.info("node {} ready: gRPC {} , health/metrics http://{}:{}/", nodeId, endpoint, config.bindHost(),
                health.port());
    }

    /** A NUMA setting's text for {@link NumaConfig#from}; the configuration's empty text means "not set". */
    private String numaSetting(NumaSetting s) {
        String text = s == NumaSetting.MODE ? config.numaMode().settingValue() : config.numa(s);
        return text == null || text.isEmpty() ? null : text;
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
        return p.topology().member(Integer.toString(node)).map(Member::endpoint).orElse(null);
    }

    /** The port the gRPC server listens on (the configured one, or the one picked for port 0). */
    public int grpcPort() {
        return grpc.getPort();
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
                List<Hint> left = replication.drain().get(drain.toMillis(), TimeUnit.MILLISECONDS);
                if (!left.isEmpty()) {
                    // A one-node cluster has no peer to hand hints to; a hint here targets a node that left.
                    LOG.warn("node {}: {} hints undelivered at shutdown and no peer to hand them to", config.nodeId(),
                            left.size());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("node {}: hint hand-over did not finish: {}", config.nodeId(), e.toString());
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
