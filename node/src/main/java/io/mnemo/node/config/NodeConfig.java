package io.mnemo.node.config;

import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaConfigException;
import io.mnemo.node.numa.NumaMode;
import io.mnemo.node.security.ClientAuth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A node's configuration: a value for every setting of {@link Settings}, each with the {@link Source} it came from.
 * Immutable. Built by a {@link Builder} whose setters refuse bad values and values set twice, and whose
 * {@link Builder#build()} fills in defaults and checks settings against each other; {@link ConfigLoader} feeds a
 * builder from a file, the environment and system properties.
 */
public final class NodeConfig {
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, Source> sources;

    private NodeConfig(Map<Setting<?>, Object> values, Map<Setting<?>, Source> sources) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The value of {@code setting}. */
    @SuppressWarnings("unchecked") // values holds a T for every Setting<T>: Builder.set is the only way in
    public <T> T get(Setting<T> setting) {
        return (T) Objects.requireNonNull(values.get(setting), () -> "not a setting of Settings: " + setting);
    }

    /** Where the value of {@code setting} came from. */
    public Source sourceOf(Setting<?> setting) {
        return Objects.requireNonNull(sources.get(setting), () -> "not a setting of Settings: " + setting);
    }

    public int nodeId() {
        return get(Settings.NODE_ID);
    }

    public Path dataDir() {
        return get(Settings.DATA_DIR);
    }

    public String bindHost() {
        return get(Settings.BIND_HOST);
    }

    public int grpcPort() {
        return get(Settings.GRPC_PORT);
    }

    public List<HostPort> seeds() {
        return get(Settings.SEEDS);
    }

    public int partitions() {
        return get(Settings.PARTITIONS);
    }

    public int replicationFactor() {
        return get(Settings.REPLICATION_FACTOR);
    }

    /** W, resolved against the replication factor. */
    public int writeQuorum() {
        return get(Settings.WRITE_QUORUM).resolve(replicationFactor());
    }

    /** R, resolved against the replication factor. */
    public int readQuorum() {
        return get(Settings.READ_QUORUM).resolve(replicationFactor());
    }

    public DataSize hotMaxBytes() {
        return get(Settings.HOT_MAX_BYTES);
    }

    public long warmEntriesPerPartition() {
        return get(Settings.WARM_ENTRIES_PER_PARTITION);
    }

    public DataSize warmAverageValueSize() {
        return get(Settings.WARM_AVERAGE_VALUE_SIZE);
    }

    public DataSize maxContentBytes() {
        return get(Settings.MAX_CONTENT_BYTES);
    }

    public int defaultEmbeddingDimension() {
        return get(Settings.DEFAULT_EMBEDDING_DIMENSION);
    }

    public Duration tombstoneGrace() {
        return get(Settings.TOMBSTONE_GRACE);
    }

    public NumaMode numaMode() {
        return get(Settings.NUMA_MODE);
    }

    /**
     * The NUMA settings as the NUMA package takes them. Every value was parsed and checked at load, and
     * {@link Builder#build()} made one of these to check the rules between them, so this does not throw.
     */
    public NumaConfig numaConfig() {
        return NumaSettings.numaConfig(this);
    }

    /**
     * A NUMA check that needs the machine (are the CPUs of mnemo.numa.cpus online, allowed, in one NUMA node?) and
     * so runs when the workers start, refused as a bad value at load is: naming the key, the value and its source.
     */
    public ConfigException numaRefusal(NumaConfigException refused) {
        return NumaSettings.refusal(this, refused);
    }

    public int igniteDiscoveryPort() {
        return get(Settings.IGNITE_DISCOVERY_PORT);
    }

    public Duration igniteFailureDetectionTimeout() {
        return get(Settings.IGNITE_FAILURE_DETECTION_TIMEOUT);
    }

    public int igniteCommunicationPort() {
        return get(Settings.IGNITE_COMMUNICATION_PORT);
    }

    public int raftPort() {
        return get(Settings.RAFT_PORT);
    }

    /** The initial Raft voters, this node included; empty for a one-node cluster. */
    public List<RaftMember> raftMembers() {
        return get(Settings.RAFT_MEMBERS);
    }

    public int metricsPort() {
        return get(Settings.METRICS_PORT);
    }

    public Duration drainTimeout() {
        return get(Settings.DRAIN_TIMEOUT);
    }

    /** The node's certificate chain (PEM); empty when gRPC is plaintext. */
    public Optional<Path> tlsCertChain() {
        return get(Settings.TLS_CERT_CHAIN);
    }

    /** The private key of {@link #tlsCertChain()} (PEM, PKCS#8). */
    public Optional<Path> tlsPrivateKey() {
        return get(Settings.TLS_PRIVATE_KEY);
    }

    /** The CAs trusted for peers' and callers' certificates (PEM); empty: the JVM's default trust store. */
    public Optional<Path> tlsTrustCerts() {
        return get(Settings.TLS_TRUST_CERTS);
    }

    public ClientAuth tlsClientAuth() {
        return get(Settings.TLS_CLIENT_AUTH);
    }

    /** The file of the bearer token callers must send; empty when no token is checked. */
    public Optional<Path> authTokenFile() {
        return get(Settings.AUTH_TOKEN_FILE);
    }

    /** Every setting as {@code key = value (source)}, one a line: what the node logs when it starts. */
    @Override
    public String toString() {
        return Settings.all().stream().map(s -> s.key() + " = " + formatted(s) + " (" + sources.get(s) + ")")
                .collect(Collectors.joining("\n"));
    }

    private <T> String formatted(Setting<T> s) {
        return s.format(get(s));
    }

    /**
     * Collects values, refusing a bad one or one set twice at once (a {@link ConfigException} naming key, value and
     * source), and checks the whole at {@link #build()}.
     */
    public static final class Builder {
        private final Map<Setting<?>, Object> values = new LinkedHashMap<>();
        private final Map<Setting<?>, Source> sources = new LinkedHashMap<>();

        private Builder() {
        }

        /** Sets {@code setting} from code. */
        public <T> Builder set(Setting<T> setting, T value) {
            return set(setting, value, Source.code());
        }

        /**
         * Sets {@code setting} to {@code value}, which came from {@code source}.
         *
         * @throws ConfigException if the value is not allowed or the setting was already set
         */
        public <T> Builder set(Setting<T> setting, T value, Source source) {
            Objects.requireNonNull(setting, "setting");
            Objects.requireNonNull(source, "source");
            if (!Settings.all().contains(setting)) {
                throw new IllegalArgumentException(setting + " is not a setting of Settings");
            }
            String text = value == null ? null : setting.format(value);
            if (values.containsKey(setting)) {
                throw ConfigException.of(setting.key(), text, source, "already set to '" + formatted(setting)
                        + "' (" + sources.get(setting) + "); a setting is set once");
            }
            try {
                setting.validate(value);
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(setting.key(), text, source, e.getMessage());
            }
            values.put(setting, value);
            sources.put(setting, source);
            return this;
        }

        @SuppressWarnings("unchecked") // see NodeConfig.get
        private <T> String formatted(Setting<T> s) {
            return s.format((T) values.get(s));
        }

        public Builder nodeId(int id) {
            return set(Settings.NODE_ID, id);
        }

        public Builder dataDir(Path dir) {
            return set(Settings.DATA_DIR, dir);
        }

        public Builder bindHost(String host) {
            return set(Settings.BIND_HOST, host);
        }

        public Builder grpcPort(int port) {
            return set(Settings.GRPC_PORT, port);
        }

        public Builder seeds(List<HostPort> seeds) {
            return set(Settings.SEEDS, List.copyOf(seeds));
        }

        public Builder partitions(int p) {
            return set(Settings.PARTITIONS, p);
        }

        public Builder replicationFactor(int rf) {
            return set(Settings.REPLICATION_FACTOR, rf);
        }

        public Builder writeQuorum(Quorum w) {
            return set(Settings.WRITE_QUORUM, w);
        }

        public Builder readQuorum(Quorum r) {
            return set(Settings.READ_QUORUM, r);
        }

        public Builder hotMaxBytes(DataSize size) {
            return set(Settings.HOT_MAX_BYTES, size);
        }

        public Builder warmEntriesPerPartition(long entries) {
            return set(Settings.WARM_ENTRIES_PER_PARTITION, entries);
        }

        public Builder warmAverageValueSize(DataSize size) {
            return set(Settings.WARM_AVERAGE_VALUE_SIZE, size);
        }

        public Builder maxContentBytes(DataSize size) {
            return set(Settings.MAX_CONTENT_BYTES, size);
        }

        public Builder defaultEmbeddingDimension(int dimension) {
            return set(Settings.DEFAULT_EMBEDDING_DIMENSION, dimension);
        }

        public Builder tombstoneGrace(Duration grace) {
            return set(Settings.TOMBSTONE_GRACE, grace);
        }

        public Builder numaMode(NumaMode mode) {
            return set(Settings.NUMA_MODE, mode);
        }

        public Builder igniteDiscoveryPort(int port) {
            return set(Settings.IGNITE_DISCOVERY_PORT, port);
        }

        public Builder igniteFailureDetectionTimeout(Duration timeout) {
            return set(Settings.IGNITE_FAILURE_DETECTION_TIMEOUT, timeout);
        }

        public Builder igniteCommunicationPort(int port) {
            return set(Settings.IGNITE_COMMUNICATION_PORT, port);
        }

        public Builder raftPort(int port) {
            return set(Settings.RAFT_PORT, port);
        }

        public Builder raftMembers(List<RaftMember> members) {
            return set(Settings.RAFT_MEMBERS, List.copyOf(members));
        }

        public Builder metricsPort(int port) {
            return set(Settings.METRICS_PORT, port);
        }

        public Builder drainTimeout(Duration timeout) {
            return set(Settings.DRAIN_TIMEOUT, timeout);
        }

        /**
         * The configuration: defaults for everything not set, then the checks of settings against each other
         * ({@link CrossChecks}). The builder is left as it was.
         *
         * @throws ConfigException listing every required setting missing and every contradiction
         */
        public NodeConfig build() {
            Map<Setting<?>, Object> all = new LinkedHashMap<>();
            Map<Setting<?>, Source> from = new LinkedHashMap<>();
            List<ConfigException.Problem> problems = new ArrayList<>();
            for (Setting<?> s : Settings.all()) {
                if (values.containsKey(s)) {
                    all.put(s, values.get(s));
                    from.put(s, sources.get(s));
                } else if (s.isRequired()) {
                    problems.add(new ConfigException.Problem(s.key(), null, Source.byDefault(),
                            "required and not set: set " + s.key() + " in the configuration file, " + s.envVar()
                                    + " in the environment or -D" + s.key()));
                } else {
                    all.put(s, s.defaultValue().orElseThrow());
                    from.put(s, Source.byDefault());
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            NodeConfig config = new NodeConfig(all, from);
            problems.addAll(CrossChecks.of(config));
            if (problems.isEmpty()) {
                problems.addAll(NumaSettings.problems(config));
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return config;
        }
    }
}
