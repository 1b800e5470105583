package io.mnemo.node.cluster.membership;

import java.util.Map;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.SystemDataRegionConfiguration;
import org.apache.ignite.events.Event;
import org.apache.ignite.events.EventType;
import org.apache.ignite.failure.FailureHandler;
import org.apache.ignite.kubernetes.configuration.KubernetesConnectionConfiguration;
import org.apache.ignite.lang.IgnitePredicate;
import org.apache.ignite.plugin.segmentation.SegmentationPolicy;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.TcpDiscoveryIpFinder;
import org.apache.ignite.spi.discovery.tcp.ipfinder.kubernetes.TcpDiscoveryKubernetesIpFinder;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/**
 * Turns a {@link MembershipConfig} into the {@link IgniteConfiguration} of an embedded server node that
 * only does discovery and compute. Each choice is explained where it is made.
 */
final class IgniteConfigFactory {
    /** Discovery events the membership listens to; Ignite records no event type unless asked. */
    static final int[] MEMBERSHIP_EVENTS = {
        EventType.EVT_NODE_JOINED, EventType.EVT_NODE_LEFT, EventType.EVT_NODE_FAILED, EventType.EVT_NODE_SEGMENTED,
    };

    private IgniteConfigFactory() {
    }

    static IgniteConfiguration create(MembershipConfig c, Map<String, Object> attributes,
            IgnitePredicate<Event> listener, FailureHandler failureHandler) {
        IgniteConfiguration cfg = new IgniteConfiguration()
                .setIgniteInstanceName(c.instanceName())
                .setConsistentId(c.nodeId())
                .setUserAttributes(attributes)
                .setLocalHost(c.bindAddress())
                .setWorkDirectory(c.workDirectory().toString())
                .setGridLogger(Slf4jIgniteLogger.root(c.igniteLogLevel()))
                // Jobs are classes on every node's classpath; peer class loading would ship code between nodes.
                .setPeerClassLoadingEnabled(false)
                .setMetricsLogFrequency(0)
                .setFailureDetectionTimeout(c.failureDetectionTimeout().toMillis())
                // Metrics updates double as discovery heartbeats: keep them well inside the failure detection timeout.
                .setMetricsUpdateFrequency(Math.max(100, Math.min(2_000, c.failureDetectionTimeout().toMillis() / 2)))
                // The node never talks to clients other than Ignite server peers: no thin-client or REST ports.
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null)
                .setFailureHandler(failureHandler)
                // Segmentation (this node dropped by the others) goes through the failure handler: stop Ignite, not the JVM.
                .setSegmentationPolicy(SegmentationPolicy.USE_FAILURE_HANDLER)
                .setIncludeEventTypes(MEMBERSHIP_EVENTS)
                // Registered before start so that no event between start and registration is lost.
                .setLocalEventListeners(Map.of(listener, MEMBERSHIP_EVENTS))
                .setDataStorageConfiguration(dataStorage(c))
                .setDiscoverySpi(discovery(c))
                .setCommunicationSpi(communication(c));
        // Ignite sizes most pools at max(8, cores); with no caches, SQL or services they idle. Small pools keep
        // start-up fast and thread counts sane when tests run three nodes in one JVM. The public pool runs jobs.
        int small = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        cfg.setPublicThreadPoolSize(c.computeThreads())
                .setSystemThreadPoolSize(small)
                .setStripedPoolSize(small)
                .setAsyncCallbackPoolSize(2)
                .setManagementThreadPoolSize(1)
                .setServiceThreadPoolSize(1)
                .setUtilityCachePoolSize(2)
                .setDataStreamerThreadPoolSize(1)
                .setQueryThreadPoolSize(1)
                .setPeerClassLoadingThreadPoolSize(1)
                .setRebalanceThreadPoolSize(1)
                .setBuildIndexThreadPoolSize(1)
                .setSnapshotThreadPoolSize(1);
        return cfg;
    }

    /**
     * No persistence and tiny regions. Mnemo creates no Ignite cache, so the default region holds nothing;
     * the system region holds Ignite's own small internal caches. Ignite allocates a region's initial size
     * off-heap at start (pages become resident only when touched) and fails with a critical error when a
     * region is full, so initial = max for the default region (nothing grows there) and the system region
     * may grow to a bounded maximum well above what compute-only use needs. Should a region ever fill up,
     * {@link MembershipFailureHandler} stops Ignite, not the JVM.
     */
    private static DataStorageConfiguration dataStorage(MembershipConfig c) {
        long systemInitial = Math.min(MembershipConfig.MIN_REGION_BYTES * 2, c.systemRegionMaxBytes());
        return new DataStorageConfiguration()
                .setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                        .setName("mnemo-unused-default")
                        .setPersistenceEnabled(false)
                        .setInitialSize(c.dataRegionBytes())
                        .setMaxSize(c.dataRegionBytes()))
                .setSystemDataRegionConfiguration(new SystemDataRegionConfiguration()
                        .setInitialSize(systemInitial)
                        .setMaxSize(c.systemRegionMaxBytes()));
    }

    private static TcpDiscoverySpi discovery(MembershipConfig c) {
        TcpDiscoverySpi spi = new TcpDiscoverySpi()
                .setLocalAddress(c.bindAddress())
                .setLocalPort(c.discoveryPort())
                .setLocalPortRange(c.discoveryPortRange())
                .setJoinTimeout(c.joinTimeout().toMillis())
                .setIpFinder(ipFinder(c));
        // Socket and ack timeouts are left unset on purpose: Ignite then derives them from failureDetectionTimeout.
        return spi;
    }

    private static TcpDiscoveryIpFinder ipFinder(MembershipConfig c) {
        if (c.discoveryMode() == DiscoveryMode.KUBERNETES) {
            KubernetesConnectionConfiguration k8s = new KubernetesConnectionConfiguration()
                    .setNamespace(c.kubernetesNamespace())
                    .setServiceName(c.kubernetesServiceName())
                    .setDiscoveryPort(c.discoveryPort())
                    // Pods become ready only after they joined; waiting for readiness to find peers would deadlock.
                    .setIncludeNotReadyAddresses(true);
            return new TcpDiscoveryKubernetesIpFinder(k8s);
        }
        return new TcpDiscoveryVmIpFinder(false).setAddresses(c.seeds());
    }

    private static TcpCommunicationSpi communication(MembershipConfig c) {
        return new TcpCommunicationSpi()
                .setLocalAddress(c.bindAddress())
                .setLocalPort(c.communicationPort())
                .setLocalPortRange(c.communicationPortRange())
                .setConnectionsPerNode(1)
                // Bounds the outbound queue per peer (Ignite's default 0 means unbounded); jobs and results are small.
                .setMessageQueueLimit(4_096)
                .setUsePairedConnections(false);
    }
}
