package io.mnemo.node.server;

import io.mnemo.node.cluster.membership.ClusterCompute;
import io.mnemo.node.cluster.membership.ClusterMember;
import io.mnemo.node.cluster.membership.DiscoveryMode;
import io.mnemo.node.cluster.membership.IgniteMembership;
import io.mnemo.node.cluster.membership.LocalServices;
import io.mnemo.node.cluster.membership.MembershipConfig;
import io.mnemo.node.cluster.ownership.BaselineCommand;
import io.mnemo.node.cluster.ownership.BaselineController;
import io.mnemo.node.cluster.ownership.BaselineRejectedException;
import io.mnemo.node.cluster.ownership.BaselineState;
import io.mnemo.node.cluster.ownership.EpochListener;
import io.mnemo.node.cluster.ownership.LiveNode;
import io.mnemo.node.cluster.ownership.NoQuorumException;
import io.mnemo.node.cluster.ownership.OwnershipLog;
import io.mnemo.node.cluster.ownership.RaftOwnershipConfig;
import io.mnemo.node.cluster.ownership.RaftOwnershipLog;
import io.mnemo.node.cluster.ownership.SpaceSettings;
import io.mnemo.node.config.HostPort;
import io.mnemo.node.config.NodeConfig;
import io.mnemo.node.config.RaftMember;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.SpaceSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster side of a node: Ignite membership (who is alive), the Raft ownership log (the baseline, advanced
 * by a majority) and the control loop between them. Every {@value #TICK_MS} ms, and only on the Raft leader,
 * the loop gives the live members and the current baseline to {@link BaselineController} and proposes what it
 * decides (bootstrap Init, joins after a settle delay, removals after a long absence). Every node, leader or
 * not, learns each committed epoch through the log's epoch listener, which the assembly turns into routing.
 *
 * <p>Spaces are baseline state too: create and drop are proposals, so every node applies the same spaces at
 * the same epoch, and list answers what this node has applied (so its epoch is one the node routes by). The
 * baseline carries a space's name, dimension and quota but no content limit, so every
 * space of a cluster uses the node's default content limit.
 *
 * <p>Threads: one daemon timer runs the loop; a failed tick is logged and counted and the loop goes on
 * ({@code Error}s end it). Proposals complete on the log's threads. Close is idempotent.
 */
final class ClusterControl implements AutoCloseable, MnemoServiceImpl.SpaceAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterControl.class);
    static final long TICK_MS = 500;
    private static final Duration PROPOSE_WAIT = Duration.ofSeconds(15);
    /** Ports after mnemo.ignite.communication-port that Ignite may take when it is busy (the setting says 100). */
    private static final int COMMUNICATION_PORT_RANGE = 100;
    /**
     * The baseline's quota for "no quota": the wire says 0, but a baseline space's quota must be at least 1
     * ({@code SpaceSettings}), so no quota is stored as the largest value.
     */
    static final long NO_QUOTA = Long.MAX_VALUE;

    private final NodeConfig config;
    private final IgniteMembership membership;
    private final OwnershipLog log;
    private final BaselineController controller;
    private final ScheduledExecutorService timer;
    private final OwnershipLog.Subscription subscription;
    private final AtomicLong tickFailures = new AtomicLong();
    /** The newest baseline this node has applied (routing, peers, spaces); guarded by its monitor. */
    private BaselineState applied = BaselineState.empty();

    private ClusterControl(NodeConfig config, IgniteMembership membership, OwnershipLog log, EpochListener onEpoch,
                           int voters) {
        this.config = config;
        this.membership = membership;
        this.log = log;
        this.controller = new BaselineController(BaselineController.Settings.builder()
                .settleDelay(Duration.ofSeconds(1))
                .removeAfter(Duration.ofMinutes(5))
                .retryInterval(Duration.ofSeconds(2))
                .raftGroupSize(voters)
                .bootstrap(config.partitions(), config.replicationFactor())
                .build());
        this.subscription = log.addEpochListener(onEpoch);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mnemo-baseline-control-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Joins membership, starts this node's member of the ownership log and the control loop.
     *
     * @param grpcEndpoint where peers and clients reach this node
     * @param onEpoch      told every committed baseline, on the log's listener thread
     */
    static ClusterControl start(NodeConfig config, String grpcEndpoint, EpochListener onEpoch) throws Exception {
        return start(config, grpcEndpoint, onEpoch, new LocalServices());
    }

    /**
     * As {@link #start(NodeConfig, String, EpochListener)}, with the node-local services cluster jobs use on this
     * node (registered before membership starts, so a job arriving early finds them).
     */
    static ClusterControl start(NodeConfig config, String grpcEndpoint, EpochListener onEpoch, LocalServices services)
            throws Exception {
        // NodeConfig has checked the voters: ids and addresses unique, this node included.
        List<RaftMember> raftMembers = config.raftMembers();
        List<String> seeds = new ArrayList<>();
        for (HostPort s : config.seeds()) {
            seeds.add(s.toString());
        }
        MembershipConfig mc = MembershipConfig.builder()
                .nodeId(Integer.toString(config.nodeId()))
                .grpcEndpoint(grpcEndpoint)
                .bindAddress(config.bindHost())
                .discoveryPorts(config.igniteDiscoveryPort(), 0)
                .communicationPorts(config.igniteCommunicationPort(), COMMUNICATION_PORT_RANGE)
                .discoveryMode(DiscoveryMode.STATIC)
                .seeds(seeds)
                .failureDetectionTimeout(config.igniteFailureDetectionTimeout())
                .workDirectory(config.dataDir().resolve("ignite"))
                .build();
        IgniteMembership membership = IgniteMembership.start(mc, services);
        RaftOwnershipLog log;
        try {
            RaftOwnershipConfig.Builder rc = RaftOwnershipConfig.builder()
                    .nodeId(Integer.toString(config.nodeId()))
                    .bind(InetAddress.getByName(config.bindHost()), config.raftPort())
                    .dataDir(config.dataDir().resolve("raft"));
            for (RaftMember m : raftMembers) {
                rc.raftMember(Integer.toString(m.nodeId()),
                        new InetSocketAddress(m.address().host(), m.address().port()));
            }
            log = RaftOwnershipLog.start(rc.build());
        } catch (Exception e) {
            membership.close();
            throw e;
        }
        return new ClusterControl(config, membership, log, onEpoch, raftMembers.size());
    }

    BaselineState current() {
        return log.current();
    }

    /** The compute grid over the live members (cluster queries scatter through it). */
    ClusterCompute compute() {
        return membership.compute();
    }

    /** The node ids of the live members now, this node included. */
    Set<String> liveMemberIds() {
        Set<String> ids = new java.util.HashSet<>();
        for (ClusterMember m : membership.liveMembers()) {
            ids.add(m.nodeId());
        }
        return ids;
    }

    /** Records that this node now routes by {@code state} (the assembly calls it after applying a baseline). */
    synchronized void applied(BaselineState state) {
        if (state.epoch() > applied.epoch()) {
            applied = state;
            notifyAll();
        }
    }

    private synchronized BaselineState applied() {
        return applied;
    }

    /** Waits up to {@code timeout} until this node applied {@code epoch}; true if it did. */
    private synchronized boolean awaitApplied(long epoch, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (applied.epoch() < epoch) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0) {
                return false;
            }
            try {
                wait(leftMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void tick() {
        try {
            if (!log.isLeader()) {
                return;
            }
            List<LiveNode> live = new ArrayList<>();
            for (ClusterMember m : membership.liveMembers()) {
                live.add(new LiveNode(m.nodeId(), m.endpoint(), 1, m.zone().isEmpty() ? null : m.zone()));
            }
            for (BaselineCommand c : controller.decide(System.nanoTime(), System.currentTimeMillis(), log.current(),
                    live, Set.of())) {
                LOG.info("node {} (Raft leader) proposes {}", config.nodeId(), c);
                log.propose(c).whenComplete((s, e) -> {
                    if (e != null) {
                        LOG.warn("proposal {} failed: {}", c, e.toString());
                    }
                });
            }
        } catch (RuntimeException e) {
            tickFailures.incrementAndGet();
            LOG.error("baseline control tick failed ({} so far)", tickFailures.get(), e);
        }
    }

    long tickFailures() {
        return tickFailures.get();
    }

    /** The node-local form of a baseline space. */
    SpaceConfig spaceConfig(SpaceSettings s) {
        SpaceConfig.Builder b = SpaceConfig.builder(s.name()).dimension(s.dimension())
                .maxContentBytes(config.maxContentBytes().bytesAsInt());
        if (s.quotaBytes() != NO_QUOTA) {
            b.quotaBytes(s.quotaBytes());
        }
        return b.build();
    }

    @Override
    public Map.Entry<SpaceConfig, Long> create(SpaceSpec spec) {
        SpaceConfig.validateName(spec.getName());
        int defaultMax = config.maxContentBytes().bytesAsInt();
        if (spec.getMaxContentBytes() != 0 && spec.getMaxContentBytes() != defaultMax) {
            throw Errors.invalidArgument("spec.max_content_bytes", "a per-space content limit is not carried by the "
                    + "cluster baseline yet; leave it 0 for the node default", defaultMax + " bytes");
        }
        int dimension = spec.getDimension() == 0 ? config.defaultEmbeddingDimension() : spec.getDimension();
        BaselineCommand.CreateSpace command;
        try {
            long quota = spec.getQuotaBytes() == 0 ? NO_QUOTA : spec.getQuotaBytes();
            command = new BaselineCommand.CreateSpace(spec.getName(), dimension, quota);
        } catch (IllegalArgumentException e) {
            throw Errors.invalidArgument("spec", e.getMessage(), "");
        }
        BaselineState s = commit(command, "spec");
        // "Created" means usable through this node: wait until it routes by the epoch that created the space.
        if (!awaitApplied(s.epoch(), PROPOSE_WAIT)) {
            throw Errors.unavailable("space " + spec.getName() + " committed at epoch " + s.epoch()
                    + " but this node has not applied it yet", 500);
        }
        SpaceSettings created = s.space(spec.getName())
                .orElseThrow(() -> new IllegalStateException("space " + spec.getName() + " missing after its commit"));
        return Map.entry(spaceConfig(created), s.epoch());
    }

    @Override
    public long drop(String name) {
        if (log.current().space(name).isEmpty()) {
            throw new io.mnemo.node.storage.UnknownSpaceException(name);
        }
        long epoch = commit(new BaselineCommand.DropSpace(name), "name").epoch();
        awaitApplied(epoch, PROPOSE_WAIT);
        return epoch;
    }

    @Override
    public Map.Entry<List<SpaceConfig>, Long> list() {
        BaselineState s = applied();
        List<SpaceConfig> spaces = new ArrayList<>();
        s.spaces().forEach(sp -> spaces.add(spaceConfig(sp)));
        return Map.entry(spaces, s.epoch());
    }

    /**
     * Proposes an operator's membership change (add, drain, remove) and waits for its commit. A removal is refused
     * while membership sees the node alive: the control loop would add a live non-member back after the settle delay,
     * so the removal would not last.
     *
     * @return the committed state in which the change is in effect
     * @throws io.grpc.StatusRuntimeException unavailable (no quorum, retryable) or invalid_argument on {@code id}
     *                                        (rejected, or removing a live node)
     */
    BaselineState changeMembership(BaselineCommand command) {
        if (command instanceof BaselineCommand.RemoveMember remove) {
            for (ClusterMember m : membership.liveMembers()) {
                if (m.nodeId().equals(remove.id())) {
                    throw Errors.invalidArgument("id", "node " + remove.id() + " is still alive (" + m.endpoint()
                            + "): a live node that is not in the baseline joins again after the settle delay; drain "
                            + "it, stop its process, then remove it", "");
                }
            }
        }
        LOG.info("node {}: operator proposes {}", config.nodeId(), command);
        return commit(command, "id");
    }

    /**
     * Commits this node's confirmation that it holds every partition it gains in the placement change of
     * {@code ownershipEpoch} (the rebalancer calls it after streaming); throws like the other proposals.
     */
    void confirmMoves(long ownershipEpoch) {
        commit(new BaselineCommand.ConfirmMoves(Integer.toString(config.nodeId()), ownershipEpoch), "id");
    }

    /**
     * Proposes {@code command} and waits for its commit; maps the log's refusals to typed errors, a rejection to
     * invalid_argument on {@code field} with the rejection kind leading the reason.
     */
    private BaselineState commit(BaselineCommand command, String field) {
        CompletableFuture<BaselineState> f = log.propose(command);
        try {
            return f.get(PROPOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errors.unavailable("interrupted while committing " + command, 0);
        } catch (TimeoutException e) {
            throw Errors.unavailable("the ownership log did not commit " + command + " within " + PROPOSE_WAIT, 1000);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoQuorumException) {
                throw Errors.unavailable("the ownership log has no quorum: " + cause.getMessage(), 1000);
            }
            if (cause instanceof BaselineRejectedException rejected) {
                throw Errors.invalidArgument(field, rejected.reason() + ": " + cause.getMessage(), "");
            }
            throw new IllegalStateException("committing " + command + " failed", cause);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.warn("closing the epoch subscription failed", e);
        }
        log.close();
        membership.close();
    }
}
