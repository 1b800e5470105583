package io.mnemo.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real node processes for one test class, registered as {@code @RegisterExtension static final RealCluster}: a
 * {@link LocalCluster} on a free random base port, started from this test class path, with a {@link ClusterProbe}
 * over it and the clients made on it. It starts nodes (once more if one exits while starting), waits until they route
 * by one stable topology, creates spaces on every node, and after the class (also when {@code @BeforeAll} failed, and
 * before JUnit deletes the class's {@code @TempDir}) closes the clients, then stops the nodes.
 *
 * <p>It keeps the set of nodes started and not stopped or killed since ({@link #live()}): the stable-topology wait
 * and {@link #createSpace} ask exactly those. Not thread-safe, like {@link LocalCluster}: one test class owns it.
 */
final class RealCluster implements AfterAllCallback, AutoCloseable {
    private final String name;
    private final int size;
    private final long seed = System.nanoTime();
    /** Node settings over {@link LocalCluster}'s defaults, in the order given. */
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Set<Integer> live = new ConcurrentSkipListSet<>();
    private final List<MnemoClient> clients = new ArrayList<>();
    private ChannelCredentials probeCredentials = InsecureChannelCredentials.create();
    private List<String> adminTlsArgs = List.of();
    /** Set by {@link #start}. */
    private LocalCluster cluster;
    private ClusterProbe probe;

    /** A cluster of at most {@code size} nodes for the test class {@code name} (named in the output). */
    RealCluster(String name, int size) {
        this.name = name;
        this.size = size;
    }

    /** Sets a node setting ({@link LocalCluster#withSetting}); before {@link #start}. */
    RealCluster withSetting(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** Probes with {@code credentials} and runs {@code mnemo admin} with {@code tlsArgs} (a TLS cluster); before start. */
    RealCluster withProbe(ChannelCredentials credentials, List<String> tlsArgs) {
        probeCredentials = credentials;
        adminTlsArgs = List.copyOf(tlsArgs);
        return this;
    }

    /** The seed of the port choice, printed at start; tests seed the client's retry jitter with it. */
    long seed() {
        return seed;
    }

    /** The processes, for what this fixture does not wrap (endpoints, ports, logs); after {@link #start}. */
    LocalCluster nodes() {
        return cluster;
    }

    /** The probe over the nodes; after {@link #start}. */
    ClusterProbe probe() {
        return probe;
    }

    /** The nodes started and not stopped or killed since, in id order; a live view. */
    Set<Integer> live() {
        return Collections.unmodifiableSet(live);
    }

    /**
     * Starts nodes 1 to {@code count} under {@code dir} (the test class's {@code @TempDir}: kept when a test fails, with
     * the nodes' logs), waits until each is ready ({@link #startNode}'s restart rule), then until all route by one
     * stable topology of exactly those members.
     */
    void start(Path dir, int count, Duration readyTimeout, Duration stableTimeout) throws Exception {
        int base = LocalCluster.findFreeBasePort(new Random(seed), size);
        System.out.println(name + " seed " + seed + ", base port " + base);
        // The project root holds config/jvm.options; surefire runs in the client module's directory.
        cluster = new LocalCluster(Path.of("..").toAbsolutePath().normalize(), dir, base, size);
        settings.forEach(cluster::withSetting);
        probe = new ClusterProbe(cluster, probeCredentials, adminTlsArgs);
        for (int i = 1; i <= count; i++) {
            cluster.start(i);
            live.add(i);
        }
        for (int i = 1; i <= count; i++) {
            awaitReadyOrRestart(i, readyTimeout);
        }
        awaitStable(new TreeSet<>(live), stableTimeout);
    }

    /** Starts node {@code node} (its data directory is kept from an earlier run) and waits until it is ready. */
    void startNode(int node, Duration readyTimeout) throws Exception {
        cluster.start(node);
        live.add(node);
        awaitReadyOrRestart(node, readyTimeout);
    }

    /** Stops node {@code node} with SIGTERM (it drains), killing it after {@code timeout}. */
    void stopNode(int node, Duration timeout) throws InterruptedException {
        live.remove(node);
        cluster.stop(node, timeout);
    }

    /** Kills node {@code node} with SIGKILL and waits until it is gone. */
    void killNode(int node) throws InterruptedException {
        live.remove(node);
        cluster.kill(node);
    }

    /**
     * Waits for node {@code node} to be ready; if its process exited while starting (on an overloaded machine
     * Ignite's discovery can time out joining the ring), starts it once more on the same data directory.
     */
    private void awaitReadyOrRestart(int node, Duration timeout) throws Exception {
        try {
            cluster.awaitReady(node, timeout);
        } catch (IllegalStateException exited) {
            if (cluster.isAlive(node)) {
                throw exited;
            }
            System.out.println("node " + node + " exited while starting, starting it again: " + exited.getMessage());
            cluster.start(node);
            cluster.awaitReady(node, timeout);
        }
    }

    /**
     * Waits until every live node routes by one topology whose members are exactly {@code members}, all active, with
     * no partition moving; returns it.
     */
    Topology awaitStable(Set<Integer> members, Duration timeout) {
        Topology[] seen = new Topology[1];
        ClusterProbe.await(timeout, () -> {
            Set<Long> epochs = new HashSet<>();
            for (int n : live) {
                Optional<Topology> t = probe.topology(n);
                if (t.isEmpty()) {
                    return false;
                }
                Topology top = t.get();
                Set<Integer> ids = new HashSet<>();
                top.getMembersList().forEach(m -> ids.add(m.getId()));
                boolean settled = ids.equals(members)
                        && top.getMembersList().stream().allMatch(m -> m.getState() == MemberState.MEMBER_STATE_ACTIVE)
                        && top.getPartitionsList().stream().allMatch(p -> p.getPendingReplicasCount() == 0);
                if (!settled) {
                    return false;
                }
                epochs.add(top.getEpoch());
                seen[0] = top;
            }
            return epochs.size() == 1;
        });
        return seen[0];
    }

    /** The live nodes' endpoints, in id order: a client's seeds. */
    List<String> endpoints() {
        List<String> out = new ArrayList<>();
        for (int n : live) {
            out.add(cluster.endpoint(n));
        }
        return out;
    }

    /** A client seeded with every live node, set up further by {@code options}; closed after the class. */
    MnemoClient client(UnaryOperator<MnemoClientBuilder> options) {
        MnemoClient client = options.apply(MnemoClient.builder().seeds(endpoints())).build();
        clients.add(client);
        return client;
    }

    /**
     * Creates {@code space} through {@code client} (again while it fails with a retryable error: a busy node may
     * answer UNAVAILABLE or time out right after the start) and waits until every live node lists it, since the
     * client may route to any of them.
     */
    void createSpace(MnemoClient client, SpaceInfo space, Duration timeout) {
        ClusterProbe.await(timeout, () -> {
            try {
                client.createSpace(space);
                return true;
            } catch (UnavailableException | MnemoTimeoutException e) {
                System.out.println("createSpace " + space.name() + " failed, retrying: " + e);
                return false;
            }
        });
        for (int n : live) {
            probe.awaitSpace(n, space.name(), timeout);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Closes the clients, then stops every node (SIGTERM, then SIGKILL after 20 s); idempotent. */
    @Override
    public void close() {
        try {
            for (MnemoClient c : clients) {
                c.close();
            }
            clients.clear();
        } finally {
            live.clear();
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
