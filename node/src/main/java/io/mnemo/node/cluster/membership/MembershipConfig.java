package io.mnemo.node.cluster.membership;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.event.Level;

/**
 * Immutable settings of one node's membership layer, built by a validating {@link Builder}: a setter
 * rejects a bad value (naming it) and refuses being called twice; {@link Builder#build()} checks the
 * settings against each other.
 *
 * <p>Ports follow Ignite's range rule: a node binds the first free port in {@code [port, port + range]}.
 */
public final class MembershipConfig {
    /** Node ids, zone and cluster names: safe in Ignite instance names, file names and log lines. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** A seed: {@code host:port} or {@code host:from..to}; IPv6 hosts in brackets. */
    private static final Pattern SEED = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^\\s:\\[\\]]+):\\d{1,5}(\\.\\.\\d{1,5})?");
    private static final long MIB = 1024L * 1024L;
    /** Ignite refuses data regions under 10 MiB. */
    static final long MIN_REGION_BYTES = 10 * MIB;

    private final String clusterName;
    private final String nodeId;
    private final String grpcEndpoint;
    private final String zone;
    private final String bindAddress;
    private final int discoveryPort;
    private final int discoveryPortRange;
    private final int communicationPort;
    private final int communicationPortRange;
    private final DiscoveryMode discoveryMode;
    private final List<String> seeds;
    private final String kubernetesNamespace;
    private final String kubernetesServiceName;
    private final Duration failureDetectionTimeout;
    private final Duration joinTimeout;
    private final Path workDirectory;
    private final int computeThreads;
    private final long dataRegionBytes;
    private final long systemRegionMaxBytes;
    private final Level igniteLogLevel;

    private MembershipConfig(Builder b) {
        clusterName = b.clusterName;
        nodeId = b.nodeId;
        grpcEndpoint = b.grpcEndpoint;
        zone = b.zone;
        bindAddress = b.bindAddress;
        discoveryPort = b.discoveryPort;
        discoveryPortRange = b.discoveryPortRange;
        communicationPort = b.communicationPort;
        communicationPortRange = b.communicationPortRange;
        discoveryMode = b.discoveryMode;
        seeds = b.seeds != null ? b.seeds
                : List.of(hostForSeed(b.bindAddress) + ":" + b.discoveryPort + ".." + (b.discoveryPort + b.discoveryPortRange));
        kubernetesNamespace = b.kubernetesNamespace;
        kubernetesServiceName = b.kubernetesServiceName;
        failureDetectionTimeout = b.failureDetectionTimeout;
        joinTimeout = b.joinTimeout;
        workDirectory = b.workDirectory;
        computeThreads = b.computeThreads;
        dataRegionBytes = b.dataRegionBytes;
        systemRegionMaxBytes = b.systemRegionMaxBytes;
        igniteLogLevel = b.igniteLogLevel;
    }

    /** A builder with every default set; {@code nodeId}, {@code grpcEndpoint} and {@code workDirectory} are required. */
    public static Builder builder() {
        return new Builder();
    }

    public String clusterName() {
        return clusterName;
    }

    public String nodeId() {
        return nodeId;
    }

    public String grpcEndpoint() {
        return grpcEndpoint;
    }

    public String zone() {
        return zone;
    }

    public String bindAddress() {
        return bindAddress;
    }

    public int discoveryPort() {
        return discoveryPort;
    }

    public int discoveryPortRange() {
        return discoveryPortRange;
    }

    public int communicationPort() {
        return communicationPort;
    }

    public int communicationPortRange() {
        return communicationPortRange;
    }

    public DiscoveryMode discoveryMode() {
        return discoveryMode;
    }

    /** Seed addresses for {@link DiscoveryMode#STATIC}; defaults to the local discovery port range. */
    public List<String> seeds() {
        return seeds;
    }

    public String kubernetesNamespace() {
        return kubernetesNamespace;
    }

    public String kubernetesServiceName() {
        return kubernetesServiceName;
    }

    public Duration failureDetectionTimeout() {
        return failureDetectionTimeout;
    }

    public Duration joinTimeout() {
        return joinTimeout;
    }

    public Path workDirectory() {
        return workDirectory;
    }

    public int computeThreads() {
        return computeThreads;
    }

    public long dataRegionBytes() {
        return dataRegionBytes;
    }

    public long systemRegionMaxBytes() {
        return systemRegionMaxBytes;
    }

    public Level igniteLogLevel() {
        return igniteLogLevel;
    }

    /** The Ignite instance name: one per node id, so two nodes with the same id cannot run in one JVM. */
    String instanceName() {
        return "mnemo-" + clusterName + "-" + nodeId;
    }

    private static String hostForSeed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return "MembershipConfig{cluster=" + clusterName + ", node=" + nodeId + ", grpc=" + grpcEndpoint + ", zone=" + zone
                + ", bind=" + bindAddress + ", discovery=" + discoveryMode + " " + discoveryPort + "+" + discoveryPortRange
                + ", communication=" + communicationPort + "+" + communicationPortRange + ", seeds=" + seeds
                + ", failureDetection=" + failureDetectionTimeout + "}";
    }

    /**
     * Builds a {@link MembershipConfig}. Every setter validates its argument and may be called once.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setter</th><th>default</th></tr>
     *   <tr><td>clusterName</td><td>{@code mnemo}</td></tr>
     *   <tr><td>nodeId</td><td>required</td></tr>
     *   <tr><td>grpcEndpoint</td><td>required</td></tr>
     *   <tr><td>zone</td><td>empty (no zone)</td></tr>
     *   <tr><td>bindAddress</td><td>{@code 127.0.0.1}</td></tr>
     *   <tr><td>discoveryPort / discoveryPortRange</td><td>47500 / 10</td></tr>
     *   <tr><td>communicationPort / communicationPortRange</td><td>47100 / 10</td></tr>
     *   <tr><td>discoveryMode</td><td>{@code STATIC}</td></tr>
     *   <tr><td>seeds</td><td>{@code bindAddress:discoveryPort..discoveryPort+range}</td></tr>
     *   <tr><td>kubernetesNamespace / kubernetesServiceName</td><td>{@code default} / {@code mnemo-discovery}</td></tr>
     *   <tr><td>failureDetectionTimeout</td><td>2 s</td></tr>
     *   <tr><td>joinTimeout</td><td>30 s</td></tr>
     *   <tr><td>workDirectory</td><td>required</td></tr>
     *   <tr><td>computeThreads</td><td>4</td></tr>
     *   <tr><td>dataRegionBytes</td><td>16 MiB</td></tr>
     *   <tr><td>systemRegionMaxBytes</td><td>64 MiB</td></tr>
     *   <tr><td>igniteLogLevel</td><td>{@code WARN}</td></tr>
     * </table>
     */
    public static final class Builder {
        private final Set<String> assigned = new HashSet<>();
        private String clusterName = "mnemo";
        private String nodeId;
        private String grpcEndpoint;
        private String zone = "";
        private String bindAddress = "127.0.0.1";
        private int discoveryPort = 47500;
        private int discoveryPortRange = 10;
        private int communicationPort = 47100;
        private int communicationPortRange = 10;
        private DiscoveryMode discoveryMode = DiscoveryMode.STATIC;
        private List<String> seeds;
        private String kubernetesNamespace = "default";
        private String kubernetesServiceName = "mnemo-discovery";
        private Duration failureDetectionTimeout = Duration.ofSeconds(2);
        private Duration joinTimeout = Duration.ofSeconds(30);
        private Path workDirectory;
        private int computeThreads = 4;
        private long dataRegionBytes = 16 * MIB;
        private long systemRegionMaxBytes = 64 * MIB;
        private Level igniteLogLevel = Level.WARN;

        private Builder() {
        }

        /** Name shared by every node of one cluster; nodes of another cluster name are not members. */
        public Builder clusterName(String value) {
            clusterName = name("clusterName", value);
            return this;
        }

        /** Mnemo's stable node id: 1..64 characters of {@code [A-Za-z0-9._-]}, starting with a letter or digit. */
        public Builder nodeId(String value) {
            nodeId = name("nodeId", value);
            return this;
        }

        /** The gRPC endpoint ({@code host:port}) published to the other members. */
        public Builder grpcEndpoint(String value) {
            once("grpcEndpoint", value);
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || !isPort(value.substring(colon + 1))) {
                throw new MembershipConfigException("grpcEndpoint", value, "expected host:port with a port in [1, 65535]");
            }
            grpcEndpoint = value;
            return this;
        }

        /** Failure zone; empty for none. */
        public Builder zone(String value) {
            if (value != null && value.isEmpty()) {
                once("zone", value);
                zone = value;
            } else {
                zone = name("zone", value);
            }
            return this;
        }

        /** The address discovery and communication bind to (never all interfaces). */
        public Builder bindAddress(String value) {
            once("bindAddress", value);
            if (value.isBlank() || value.equals("0.0.0.0") || value.equals("::")) {
                throw new MembershipConfigException("bindAddress", value, "expected one concrete local address, not a wildcard");
            }
            bindAddress = value;
            return this;
        }

        /** First discovery port and how many more ports may be tried. */
        public Builder discoveryPorts(int port, int range) {
            once("discoveryPorts", port);
            checkPorts("discoveryPorts", port, range);
            discoveryPort = port;
            discoveryPortRange = range;
            return this;
        }

        /** First communication (compute traffic) port and how many more ports may be tried. */
        public Builder communicationPorts(int port, int range) {
            once("communicationPorts", port);
            checkPorts("communicationPorts", port, range);
            communicationPort = port;
            communicationPortRange = range;
            return this;
        }

        public Builder discoveryMode(DiscoveryMode value) {
            once("discoveryMode", value);
            discoveryMode = value;
            return this;
        }

        /** Seed addresses, each {@code host:port} or {@code host:from..to}; at least one. */
        public Builder seeds(List<String> value) {
            once("seeds", value);
            if (value.isEmpty()) {
                throw new MembershipConfigException("seeds", value, "expected at least one address");
            }
            for (String seed : value) {
                if (seed == null || !SEED.matcher(seed).matches()) {
                    throw new MembershipConfigException("seeds", seed, "expected host:port or host:from..to");
                }
            }
            seeds = List.copyOf(value);
            return this;
        }

        public Builder kubernetesNamespace(String value) {
            kubernetesNamespace = name("kubernetesNamespace", value);
            return this;
        }

        /** The Service whose endpoints are the discovery addresses (a headless Service over the StatefulSet). */
        public Builder kubernetesServiceName(String value) {
            kubernetesServiceName = name("kubernetesServiceName", value);
            return this;
        }

        /**
         * How long a silent member is tolerated before it is declared failed, in [200 ms, 10 min]. A killed
         * process is seen much sooner (its sockets close); this bounds the time to notice a frozen or cut-off one.
         */
        public Builder failureDetectionTimeout(Duration value) {
            once("failureDetectionTimeout", value);
            if (value.compareTo(Duration.ofMillis(200)) < 0 || value.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new MembershipConfigException("failureDetectionTimeout", value, "expected between 200 ms and 10 min");
            }
            failureDetectionTimeout = value;
            return this;
        }

        /** How long start-up may wait to join a cluster that answered, in [1 s, 10 min]. */
        public Builder joinTimeout(Duration value) {
            once("joinTimeout", value);
            if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new MembershipConfigException("joinTimeout", value, "expected between 1 s and 10 min");
            }
            joinTimeout = value;
            return this;
        }

        /** A directory of this node's own where Ignite keeps its small bookkeeping files (class name mappings). */
        public Builder workDirectory(Path value) {
            once("workDirectory", value);
            workDirectory = value.toAbsolutePath();
            return this;
        }

        /** Threads that run cluster jobs on this node, in [1, 256]. */
        public Builder computeThreads(int value) {
            once("computeThreads", value);
            if (value < 1 || value > 256) {
                throw new MembershipConfigException("computeThreads", value, "expected in [1, 256]");
            }
            computeThreads = value;
            return this;
        }

        /** Off-heap size of Ignite's default data region, which holds nothing: in [10 MiB, 1 GiB]. */
        public Builder dataRegionBytes(long value) {
            once("dataRegionBytes", value);
            dataRegionBytes = regionSize("dataRegionBytes", value);
            return this;
        }

        /** Largest off-heap size of Ignite's system region (its internal caches): in [10 MiB, 1 GiB]. */
        public Builder systemRegionMaxBytes(long value) {
            once("systemRegionMaxBytes", value);
            systemRegionMaxBytes = regionSize("systemRegionMaxBytes", value);
            return this;
        }

        /** The least severe Ignite log level forwarded to SLF4J (SLF4J's own levels apply after it). */
        public Builder igniteLogLevel(Level value) {
            once("igniteLogLevel", value);
            igniteLogLevel = value;
            return this;
        }

        /**
         * Checks required settings and their combinations and builds the config.
         *
         * @throws MembershipConfigException for a missing or conflicting setting
         */
        public MembershipConfig build() {
            require("nodeId", nodeId);
            require("grpcEndpoint", grpcEndpoint);
            require("workDirectory", workDirectory);
            boolean overlap = discoveryPort <= communicationPort + communicationPortRange
                    && communicationPort <= discoveryPort + discoveryPortRange;
            if (overlap) {
                throw new MembershipConfigException("communicationPorts", communicationPort + "+" + communicationPortRange,
                        "overlaps discoveryPorts " + discoveryPort + "+" + discoveryPortRange);
            }
            if (discoveryMode == DiscoveryMode.KUBERNETES && seeds != null) {
                throw new MembershipConfigException("seeds", seeds, "not used with kubernetes discovery; remove it");
            }
            return new MembershipConfig(this);
        }

        private void once(String setting, Object value) {
            if (value == null) {
                throw new MembershipConfigException(setting, null, "must not be null");
            }
            if (!assigned.add(setting)) {
                throw new MembershipConfigException(setting, value, "already set");
            }
        }

        private String name(String setting, String value) {
            once(setting, value);
            if (!NAME.matcher(value).matches()) {
                throw new MembershipConfigException(setting, value, "expected 1..64 of [A-Za-z0-9._-], starting with a letter or digit");
            }
            return value;
        }

        private static void require(String setting, Object value) {
            if (value == null) {
                throw new MembershipConfigException(setting, null, "is required");
            }
        }

        private static void checkPorts(String setting, int port, int range) {
            if (port < 1 || range < 0 || range > 1000 || port + range > 65535) {
                throw new MembershipConfigException(setting, port + "+" + range,
                        "expected a port >= 1 and a range in [0, 1000] ending at or below 65535");
            }
        }

        private static long regionSize(String setting, long value) {
            if (value < MIN_REGION_BYTES || value > 1024 * MIB) {
                throw new MembershipConfigException(setting, value, "expected bytes in [10 MiB, 1 GiB]");
            }
            return value;
        }

        private static boolean isPort(String text) {
            try {
                int port = Integer.parseInt(text);
                return port >= 1 && port <= 65535;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}
