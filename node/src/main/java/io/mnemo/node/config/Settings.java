package io.mnemo.node.config;

import io.mnemo.node.numa.CpuSet;
import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaConfigException;
import io.mnemo.node.numa.NumaMode;
import io.mnemo.node.numa.NumaSetting;
import io.mnemo.node.security.ClientAuth;
import io.mnemo.node.storage.SpaceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every setting of a node, in one place: key, environment variable, type, default, allowed values, meaning. The
 * loader accepts exactly these keys, the README table is generated from this list ({@link SettingsTable}), and a
 * test checks the two agree. To add a setting, add a constant here (and a getter to {@link NodeConfig} if code
 * reads it by name), then regenerate the README table.
 *
 * <p>The NUMA settings' keys and descriptions are declared by {@link NumaSetting} next to the code that uses them,
 * their defaults by {@link NumaConfig}'s builder and their limits by {@link NumaConfig}'s constants; they are typed
 * here from those, so each exists once. {@link NodeConfig#numaConfig()} hands the parsed values to the NUMA package.
 */
public final class Settings {
    private static final List<Setting<?>> REGISTRY = new ArrayList<>();
    /** The NUMA settings' defaults are NumaConfig's: its builder holds them. */
    private static final NumaConfig NUMA_DEFAULTS = NumaConfig.defaults();

    /** This node's id: the writer id in every version it stamps; unique in the cluster and never reused. */
    public static final Setting<Integer> NODE_ID = integer("mnemo.node.id", null, 0, Integer.MAX_VALUE,
            "This node's id, unique in the cluster and never reused: it is the writer id in every version the node "
                    + "stamps. Required.");
    public static final Setting<Path> DATA_DIR = register(new Setting<>("mnemo.node.data-dir", "path",
            Path::of, Path::toString, p -> p.toString().isBlank() ? "must not be empty" : null, Path.of("mnemo-data"),
            "a directory", "Directory of the warm tier's files and the node's state (relative to the working directory "
                    + "unless absolute)."));
    public static final Setting<String> BIND_HOST = register(new Setting<>("mnemo.node.bind-host", "host",
            String::strip, Function.identity(), HostPort::hostProblem, "127.0.0.1", "host name or IP address",
            "Address every listener of the node (gRPC, discovery, Raft, metrics) binds to; also the address it "
                    + "advertises to peers unless told otherwise."));
    public static final Setting<Integer> GRPC_PORT = integer("mnemo.grpc.port", 7400, 0, 65_535,
            "Port of the gRPC data plane (clients and peers). 0 picks a free port (tests).");
    public static final Setting<List<HostPort>> SEEDS = register(new Setting<>("mnemo.cluster.seeds",
            "list of host:port", Settings::parseHostPorts, Settings::formatList, Settings::duplicateProblem, List.of(),
            "comma-separated host:port ([v6]:port), no duplicates",
            "Discovery addresses (mnemo.ignite.discovery-port) of nodes to join. Empty: start a new cluster alone."));
    public static final Setting<Integer> PARTITIONS = integer("mnemo.cluster.partitions", 256, 1, 65_536,
            "P, the number of partitions: partition = hash(space, id) mod P. Fixed when the cluster is created; "
                    + "a node whose P differs from the cluster's refuses to join.");
    public static final Setting<Integer> REPLICATION_FACTOR = integer("mnemo.replication.factor", 3, 1, 16,
            "RF, replicas of each partition (capped by the number of nodes).");
    public static final Setting<Quorum> WRITE_QUORUM = quorum("mnemo.replication.write-quorum",
            "W, replicas that must make a write durable before it is acknowledged. W + R must exceed RF (strict "
                    + "quorums).");
    public static final Setting<Quorum> READ_QUORUM = quorum("mnemo.replication.read-quorum",
            "R, replicas a read waits for by default (a request may ask for ONE or ALL). W + R must exceed RF.");
    public static final Setting<DataSize> HOT_MAX_BYTES = size("mnemo.storage.hot.max-bytes",
            DataSize.ofMebibytes(256), DataSize.ofMebibytes(1), DataSize.ofBytes(1L << 40),
            "Heap the hot tier's decoded memories may take; least valuable entries are evicted past it. Must hold at "
                    + "least one memory of mnemo.storage.max-content-bytes.");
    public static final Setting<Long> WARM_ENTRIES_PER_PARTITION = longInt("mnemo.storage.warm.entries-per-partition",
            100_000L, 1L, 2_000_000_000L,
            "Records one partition's warm-tier file is sized for; the file grows past it in extra tiers up to a hard "
                    + "limit, so size it for the expected data.");
    public static final Setting<DataSize> WARM_AVERAGE_VALUE_SIZE = size("mnemo.storage.warm.average-value-size",
            DataSize.ofKibibytes(4), DataSize.ofBytes(16), DataSize.ofMebibytes(16),
            "Average encoded record the warm-tier files are sized for (a 768-float embedding alone is 3 KiB).");
    public static final Setting<DataSize> MAX_CONTENT_BYTES = size("mnemo.storage.max-content-bytes",
            DataSize.ofBytes(SpaceConfig.DEFAULT_MAX_CONTENT_BYTES), DataSize.ofBytes(1),
            DataSize.ofBytes(SpaceConfig.MAX_MAX_CONTENT_BYTES),
            "Default largest content of one memory (UTF-8 bytes) for spaces created without their own limit; "
                    + "larger content is refused, never truncated.");
    public static final Setting<Integer> DEFAULT_EMBEDDING_DIMENSION = integer(
            "mnemo.storage.default-embedding-dimension", SpaceConfig.DEFAULT_DIMENSION, 1, SpaceConfig.MAX_DIMENSION,
            "Embedding dimension of spaces created without one.");
    public static final Setting<Duration> TOMBSTONE_GRACE = duration("mnemo.storage.tombstone-grace",
            Duration.ofDays(7), Duration.ofMillis(1), Duration.ofDays(3650),
            "How long a removal's tombstone is kept before it is collected. A replica that was away longer may bring "
                    + "removed memories back: keep it above the longest outage repaired by hints and anti-entropy.");
    public static final Setting<NumaMode> NUMA_MODE = register(new Setting<>(NumaSetting.MODE.key(), "off|auto|explicit",
            Settings::parseNumaMode, NumaMode::settingValue, m -> null, NUMA_DEFAULTS.mode(), "off, auto, explicit",
            NumaSetting.MODE.description()));
    /** The explicit pools' CPU lists; empty (the default) unless {@link #NUMA_MODE} is explicit. */
    public static final Setting<List<CpuSet>> NUMA_CPUS = register(new Setting<>(NumaSetting.CPUS.key(), "CPU lists",
            text -> text.isBlank() ? List.of() : NumaConfig.parseCpuLists(text.strip()), NumaConfig::formatCpuLists,
            NumaConfig::cpuListsProblem, NUMA_DEFAULTS.cpuLists(),
            "empty, or one cpulist per pool separated by ';' (0-3,8-11;4-7); lists non-empty and disjoint",
            NumaSetting.CPUS.description()));
    public static final Setting<Integer> NUMA_THREADS_PER_CPU = integer(NumaSetting.THREADS_PER_CPU.key(),
            NUMA_DEFAULTS.threadsPerCpu(), 1, NumaConfig.MAX_THREADS_PER_CPU, NumaSetting.THREADS_PER_CPU.description());
    public static final Setting<Boolean> NUMA_ONE_THREAD_PER_CORE = bool(NumaSetting.ONE_THREAD_PER_CORE.key(),
            NUMA_DEFAULTS.oneThreadPerCore(), NumaSetting.ONE_THREAD_PER_CORE.description());
    public static final Setting<Integer> NUMA_AUTO_MIN_CPUS = integer(NumaSetting.AUTO_MIN_CPUS.key(),
            NUMA_DEFAULTS.autoMinCpus(), 1, NumaConfig.MAX_AUTO_MIN_CPUS, NumaSetting.AUTO_MIN_CPUS.description());
    public static final Setting<Integer> NUMA_UNPINNED_THREADS = integer(NumaSetting.UNPINNED_THREADS.key(),
            NUMA_DEFAULTS.unpinnedThreads(), 0, NumaConfig.MAX_UNPINNED_THREADS,
            NumaSetting.UNPINNED_THREADS.description());
    public static final Setting<Integer> NUMA_QUEUE_CAPACITY = integer(NumaSetting.QUEUE_CAPACITY.key(),
            NUMA_DEFAULTS.queueCapacity(), 1, NumaConfig.MAX_QUEUE_CAPACITY, NumaSetting.QUEUE_CAPACITY.description());
    public static final Setting<Duration> NUMA_SHUTDOWN_TIMEOUT = duration(NumaSetting.SHUTDOWN_TIMEOUT.key(),
            NUMA_DEFAULTS.shutdownTimeout(), NumaConfig.MIN_SHUTDOWN_TIMEOUT, NumaConfig.MAX_SHUTDOWN_TIMEOUT,
            NumaSetting.SHUTDOWN_TIMEOUT.description());
    public static final Setting<Path> NUMA_SYSFS_ROOT = register(new Setting<>(NumaSetting.SYSFS_ROOT.key(), "path",
            text -> Path.of(text.strip()), Path::toString, p -> p.toString().isEmpty() ? "must not be empty" : null,
            NUMA_DEFAULTS.sysfsRoot(), "a directory", NumaSetting.SYSFS_ROOT.description()));
    public static final Setting<Integer> IGNITE_DISCOVERY_PORT = integer("mnemo.ignite.discovery-port", 47_500, 1,
            65_535, "Port of Ignite's discovery (membership); peers list it in mnemo.cluster.seeds.");
    public static final Setting<Duration> IGNITE_FAILURE_DETECTION_TIMEOUT = duration(
            "mnemo.ignite.failure-detection-timeout", Duration.ofSeconds(2), Duration.ofMillis(100),
            Duration.ofMinutes(10),
            "How long a silent node is still thought alive (a killed process is noticed sooner, from its closed "
                    + "sockets).");
    public static final Setting<Integer> IGNITE_COMMUNICATION_PORT = integer("mnemo.ignite.communication-port",
            47_100, 1, 65_535, "First port Ignite's communication (compute jobs, messages) tries; it takes the next "
                    + "free one of the 100 ports from here.");
    public static final Setting<Integer> RAFT_PORT = integer("mnemo.raft.port", 7800, 1, 65_535,
            "Port of the JGroups Raft ownership log.");
    public static final Setting<List<RaftMember>> RAFT_MEMBERS = register(new Setting<>("mnemo.raft.members",
            "list of nodeId@host:port", Settings::parseRaftMembers, Settings::formatRaftMembers,
            Settings::raftMembersProblem, List.of(), "comma-separated nodeId@host:port ([v6]:port), ids unique",
            "The ownership log's initial Raft voters, each a node id and its mnemo.raft.port address, this node "
                    + "included. Required with mnemo.cluster.seeds; every node of a cluster lists the same voters. "
                    + "Empty: a one-node cluster."));
    public static final Setting<Integer> METRICS_PORT = integer("mnemo.metrics.port", 9400, 0, 65_535,
            "Port of the Prometheus metrics and health/readiness endpoints. 0 picks a free port (tests).");
    public static final Setting<Duration> DRAIN_TIMEOUT = duration("mnemo.node.drain-timeout", Duration.ofSeconds(30),
            Duration.ofMillis(1), Duration.ofHours(1),
            "On a stop request (SIGTERM, preStop): how long the node may finish in-flight work and hand its hints "
                    + "over before it leaves anyway.");
    public static final Setting<DataSize> REBALANCE_MAX_BYTES_PER_SECOND = size("mnemo.rebalance.max-bytes-per-second",
            DataSize.ofMebibytes(64), DataSize.ofKibibytes(1), DataSize.ofBytes(1L << 40),
            "Rebalancing throttle: bytes per second (wire size, one second of burst) a node receives while streaming "
                    + "the partitions it gains on a membership change. Lower it to spare the old owners' disks and "
                    + "network; a join of N memories of B bytes takes at least N x B x RF / (nodes x this) seconds.");
    public static final Setting<Integer> REBALANCE_PARALLEL_STREAMS = integer("mnemo.rebalance.parallel-streams", 4, 1, 64,
            "Rebalancing concurrency: how many gained partitions a node streams at once (each from a read quorum of "
                    + "its old replicas, one after the other). The throttle above bounds them together. More streams "
                    + "hide per-partition costs (file creation, stream setup, the source's fence); fewer spare the "
                    + "old owners' CPU for clients.");
    public static final Setting<Integer> REBALANCE_STREAM_NICE = integer("mnemo.rebalance.stream-nice", 10, 0, 19,
            "Rebalancing CPU priority: the Linux nice value of the threads that read, send and apply partition "
                    + "streams (on the old owners and on the new one). At 10 a busy stream gets about a tenth of a core "
                    + "that client calls also want, and all of an idle one; 0 runs streams at the priority of client "
                    + "calls.");

    public static final Setting<Optional<Path>> TLS_CERT_CHAIN = optionalPath("mnemo.tls.cert-chain",
            "PEM file of this node's certificate chain (its own certificate first), served to clients and peers and "
                    + "presented to peers as its client certificate. Set with mnemo.tls.private-key. Empty: gRPC is "
                    + "plaintext. The health/metrics HTTP endpoint stays plain HTTP either way.");
    public static final Setting<Optional<Path>> TLS_PRIVATE_KEY = optionalPath("mnemo.tls.private-key",
            "PEM file of the private key of mnemo.tls.cert-chain's first certificate, unencrypted PKCS#8 "
                    + "(BEGIN PRIVATE KEY); keep it readable by the node's user only.");
    public static final Setting<Optional<Path>> TLS_TRUST_CERTS = optionalPath("mnemo.tls.trust-certs",
            "PEM file of the CA certificates this node trusts: for the server certificates of peers it calls, and "
                    + "for client certificates (mnemo.tls.client-auth). Empty: peers are checked against the JVM's "
                    + "default trust store. Needs mnemo.tls.cert-chain.");
    public static final Setting<ClientAuth> TLS_CLIENT_AUTH = register(new Setting<>("mnemo.tls.client-auth",
            "none|optional|require", ClientAuth::parse, ClientAuth::settingValue, a -> null, ClientAuth.NONE,
            "none, optional, require",
            "Whether the gRPC server asks callers for a certificate signed by mnemo.tls.trust-certs. none: never; "
                    + "optional: a verified certificate authenticates the caller, which nodes always present "
                    + "(mutual TLS between nodes), and node-to-node services accept only such callers or the token; "
                    + "require: every caller, applications included, must present one. Needs mnemo.tls.trust-certs."));
    public static final Setting<Optional<Path>> AUTH_TOKEN_FILE = optionalPath("mnemo.auth.token-file",
            "File holding the bearer token (printable ASCII, no spaces) that callers of MnemoService and "
                    + "AdminService must send as 'authorization: Bearer TOKEN' (UNAUTHENTICATED otherwise); a caller "
                    + "with a verified client certificate needs none. Nodes send it to peers too. Empty: no token.");

    private static final List<Setting<?>> ALL = Collections.unmodifiableList(new ArrayList<>(REGISTRY));

    private Settings() {
    }

    /** Every setting, in the order of the README table. */
    public static List<Setting<?>> all() {
        return ALL;
    }

    /** The setting with {@code key}, if there is one. */
    public static Optional<Setting<?>> byKey(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
    }

    private static <T> Setting<T> register(Setting<T> s) {
        for (Setting<?> other : REGISTRY) {
            if (other.key().equals(s.key()) || other.envVar().equals(s.envVar())) {
                throw new IllegalStateException("settings " + other.key() + " and " + s.key() + " collide");
            }
        }
        REGISTRY.add(s);
        return s;
    }

    private static Setting<Integer> integer(String key, Integer def, int min, int max, String description) {
        return register(new Setting<>(key, "integer", text -> parseNumber(text, Integer::parseInt), String::valueOf,
                v -> v < min || v > max ? v + " is outside " + min + ".." + max : null, def, min + ".." + max,
                description));
    }

    private static Setting<Long> longInt(String key, Long def, long min, long max, String description) {
        return register(new Setting<>(key, "integer", text -> parseNumber(text, Long::parseLong), String::valueOf,
                v -> v < min || v > max ? v + " is outside " + min + ".." + max : null, def, min + ".." + max,
                description));
    }

    private static Setting<Boolean> bool(String key, boolean def, String description) {
        return register(new Setting<>(key, "boolean", Settings::parseBoolean, String::valueOf, v -> null, def,
                "true, false", description));
    }

    private static boolean parseBoolean(String text) {
        String s = text.strip();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return s.equalsIgnoreCase("true");
        }
        throw new IllegalArgumentException("expected true or false, got '" + text + "'");
    }

    private static <N> N parseNumber(String text, Function<String, N> parser) {
        String s = text.strip().replace("_", "");
        try {
            return parser.apply(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, got '" + text + "'");
        }
    }

    private static Setting<DataSize> size(String key, DataSize def, DataSize min, DataSize max, String description) {
        return register(new Setting<>(key, "data size", DataSize::parse, DataSize::toString,
                v -> v.compareTo(min) < 0 || v.compareTo(max) > 0 ? v + " is outside " + min + ".." + max : null,
                def, min + ".." + max, description));
    }

    private static Setting<Duration> duration(String key, Duration def, Duration min, Duration max,
                                              String description) {
        String range = Durations.format(min) + ".." + Durations.format(max);
        return register(new Setting<>(key, "duration", Durations::parse, Durations::format,
                v -> v.compareTo(min) < 0 || v.compareTo(max) > 0 ? Durations.format(v) + " is outside " + range : null,
                def, range, description));
    }

    /** A path that may be left empty (the feature it names is off); the empty text is the empty value. */
    private static Setting<Optional<Path>> optionalPath(String key, String description) {
        return register(new Setting<>(key, "path", text -> text.isBlank() ? Optional.empty()
                : Optional.of(Path.of(text.strip())), p -> p.map(Path::toString).orElse(""), p -> null,
                Optional.empty(), "a file, or empty", description));
    }

    private static Setting<Quorum> quorum(String key, String description) {
        return register(new Setting<>(key, "quorum", Quorum::parse, Quorum::toString, q -> null, Quorum.MAJORITY,
                "majority or 1..replication factor", description));
    }

    private static List<HostPort> parseHostPorts(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split(",", -1)).map(part -> {
            if (part.isBlank()) {
                throw new IllegalArgumentException("empty entry in the list '" + text + "'");
            }
            return HostPort.parse(part);
        }).collect(Collectors.toUnmodifiableList());
    }

    private static String formatList(List<HostPort> list) {
        return list.stream().map(HostPort::toString).collect(Collectors.joining(","));
    }

    private static String duplicateProblem(List<HostPort> list) {
        Set<HostPort> seen = new HashSet<>();
        Set<HostPort> twice = new LinkedHashSet<>();
        for (HostPort h : list) {
            if (!seen.add(h)) {
                twice.add(h);
            }
        }
        return twice.isEmpty() ? null : "listed more than once: " + formatList(List.copyOf(twice));
    }

    private static List<RaftMember> parseRaftMembers(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split(",", -1)).map(part -> {
            if (part.isBlank()) {
                throw new IllegalArgumentException("empty entry in the list '" + text + "'");
            }
            return RaftMember.parse(part);
        }).collect(Collectors.toUnmodifiableList());
    }

    private static String formatRaftMembers(List<RaftMember> list) {
        return list.stream().map(RaftMember::toString).collect(Collectors.joining(","));
    }

    /** Ids and addresses must be unique: two voters with one id, or one address, are a typo that splits the group. */
    private static String raftMembersProblem(List<RaftMember> list) {
        Set<Integer> ids = new HashSet<>();
        Set<HostPort> addresses = new HashSet<>();
        for (RaftMember m : list) {
            if (!ids.add(m.nodeId())) {
                return "node id " + m.nodeId() + " is listed more than once";
            }
            if (!addresses.add(m.address())) {
                return "address " + m.address() + " is listed more than once";
            }
        }
        return null;
    }

    private static NumaMode parseNumaMode(String text) {
        try {
            return NumaMode.parse(text);
        } catch (NumaConfigException e) {
            throw new IllegalArgumentException("expected one of off, auto, explicit, got '" + text + "'");
        }
    }
}
