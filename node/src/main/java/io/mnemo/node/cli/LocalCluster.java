package io.mnemo.node.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * N node processes on loopback, each a separate JVM with its own data directory, configuration file and log,
 * started with this JVM's java, class path and the project's JVM flags ({@code config/jvm.options}, plus
 * {@code config/jvm-jdk23.options} on JDK 23 and newer), then the node process's own heap and GC flags
 * ({@code config/node-jvm.options}) and last any in the environment variable {@code MNEMO_NODE_JAVA_OPTS}.
 *
 * <p>Ports of node {@code i} (1-based) from the base port {@code b}: gRPC {@code b + i}, metrics/health
 * {@code b + 100 + i}, Raft {@code b + 200 + i}, Ignite discovery {@code b + 300 + i}, Ignite communication
 * {@code b + 400 + i} (Ignite takes a later one when that is busy). Partitions: 64; with more than one node,
 * every node lists node 1 to 3's discovery addresses as seeds and all nodes as the Raft voters
 * ({@code mnemo.raft.members}).
 *
 * <p>Not thread-safe: one owner starts, kills and stops the nodes.
 */
public final class LocalCluster implements AutoCloseable {
    /** Partitions of a local cluster ({@code mnemo.cluster.partitions} unless overridden). */
    static final int PARTITIONS = 64;
    private final Path home;
    private final Path dataDir;
    private final int basePort;
    private final int nodes;
    private final Process[] processes;
    /** Settings written over the defaults of {@link #configText}, in the order given. */
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String classPath = System.getProperty("java.class.path");
    private boolean classArchiveWanted = true;
    private Path classArchiveDir = NodeClassArchive.defaultDirectory();
    /** The class-data archive node processes map, once looked up on the first start (see {@link NodeClassArchive}). */
    private Optional<Path> classArchive;
    /** Nodes that write the classes they loaded to an archive when they exit (a training run). */
    private final Map<Integer, Path> archiveAtExit = new HashMap<>();
    private Consumer<String> log = line -> System.err.println("mnemo: " + line);

    /**
     * A cluster of {@code nodes} under {@code dataDir}; {@code home} is the project root that holds
     * {@code config/jvm.options}.
     */
    public LocalCluster(Path home, Path dataDir, int basePort, int nodes) {
        if (nodes < 1 || nodes > 99) {
            throw new IllegalArgumentException("nodes must be in [1, 99], got " + nodes);
        }
        if (basePort < 1024 || basePort + 499 > 65_535) {
            throw new IllegalArgumentException("base port must be in [1024, 65036], got " + basePort);
        }
        this.home = Objects.requireNonNull(home, "home").toAbsolutePath();
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        this.basePort = basePort;
        this.nodes = nodes;
        this.processes = new Process[nodes + 1];
    }

    /**
     * A random base port (from {@code random}) whose every port of a cluster of {@code nodes} (gRPC +n, metrics
     * +100+n, Raft +200+n, Ignite discovery +300+n and communication +400+n) is free on 127.0.0.1 now. The one place
     * that knows this layout besides the port accessors, so callers cannot miss a kind.
     *
     * <p>The whole block lies in [20000, the kernel's first ephemeral port) ({@link #ephemeralPortsFrom()}): a node
     * started minutes after the check (a join, a restart) binds ports that were only free when they were picked, and
     * every outgoing connection meanwhile takes a random port of the ephemeral range, so a block inside that range
     * can be taken by the time its node starts. If the ephemeral range starts too low to leave room, [20000, 59600)
     * is used.
     *
     * @throws IllegalStateException if 100 random bases all had a port taken
     */
    public static int findFreeBasePort(RandomGenerator random, int nodes) {
        int span = ephemeralPortsFrom() - 500 - 20_000;
        int bound = span >= 1_000 ? span : 39_600;
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + random.nextInt(bound);
            if (allFree(base, nodes)) {
                return base;
            }
        }
        throw new IllegalStateException("no base port with all " + 5 * nodes + " ports free found in 100 attempts");
    }

    /** The first port of the kernel's ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}; 32768 if unknown). */
    public static int ephemeralPortsFrom() {
        try {
            // readAllLines, not readString: sysctl files report size 0, and readString returns one character of them
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // not Linux: the common default
        }
    }

    private static boolean allFree(int base, int nodes) {
        for (int offset = 0; offset <= 400; offset += 100) {
            for (int node = 1; node <= nodes; node++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + offset + node));
                } catch (IOException taken) {
                    return false;
                }
            }
        }
        return true;
    }

    public int size() {
        return nodes;
    }

    public int grpcPort(int node) {
        return basePort + node;
    }

    public int metricsPort(int node) {
        return basePort + 100 + node;
    }

    private int raftPort(int node) {
        return basePort + 200 + node;
    }

    public String endpoint(int node) {
        return "127.0.0.1:" + grpcPort(node);
    }

    public Path logOf(int node) {
        return dataDir.resolve("node-" + node).resolve("node.log");
    }

    /** Starts every node and waits until all are ready; on failure stops those started and throws. */
    public void startAll(Duration timeout) throws IOException, InterruptedException {
        for (int i = 1; i <= nodes; i++) {
            start(i);
        }
        for (int i = 1; i <= nodes; i++) {
            awaitReady(i, timeout);
        }
    }

    /**
     * Starts node {@code node} (1-based) as a new process; its data directory is kept across restarts. The first start
     * looks up the class-data archive of the node processes, and makes it first if there is none yet (a training run
     * of some seconds, once per build and JDK; see {@link NodeClassArchive}).
     */
    public void start(int node) throws IOException {
        Path dir = dataDir.resolve("node-" + node);
        Files.createDirectories(dir);
        Path conf = dir.resolve("mnemo.conf");
        Files.writeString(conf, configText(node), StandardCharsets.UTF_8);
        List<String> flags = nodeFlags(home);
        if (classArchive == null) {
            classArchive = classArchiveWanted ? NodeClassArchive.obtain(classArchiveDir, home, flags, classPath, log) : Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(flags);
        classArchive.ifPresent(a -> cmd.add("-XX:SharedArchiveFile=" + a));
        Path dumpTo = archiveAtExit.get(node);
        if (dumpTo != null) {
            cmd.add("-XX:ArchiveClassesAtExit=" + dumpTo);
        }
        cmd.add("-Dmnemo.home=" + home);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(MnemoCli.class.getName());
        cmd.add("node");
        cmd.add("--config");
        cmd.add(conf.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(node).toFile()));
        processes[node] = pb.start();
    }

    /** Deletes {@code dir} and everything under it (a cluster's data directories, once its nodes have stopped). */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The JVM flags of every node process: the project's option files under {@code home}, then {@code MNEMO_NODE_JAVA_OPTS}. */
    static List<String> nodeFlags(Path home) {
        List<String> flags = new ArrayList<>();
        flags.add("@" + home.resolve("config/jvm.options"));
        if (Runtime.version().feature() >= 23) {
            flags.add("@" + home.resolve("config/jvm-jdk23.options"));
        }
        flags.add("@" + home.resolve("config/node-jvm.options"));
        flags.addAll(extraNodeFlags(System.getenv("MNEMO_NODE_JAVA_OPTS")));
        return flags;
    }

    /**
     * Runs the node processes on {@code nodeClassPath} instead of this JVM's class path (a benchmark leaves its own
     * classes out, so that the nodes' class path is all jars and can have a class-data archive). Before the first start.
     */
    public LocalCluster withClassPath(String nodeClassPath) {
        this.classPath = Objects.requireNonNull(nodeClassPath, "nodeClassPath");
        return this;
    }

    /** Starts the node processes without a class-data archive. Before the first start. */
    public LocalCluster withoutClassArchive() {
        this.classArchiveWanted = false;
        return this;
    }

    /** Keeps class-data archives in {@code dir} instead of {@code MNEMO_CDS_DIR} or {@code ~/.cache/mnemo/cds}. */
    public LocalCluster withClassArchiveDirectory(Path dir) {
        this.classArchiveDir = Objects.requireNonNull(dir, "dir");
        return this;
    }

    /** Makes node {@code node} write the classes it loaded to {@code archive} when it exits (a training run). */
    LocalCluster archivingClassesAtExit(int node, Path archive) {
        archiveAtExit.put(node, archive);
        return this;
    }

    /** Where progress of the class-data archive goes (default: standard error, prefixed "mnemo: "). */
    public LocalCluster withLog(Consumer<String> sink) {
        this.log = Objects.requireNonNull(sink, "sink");
        return this;
    }

    /** The class-data archive the node processes were started with, once a node was started. */
    public Optional<Path> classArchive() {
        return classArchive == null ? Optional.empty() : classArchive;
    }

    /** The flags of {@code MNEMO_NODE_JAVA_OPTS} (whitespace-separated; none when unset), added after the files'. */
    static List<String> extraNodeFlags(String env) {
        if (env == null || env.isBlank()) {
            return List.of();
        }
        return List.of(env.trim().split("\\s+"));
    }

    /**
     * Sets {@code key} to {@code value} in every node's configuration file from the next {@link #start} on, over the
     * value this class would write (tests size the warm tier down with it, so three nodes' preallocated files stay
     * small).
     *
     * @throws IllegalArgumentException if {@code key} is not a setting
     */
    public LocalCluster withSetting(String key, String value) {
        if (io.mnemo.node.config.Settings.byKey(key).isEmpty()) {
            throw new IllegalArgumentException("'" + key + "' is not a setting of io.mnemo.node.config.Settings");
        }
        overrides.put(key, value);
        return this;
    }

    private String configText(int node) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("mnemo.node.id", Integer.toString(node));
        settings.put("mnemo.node.data-dir", dataDir.resolve("node-" + node).resolve("data").toString());
        settings.put("mnemo.node.bind-host", "127.0.0.1");
        settings.put("mnemo.grpc.port", Integer.toString(grpcPort(node)));
        settings.put("mnemo.metrics.port", Integer.toString(metricsPort(node)));
        settings.put("mnemo.raft.port", Integer.toString(raftPort(node)));
        settings.put("mnemo.cluster.partitions", Integer.toString(PARTITIONS));
        settings.put("mnemo.ignite.discovery-port", Integer.toString(basePort + 300 + node));
        settings.put("mnemo.ignite.communication-port", Integer.toString(basePort + 400 + node));
        settings.put("mnemo.storage.warm.entries-per-partition", "10000");
        settings.put("mnemo.storage.hot.max-bytes", "64MiB");
        settings.put("mnemo.node.drain-timeout", "5s");
        if (nodes > 1) {
            List<String> seeds = new ArrayList<>();
            for (int i = 1; i <= Math.min(3, nodes); i++) {
                seeds.add("127.0.0.1:" + (basePort + 300 + i));
            }
            settings.put("mnemo.cluster.seeds", String.join(",", seeds));
            List<String> voters = new ArrayList<>();
            for (int i = 1; i <= nodes; i++) {
                voters.add(i + "@127.0.0.1:" + raftPort(i));
            }
            settings.put("mnemo.raft.members", String.join(",", voters));
        }
        settings.putAll(overrides);
        StringBuilder sb = new StringBuilder("# written by mnemo local-cluster\n");
        settings.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Waits until node {@code node} answers 200 on {@code /ready}, checking every 100 ms.
     *
     * @throws IllegalStateException if the process exits first or the timeout passes (the message names its log)
     */
    public void awaitReady(int node, Duration timeout) throws InterruptedException {
        await(node, "/ready", "ready", timeout);
    }

    /**
     * Waits until node {@code node} answers 200 on {@code /health}: its process has finished starting (storage,
     * membership, ownership log, gRPC), whether or not the baseline names it a member yet. Checks every 100 ms.
     *
     * @throws IllegalStateException if the process exits first or the timeout passes (the message names its log)
     */
    public void awaitStarted(int node, Duration timeout) throws InterruptedException {
        await(node, "/health", "started", timeout);
    }

    private void await(int node, String path, String state, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        URI uri = URI.create("http://127.0.0.1:" + metricsPort(node) + path);
        while (true) {
            Process p = processes[node];
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException("node " + node + " exited" + (p == null ? "" : " with " + p.exitValue())
                        + " before it was " + state + "; see " + logOf(node) + lastLines(node));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet: try again until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + node + " not " + state + " after " + timeout + "; see " + logOf(node));
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
        }
    }

    private String lastLines(int node) {
        try {
            List<String> lines = Files.readAllLines(logOf(node), StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "" : "; last lines:\n  " + String.join("\n  ", tail);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** The process id of node {@code node}'s current process. */
    public long pid(int node) {
        if (processes[node] == null) {
            throw new IllegalStateException("node " + node + " was never started");
        }
        return processes[node].pid();
    }

    public boolean isAlive(int node) {
        return processes[node] != null && processes[node].isAlive();
    }

    /** Kills node {@code node} with SIGKILL (no drain, no clean shutdown) and waits for it to be gone. */
    public void kill(int node) throws InterruptedException {
        Process p = processes[node];
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Stops node {@code node} with SIGTERM (the node drains) and waits up to {@code timeout}, then kills it. */
    public void stop(int node, Duration timeout) throws InterruptedException {
        Process p = processes[node];
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Stops every node (SIGTERM to all at once, then SIGKILL to any still running after 20 s); idempotent. If
     * interrupted, kills the rest at once and keeps the interrupt flag set.
     */
    @Override
    public void close() {
        for (int i = 1; i <= nodes; i++) {
            Process p = processes[i];
            if (p != null && p.isAlive()) {
                p.destroy();
            }
        }
        try {
            for (int i = 1; i <= nodes; i++) {
                stop(i, Duration.ofSeconds(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (int i = 1; i <= nodes; i++) {
                if (processes[i] != null) {
                    processes[i].destroyForcibly();
                }
            }
        }
    }
}
