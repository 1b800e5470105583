package io.mnemo.node.cluster.ownership;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one node's {@link RaftOwnershipLog}. Immutable; built by a validating {@link Builder} whose
 * setters reject bad values (naming them) and refuse being called twice.
 */
public final class RaftOwnershipConfig {
    /** Default JGroups cluster name of the ownership group. */
    public static final String DEFAULT_CLUSTER_NAME = "mnemo-ownership";
    /** Default deadline of a proposal. */
    public static final Duration DEFAULT_PROPOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Default deadline of one attempt of a proposal (the rest of the time goes to retries). */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(3);
    /** Default time after which a silent member is suspected (heartbeats every third of it). */
    public static final Duration DEFAULT_FAILURE_DETECTION_TIMEOUT = Duration.ofSeconds(3);
    /** Default log size past which a snapshot is taken and the log truncated. */
    public static final int DEFAULT_SNAPSHOT_THRESHOLD_BYTES = 1 << 20;

    private final String nodeId;
    private final InetAddress bindAddress;
    private final int bindPort;
    private final Map<String, InetSocketAddress> raftMembers;
    private final Path dataDir;
    private final String clusterName;
    private final Duration proposeTimeout;
    private final Duration attemptTimeout;
    private final Duration failureDetectionTimeout;
    private final int snapshotThresholdBytes;
    private final boolean fsync;

    private RaftOwnershipConfig(Builder b) {
        this.nodeId = b.nodeId;
        this.bindAddress = b.bindAddress;
        this.bindPort = b.bindPort;
        this.raftMembers = Collections.unmodifiableMap(new LinkedHashMap<>(b.raftMembers));
        this.dataDir = b.dataDir;
        this.clusterName = b.clusterName == null ? DEFAULT_CLUSTER_NAME : b.clusterName;
        this.proposeTimeout = b.proposeTimeout == null ? DEFAULT_PROPOSE_TIMEOUT : b.proposeTimeout;
        this.attemptTimeout = b.attemptTimeout == null ? DEFAULT_ATTEMPT_TIMEOUT : b.attemptTimeout;
        this.failureDetectionTimeout = b.failureDetectionTimeout == null ? DEFAULT_FAILURE_DETECTION_TIMEOUT
                : b.failureDetectionTimeout;
        this.snapshotThresholdBytes = b.snapshotThresholdBytes == null ? DEFAULT_SNAPSHOT_THRESHOLD_BYTES : b.snapshotThresholdBytes;
        this.fsync = b.fsync == null || b.fsync;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** This node's id, also its Raft id. */
    public String nodeId() {
        return nodeId;
    }

    /** The one address the JGroups sockets bind to. */
    public InetAddress bindAddress() {
        return bindAddress;
    }

    /** The JGroups TCP port. */
    public int bindPort() {
        return bindPort;
    }

    /** The Raft voters: id to JGroups TCP address, this node included; the majority is computed from it. */
    public Map<String, InetSocketAddress> raftMembers() {
        return raftMembers;
    }

    /** The node's data directory; the Raft log lives in {@code <dataDir>/ownership}. */
    public Path dataDir() {
        return dataDir;
    }

    /** The directory of the Raft log and snapshots. */
    public Path logDir() {
        return dataDir.resolve("ownership");
    }

    /** The JGroups cluster name. */
    public String clusterName() {
        return clusterName;
    }

    /** How long a proposal is tried before failing with {@link NoQuorumException}. */
    public Duration proposeTimeout() {
        return proposeTimeout;
    }

    /** How long one attempt waits for a commit before the proposal is resubmitted. */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    /** How long a member may be silent before it is suspected. */
    public Duration failureDetectionTimeout() {
        return failureDetectionTimeout;
    }

    /** Log size in bytes past which RAFT snapshots the state and truncates the log. */
    public int snapshotThresholdBytes() {
        return snapshotThresholdBytes;
    }

    /** Whether every log append is forced to disk before it counts. */
    public boolean fsync() {
        return fsync;
    }

    /** Builds a {@link RaftOwnershipConfig}. */
    public static final class Builder {
        private String nodeId;
        private InetAddress bindAddress;
        private int bindPort;
        private final Map<String, InetSocketAddress> raftMembers = new LinkedHashMap<>();
        private Path dataDir;
        private String clusterName;
        private Duration proposeTimeout;
        private Duration attemptTimeout;
        private Duration failureDetectionTimeout;
        private Integer snapshotThresholdBytes;
        private Boolean fsync;

        private Builder() {
        }

        /** This node's id (1..255 UTF-8 bytes, no whitespace). Required. */
        public Builder nodeId(String id) {
            once(nodeId, "nodeId");
            nodeId = Validation.name("nodeId", id);
            return this;
        }

        /** The address and port JGroups binds to; a wildcard address is refused. Required. */
        public Builder bind(InetAddress address, int port) {
            once(bindAddress, "bind");
            Objects.requireNonNull(address, "bind address");
            if (address.isAnyLocalAddress()) {
                throw new IllegalArgumentException("bind address must be a specific address, not the wildcard " + address);
            }
            bindAddress = address;
            bindPort = Validation.range("bind port", port, 1, 65535);
            return this;
        }

        /** Adds a Raft voter (this node too). At least this node is required. */
        public Builder raftMember(String id, InetSocketAddress address) {
            Validation.name("raft member id", id);
            Objects.requireNonNull(address, "raft member address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("raft member address must be resolved, got " + address);
            }
            if (raftMembers.putIfAbsent(id, address) != null) {
                throw new IllegalStateException("raft member '" + id + "' is already set");
            }
            return this;
        }

        /** The node's data directory. Required. */
        public Builder dataDir(Path dir) {
            once(dataDir, "dataDir");
            dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        /** The JGroups cluster name; default {@value #DEFAULT_CLUSTER_NAME}. */
        public Builder clusterName(String name) {
            once(clusterName, "clusterName");
            clusterName = Validation.name("clusterName", name);
            return this;
        }

        /** Deadline of a proposal, in (0, 1 hour]; default 10 s. */
        public Builder proposeTimeout(Duration d) {
            once(proposeTimeout, "proposeTimeout");
            proposeTimeout = positive("proposeTimeout", d, Duration.ofHours(1));
            return this;
        }

        /** Deadline of one attempt, in (0, 1 hour]; default 3 s, capped by the propose timeout. */
        public Builder attemptTimeout(Duration d) {
            once(attemptTimeout, "attemptTimeout");
            attemptTimeout = positive("attemptTimeout", d, Duration.ofHours(1));
            return this;
        }

        /** Failure detection timeout, in [300 ms, 60 s]; default 3 s. */
        public Builder failureDetectionTimeout(Duration d) {
            once(failureDetectionTimeout, "failureDetectionTimeout");
            positive("failureDetectionTimeout", d, Duration.ofSeconds(60));
            if (d.compareTo(Duration.ofMillis(300)) < 0) {
                throw new IllegalArgumentException("failureDetectionTimeout must be at least 300 ms, got " + d);
            }
            failureDetectionTimeout = d;
            return this;
        }

        /** Log size that triggers a snapshot, in [4 KiB, 1 GiB]; default 1 MiB. */
        public Builder snapshotThresholdBytes(int bytes) {
            once(snapshotThresholdBytes, "snapshotThresholdBytes");
            snapshotThresholdBytes = Validation.range("snapshotThresholdBytes", bytes, 4096, 1 << 30);
            return this;
        }

        /** Whether appends are forced to disk; default true. Only tests on throwaway directories turn it off. */
        public Builder fsync(boolean enabled) {
            once(fsync, "fsync");
            fsync = enabled;
            return this;
        }

        /** Checks the settings against each other and builds. */
        public RaftOwnershipConfig build() {
            if (nodeId == null || bindAddress == null || dataDir == null) {
                throw new IllegalStateException("nodeId, bind and dataDir are required; got nodeId=" + nodeId + ", bind="
                        + bindAddress + ", dataDir=" + dataDir);
            }
            if (!raftMembers.containsKey(nodeId)) {
                throw new IllegalStateException("raft members " + raftMembers.keySet() + " must include this node '" + nodeId + "'");
            }
            Duration propose = proposeTimeout == null ? DEFAULT_PROPOSE_TIMEOUT : proposeTimeout;
            if (attemptTimeout != null && attemptTimeout.compareTo(propose) > 0) {
                throw new IllegalStateException("attemptTimeout " + attemptTimeout + " must not exceed proposeTimeout " + propose);
            }
            return new RaftOwnershipConfig(this);
        }

        private static void once(Object current, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " is already set to " + current);
            }
        }

        private static Duration positive(String name, Duration d, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be in (0, " + max + "], got " + d);
            }
            return d;
        }
    }
}
