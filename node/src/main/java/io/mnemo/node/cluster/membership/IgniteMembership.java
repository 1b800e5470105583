package io.mnemo.node.cluster.membership;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.events.DiscoveryEvent;
import org.apache.ignite.events.Event;
import org.apache.ignite.events.EventType;
import org.apache.ignite.lang.IgnitePredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Membership} on an embedded Apache Ignite server node (see {@link IgniteConfigFactory} for how the
 * node is set up). Mnemo's node id, gRPC endpoint, zone and cluster name travel as Ignite user attributes;
 * an Ignite node without Mnemo's attributes, or of another cluster name, is not a member.
 *
 * <p>Threads: Ignite's discovery notifier thread calls {@link #onIgniteEvent}, which only converts and
 * queues; listeners run on the {@link ListenerDispatcher}'s thread. The class holds no lock: its state is
 * the Ignite node (thread-safe), the {@code closed} flag and the {@code stoppedReason} (set once).
 */
public final class IgniteMembership implements Membership {
    static final String ATTR_NODE_ID = "mnemo.node.id";
    static final String ATTR_ENDPOINT = "mnemo.node.endpoint";
    static final String ATTR_ZONE = "mnemo.node.zone";
    static final String ATTR_CLUSTER = "mnemo.cluster";

    private static final Logger LOG = LoggerFactory.getLogger(IgniteMembership.class);

    private final MembershipConfig config;
    private final ClusterMember local;
    private final ListenerDispatcher dispatcher;
    private final MembershipFailureHandler failureHandler;
    private final NodeContext context;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why Ignite was stopped under us (failure handler); null while it runs. Written once. */
    private volatile String stoppedReason;
    /** Set once by {@link #start} before it returns; volatile so that any publication of this object is safe. */
    private volatile Ignite ignite;
    private volatile IgniteClusterCompute compute;

    private IgniteMembership(MembershipConfig config, LocalServices services) {
        this.config = config;
        this.local = new ClusterMember(config.nodeId(), config.grpcEndpoint(), config.zone());
        this.dispatcher = new ListenerDispatcher(config.nodeId());
        this.failureHandler = new MembershipFailureHandler(this::onLocalStopped);
        this.context = new NodeContext(config.nodeId(), services);
    }

    /**
     * Starts the embedded Ignite node and joins (or forms) the cluster. Blocks until joined.
     *
     * @param services the node-local services jobs may use; the node may keep registering into it
     * @throws MembershipStartException if the node cannot start or join (the message says why)
     */
    public static IgniteMembership start(MembershipConfig config, LocalServices services) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(services, "services");
        IgniteMembership membership = new IgniteMembership(config, services);
        membership.startIgnite();
        return membership;
    }

    private void startIgnite() {
        Map<String, Object> attributes = Map.of(ATTR_NODE_ID, config.nodeId(), ATTR_ENDPOINT, config.grpcEndpoint(),
                ATTR_ZONE, config.zone(), ATTR_CLUSTER, config.clusterName());
        IgnitePredicate<Event> listener = this::onIgniteEvent;
        long t0 = System.nanoTime();
        try {
            NodeContexts.register(config.instanceName(), context);
            ignite = Ignition.start(IgniteConfigFactory.create(config, attributes, listener, failureHandler));
        } catch (IgniteException | IllegalStateException e) {
            NodeContexts.unregister(config.instanceName(), context);
            dispatcher.close(0);
            throw new MembershipStartException(config, e);
        }
        compute = new IgniteClusterCompute(this);
        LOG.info("node {} joined cluster {} in {} ms: {} live members", config.nodeId(), config.clusterName(),
                (System.nanoTime() - t0) / 1_000_000, liveMembers().size());
    }

    /** The compute grid over this membership's members. */
    public ClusterCompute compute() {
        checkOpen();
        return compute;
    }

    @Override
    public ClusterMember localMember() {
        checkOpen();
        return local;
    }

    @Override
    public List<ClusterMember> liveMembers() {
        List<ClusterMember> members = new ArrayList<>();
        for (ClusterNode node : serverNodes()) {
            ClusterMember member = toMember(node);
            if (member != null) {
                members.add(member);
            }
        }
        members.sort(Comparator.comparing(ClusterMember::nodeId));
        return List.copyOf(members);
    }

    @Override
    public Optional<ClusterMember> member(String nodeId) {
        return Optional.ofNullable(igniteNode(nodeId)).map(this::toMember);
    }

    @Override
    public void addListener(MembershipListener listener) {
        checkOpen();
        dispatcher.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public boolean removeListener(MembershipListener listener) {
        return dispatcher.remove(listener);
    }

    @Override
    public long listenerFailureCount() {
        return dispatcher.failureCount();
    }

    /** Failures Ignite reported that the node carried on through (blocked workers, slow operations). */
    public long minorFailureCount() {
        return failureHandler.minorFailureCount();
    }

    /** Critical Ignite failures; each stopped the membership layer. */
    public long criticalFailureCount() {
        return failureHandler.criticalFailureCount();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            // cancel = true: running jobs are interrupted rather than waited for; callers see NODE_LEFT.
            Ignition.stop(config.instanceName(), true);
        } finally {
            NodeContexts.unregister(config.instanceName(), context);
            dispatcher.close();
        }
        LOG.info("node {} left cluster {} in {} ms", config.nodeId(), config.clusterName(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public String toString() {
        return "IgniteMembership{" + local + (closed.get() ? ", closed" : "") + "}";
    }

    /** The Ignite node of the live member {@code nodeId}, or null. */
    ClusterNode igniteNode(String nodeId) {
        for (ClusterNode node : serverNodes()) {
            if (nodeId.equals(node.attribute(ATTR_NODE_ID)) && config.clusterName().equals(node.attribute(ATTR_CLUSTER))) {
                return node;
            }
        }
        return null;
    }

    Ignite ignite() {
        checkOpen();
        return ignite;
    }

    void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("membership of node " + config.nodeId() + " is closed");
        }
        String reason = stoppedReason;
        if (reason != null) {
            throw new IllegalStateException("membership of node " + config.nodeId() + " was stopped by a failure: " + reason);
        }
    }

    private Collection<ClusterNode> serverNodes() {
        checkOpen();
        try {
            return ignite.cluster().forServers().nodes();
        } catch (IllegalStateException | IgniteException e) {
            checkOpen();
            throw new IllegalStateException("membership of node " + config.nodeId() + " is not available: " + e, e);
        }
    }

    private ClusterMember toMember(ClusterNode node) {
        Object id = node.attribute(ATTR_NODE_ID);
        if (id == null || !config.clusterName().equals(node.attribute(ATTR_CLUSTER))) {
            return null;
        }
        return new ClusterMember(id.toString(), String.valueOf(node.<Object>attribute(ATTR_ENDPOINT)),
                String.valueOf(node.<Object>attribute(ATTR_ZONE)));
    }

    /** Runs on Ignite's discovery notifier thread: convert and hand over, never block. */
    private boolean onIgniteEvent(Event event) {
        if (!(event instanceof DiscoveryEvent discovery)) {
            return true;
        }
        MembershipEvent.Kind kind;
        switch (discovery.type()) {
            case EventType.EVT_NODE_JOINED -> kind = MembershipEvent.Kind.JOINED;
            case EventType.EVT_NODE_LEFT -> kind = MembershipEvent.Kind.LEFT;
            case EventType.EVT_NODE_FAILED -> kind = MembershipEvent.Kind.FAILED;
            case EventType.EVT_NODE_SEGMENTED -> {
                LOG.error("node {} was segmented from cluster {}", config.nodeId(), config.clusterName());
                return true;
            }
            default -> {
                return true;
            }
        }
        ClusterMember member = toMember(discovery.eventNode());
        if (member == null) {
            LOG.warn("ignoring {} of an Ignite node that is not a member of cluster {}: {}", kind, config.clusterName(),
                    discovery.eventNode());
            return true;
        }
        LOG.info("node {} saw {} {} (topology version {})", config.nodeId(), member.nodeId(), kind, discovery.topologyVersion());
        dispatcher.dispatch(new MembershipEvent(kind, member, discovery.topologyVersion()));
        return true;
    }

    private void onLocalStopped(String reason) {
        stoppedReason = reason;
        dispatcher.dispatch(new MembershipEvent(MembershipEvent.Kind.LOCAL_STOPPED, local, -1));
    }
}
