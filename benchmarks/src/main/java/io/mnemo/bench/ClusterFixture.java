package io.mnemo.bench;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.CountsRequest;
import io.mnemo.protocol.v1.CountsResponse;
import io.mnemo.protocol.v1.ListSpacesRequest;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.protocol.v1.TopologyResponse;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A real local Mnemo cluster for benchmarks: node JVMs on 127.0.0.1 started through the CLI's {@link LocalCluster}
 * (its port layout, a free base port from {@link LocalCluster#findFreeBasePort}), in a fresh temporary data directory
 * that {@link #close()} deletes after stopping every node, whatever happened.
 *
 * <p>A fixture may be sized for more nodes than it starts ({@code capacity} above {@code started}): the extra nodes
 * are listed as Raft voters and started later with {@link #startNode}, which is how a join benchmark adds a node.
 * With 3 of 4 voters running, the ownership log still has its majority of 3.
 *
 * <p>Besides the cluster, small probes over plain gRPC and HTTP that benchmarks need: a node's topology, a node's
 * local record counts, its Prometheus text, and waiting for a full topology or a space on every started node.
 * Not thread-safe, except the read-only probes.
 */
public final class ClusterFixture implements AutoCloseable {
    private final LocalCluster cluster;
    private final Path dataDir;
    private final int basePort;
    private final long seed;
    private final boolean[] started;
    private static final int START_ATTEMPTS = 3;

    private int restarts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ClusterFixture(LocalCluster cluster, Path dataDir, int basePort, long seed, int capacity) {
        this.cluster = cluster;
        this.dataDir = dataDir;
        this.basePort = basePort;
        this.seed = seed;
        this.started = new boolean[capacity + 1];
    }

    /**
     * Starts nodes 1..{@code started} of a cluster sized for {@code capacity} nodes and waits until each is ready and
     * all agree on a topology naming exactly the started nodes.
     *
     * @param home     the project root (holds {@code config/jvm.options})
     * @param settings node settings written over {@link LocalCluster}'s defaults
     */
    public static ClusterFixture start(Path home, int capacity, int started, Map<String, String> settings,
                                       Duration timeout) throws IOException, InterruptedException {
        if (started < 1 || started > capacity) {
            throw new IllegalArgumentException("started must be in [1, " + capacity + "], got " + started);
        }
        long seed = System.nanoTime();
        int base = LocalCluster.findFreeBasePort(new Random(seed), capacity);
        Path data = Files.createTempDirectory("mnemo-bench-cluster-");
        LocalCluster cluster = new LocalCluster(home, data, base, capacity).withClassPath(nodeClassPath());
        settings.forEach(cluster::withSetting);
        ClusterFixture f = new ClusterFixture(cluster, data, base, seed, capacity);
        System.out.println("cluster fixture: " + started + " of " + capacity + " nodes, base port " + base + " (seed "
                + seed + "), data " + data);
        try {
            for (int i = 1; i <= started; i++) {
                f.startNode(i);
            }
            for (int i = 1; i <= started; i++) {
                f.awaitReady(i, timeout);
            }
            f.awaitTopology(started, timeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /**
     * This JVM's class path without the benchmarks' own classes, which node processes do not need: what is left is all
     * jars when the benchmarks run from Maven, so the nodes can start from a class-data archive as they do under
     * {@code mnemo local-cluster}.
     */
    static String nodeClassPath() {
        String own;
        try {
            own = Path.of(ClusterFixture.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return System.getProperty("java.class.path");
        }
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().toString().equals(own))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Waits until node {@code node} is ready. A node that exits while starting, or is not ready within
     * {@code timeout}, is started again (killed first if alive), up to {@value #START_ATTEMPTS} times in all, with the
     * reason printed: on a heavily loaded machine the ownership log's group join can time out and race with its own
     * retry (JGroups refuses the second join as a duplicate member and the node exits), and an Ignite join can be
     * segmented; neither says anything about the steady state the benchmarks measure.
     */
    public void awaitReady(int node, Duration timeout) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                cluster.awaitReady(node, timeout);
                return;
            } catch (IllegalStateException e) {
                if (attempt >= START_ATTEMPTS) {
                    throw e;
                }
                restarts++;
                String why = e.getMessage().lines().filter(l -> l.contains("Exception")).findFirst().orElse(e.getMessage());
                if (cluster.isAlive(node)) {
                    // Alive but never ready: e.g. its Ignite member was segmented while joining under load, after which
                    // the node keeps running without membership and is never added to the baseline.
                    cluster.kill(node);
                    why = "alive but not ready after " + timeout + " (killed)";
                }
                // A fresh Ignite work directory: a restart with the old one reuses the node id Ignite may still
                // remember from the failed join ("Node with the same ID was found in node IDs history").
                deleteTree(dataDir.resolve("node-" + node).resolve("data").resolve("ignite"));
                System.out.println("node " + node + " did not start (attempt " + attempt + "), starting it again: " + why);
                cluster.start(node);
            }
        }
    }

    /** Node processes started again because they exited while starting (see {@link #awaitReady}). */
    public int restarts() {
        return restarts;
    }

    /** Starts node {@code node}'s process (it joins the running ones); does not wait for it. */
    public void startNode(int node) throws IOException {
        cluster.start(node);
        started[node] = true;
    }

    public LocalCluster cluster() {
        return cluster;
    }

    public int basePort() {
        return basePort;
    }

    public long seed() {
        return seed;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String endpoint(int node) {
        return cluster.endpoint(node);
    }

    /** The gRPC endpoints of the nodes started so far, in node order: client seeds. */
    public List<String> startedEndpoints() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < started.length; i++) {
            if (started[i]) {
                out.add(cluster.endpoint(i));
            }
        }
        return out;
    }

    /** Waits until every started node answers a topology of {@code members} members, all at the same epoch. */
    public void awaitTopology(int members, Duration timeout) {
        await(timeout, () -> {
            Set<Long> epochs = new HashSet<>();
            for (String ep : startedEndpoints()) {
                TopologyResponse t = topology(ep);
                if (!t.hasTopology() || t.getTopology().getMembersCount() != members) {
                    return false;
                }
                epochs.add(t.getTopology().getEpoch());
            }
            return epochs.size() == 1;
        });
    }

    /** Waits until every started node lists {@code space}. */
    public void awaitSpace(String space, Duration timeout) {
        for (String ep : startedEndpoints()) {
            await(timeout, () -> spaceVisible(ep, space));
        }
    }

    /** The node's current topology, or an empty response when it cannot answer (yet). */
    public static TopologyResponse topology(String endpoint) {
        return call(endpoint, stub -> stub.topology(TopologyRequest.getDefaultInstance()), TopologyResponse.getDefaultInstance());
    }

    /** Live records the node holds itself (warm tier, every space), or -1 when it cannot answer. */
    public static long localRecords(String endpoint) {
        CountsResponse r = call(endpoint, stub -> stub.counts(CountsRequest.newBuilder().setClusterWide(false).build()), null);
        return r == null ? -1 : r.getTotal().getWarm();
    }

    /** Waits until node {@code node} has started (its {@code /health} answers 200); see {@link LocalCluster#awaitStarted}. */
    public void awaitStarted(int node, Duration timeout) throws InterruptedException {
        cluster.awaitStarted(node, timeout);
    }

    /** The node's Prometheus text from {@code /metrics}, or "" when it does not answer. */
    public String metricsText(int node) {
        URI uri = URI.create("http://127.0.0.1:" + cluster.metricsPort(node) + "/metrics");
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static boolean spaceVisible(String endpoint, String space) {
        return call(endpoint, stub -> stub.listSpaces(ListSpacesRequest.getDefaultInstance()).getSpacesList().stream()
                .anyMatch(s -> s.getName().equals(space)), false);
    }

    private static <T> T call(String endpoint, java.util.function.Function<MnemoServiceGrpc.MnemoServiceBlockingStub, T> rpc,
                              T otherwise) {
        ManagedChannel channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
        try {
            return rpc.apply(MnemoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS));
        } catch (StatusRuntimeException notNow) {
            return otherwise;
        } finally {
            channel.shutdownNow();
        }
    }

    /** Polls {@code condition} every 100 ms until it holds. @throws IllegalStateException after {@code timeout} */
    public static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not met within " + timeout);
            }
            pause(Duration.ofMillis(100));
        }
    }

    /** Waits {@code d} without {@code Thread.sleep} (keeps the interrupt contract of a join on a delayed future). */
    public static void pause(Duration d) {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(d.toNanos(), TimeUnit.NANOSECONDS)).join();
    }

    /**
     * Stops every node (SIGTERM, then SIGKILL after 20 s) and deletes the data directory; idempotent. With the system
     * property {@code mnemo.bench.logs} set to a directory, the nodes' logs are copied there first (for diagnosis).
     */
    @Override
    public void close() {
        cluster.close();
        String logs = System.getProperty("mnemo.bench.logs");
        if (logs != null) {
            for (int i = 1; i < started.length; i++) {
                try {
                    Path to = Path.of(logs, "cluster-" + seed, "node-" + i + ".log");
                    Files.createDirectories(to.getParent());
                    if (Files.exists(cluster.logOf(i))) {
                        Files.copy(cluster.logOf(i), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    System.out.println("could not keep node " + i + "'s log: " + e);
                }
            }
        }
        try {
            deleteTree(dataDir);
        } catch (IOException | RuntimeException e) {
            System.out.println("could not delete " + dataDir + ": " + e);
        }
    }

    /** Deletes {@code root} and everything under it; nothing if it does not exist. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
