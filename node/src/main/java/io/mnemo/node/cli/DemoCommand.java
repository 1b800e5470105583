package io.mnemo.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.protocol.Errors;
import io.mnemo.protocol.v1.Consistency;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.protocol.v1.TopologyRequest;
import io.mnemo.shardmap.PartitionFunction;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A short workload that shows durability and replication: store memories (each sent to a replica of its
 * partition, routed with the node's topology), kill a node with SIGKILL, read everything back, restart the node
 * and read what it holds. Uses the generated gRPC stubs; the {@code client/} library is not a node dependency.
 */
@Command(name = "demo", description = "Start a local cluster (unless --seeds), run a workload, kill -9 a node, "
        + "check every memory is still readable, restart it.")
final class DemoCommand implements Callable<Integer> {
    /** How long a store is retried on UNAVAILABLE before the demo gives up. */
    private static final Duration RETRY_WINDOW = Duration.ofSeconds(60);
    private static final String SPACE = "demo";
    private static final int DIM = 8;

    @Option(names = "--nodes", defaultValue = "3", description = "Nodes of the local cluster (default ${DEFAULT-VALUE}).")
    private int nodes;

    @Option(names = "--memories", defaultValue = "300", description = "Memories to store (default ${DEFAULT-VALUE}).")
    private int count;

    @Option(names = "--base-port", defaultValue = "17500", description = "Base port of the local cluster.")
    private int basePort;

    @Option(names = "--seeds", split = ",", description = "gRPC endpoints of a running cluster; no local cluster is "
            + "started and no node is killed.")
    private List<String> seeds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the workload (default ${DEFAULT-VALUE}).")
    private long seed;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    private final Map<String, ManagedChannel> channels = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (seeds != null && !seeds.isEmpty()) {
                return workload(out, seeds.get(0), null);
            }
            Path dir = Files.createTempDirectory("mnemo-demo-");
            out.printf("starting %d node(s) under %s ...%n", nodes, dir);
            out.flush();
            try {
                try (LocalCluster cluster = new LocalCluster(MnemoCli.home(), dir, basePort, nodes)) {
                    try {
                        cluster.startAll(Duration.ofSeconds(90));
                    } catch (IllegalStateException e) {
                        spec.commandLine().getErr().println("local cluster failed to start: " + e.getMessage());
                        return 1;
                    }
                    return workload(out, cluster.endpoint(1), cluster);
                }
            } finally {
                LocalCluster.deleteTree(dir);
                out.printf("removed %s%n", dir);
                out.flush();
            }
        } finally {
            for (ManagedChannel c : channels.values()) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private int workload(PrintWriter out, String bootstrap, LocalCluster cluster) throws Exception {
        out.println("seed " + seed);
        Topology topology = awaitTopology(bootstrap, cluster == null ? 1 : cluster.size(), Duration.ofSeconds(120));
        long spaceEpoch = stub(bootstrap).createSpace(CreateSpaceRequest.newBuilder()
                .setSpec(SpaceSpec.newBuilder().setName(SPACE).setDimension(DIM)).build()).getEpoch();
        for (io.mnemo.protocol.v1.Member m : topology.getMembersList()) {
            awaitSpace(m.getEndpoint(), spaceEpoch, Duration.ofSeconds(30));
        }
        PartitionFunction pf = PartitionFunction.of(topology.getPartitionCount());
        Map<Integer, String> endpoints = new HashMap<>();
        topology.getMembersList().forEach(m -> endpoints.put(m.getId(), m.getEndpoint()));
        out.printf("topology epoch %d: %d member(s), %d partitions, RF %d%n", topology.getEpoch(),
                topology.getMembersCount(), topology.getPartitionCount(), topology.getReplicationFactor());

        Random random = new Random(seed);
        List<Memory> stored = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            stored.add(storeRouted(topology, pf, endpoints, memory("memory-" + i, i, random), -1));
        }
        out.printf("stored %d memories (a third with no content)%n", stored.size());
        if (cluster == null) {
            int ok = readAll(topology, pf, endpoints, stored, -1);
            out.printf("SUMMARY: %d/%d memories readable at QUORUM%n", ok, stored.size());
            return ok == stored.size() ? 0 : 1;
        }

        int victim = cluster.size();
        out.printf("killing node %d with SIGKILL ...%n", victim);
        out.flush();
        cluster.kill(victim);
        int whileDown = -1;
        int extra = 0;
        if (cluster.size() >= 3) {
            whileDown = readAll(topology, pf, endpoints, stored, victim);
            out.printf("with node %d down: %d/%d memories readable at QUORUM%n", victim, whileDown, stored.size());
            extra = Math.max(1, count / 6);
            for (int i = 0; i < extra; i++) {
                stored.add(storeRouted(topology, pf, endpoints, memory("while-down-" + i, i, random), victim));
            }
            out.printf("stored %d more memories while node %d is down%n", extra, victim);
        } else {
            out.printf("with %d node(s) nothing is readable while node %d is down (no other replica)%n", cluster.size(),
                    victim);
        }
        out.printf("restarting node %d ...%n", victim);
        out.flush();
        cluster.start(victim);
        cluster.awaitReady(victim, Duration.ofSeconds(90));
        long t0 = System.nanoTime();
        int onVictim = awaitHeld(endpoints.get(victim), stored, Duration.ofSeconds(90));
        out.printf("node %d holds %d/%d memories (read at ONE from its own copy) %.1f s after it was ready%n", victim,
                onVictim, stored.size(), (System.nanoTime() - t0) / 1e9);
        int afterRestart = readAll(topology, pf, endpoints, stored, -1);
        out.printf("after restart: %d/%d memories readable at QUORUM, contents checked%n", afterRestart, stored.size());
        out.printf("SUMMARY: %d nodes, %d memories stored (%d while node %d was down), node %d killed -9 and restarted;"
                        + " readable while down: %s; caught up on node %d: %d/%d; readable after restart: %d/%d%n",
                cluster.size(), stored.size(), extra, victim, victim,
                whileDown < 0 ? "n/a (RF 1)" : whileDown + "/" + (stored.size() - extra), victim, onVictim,
                stored.size(), afterRestart, stored.size());
        boolean ok = afterRestart == stored.size() && onVictim == stored.size()
                && (whileDown < 0 || whileDown == stored.size() - extra);
        out.println(ok ? "RESULT: every memory survived and the restarted node caught up"
                : "RESULT: memories missing (see above)");
        return ok ? 0 : 1;
    }

    private static Memory.Builder memory(String id, int i, Random random) {
        Memory.Builder m = Memory.newBuilder().setSpace(SPACE).setId(id)
                .setCreatedAtNs(System.currentTimeMillis() * 1_000_000L).setConfidence(random.nextFloat());
        for (int d = 0; d < DIM; d++) {
            m.addEmbedding((float) random.nextGaussian());
        }
        if (i % 3 != 0) {
            m.setContent("episode " + id + ": " + Long.toHexString(random.nextLong()));
        }
        return m;
    }

    /** Stores {@code m} through the first replica of its partition that is not {@code down}. */
    private Memory storeRouted(Topology t, PartitionFunction pf, Map<Integer, String> endpoints, Memory.Builder m,
                               int down) {
        int owner = replicasOf(t, pf, m.getId()).stream().filter(r -> r != down).findFirst()
                .orElseThrow(() -> new IllegalStateException("no live replica for " + m.getId()));
        storeWithRetry(endpoints.get(owner), StoreRequest.newBuilder().setMemory(m).setTopologyEpoch(t.getEpoch()).build());
        return m.build();
    }

    /**
     * Reads every memory at ONE from {@code endpoint} (its own copy first) until it holds them all or the timeout
     * passes, checking every 500 ms; returns how many it holds. Hinted handoff and anti-entropy fill it in.
     */
    private int awaitHeld(String endpoint, List<Memory> stored, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int held = 0;
            for (Memory m : stored) {
                try {
                    stub(endpoint).recall(RecallRequest.newBuilder().setSpace(SPACE).setId(m.getId())
                            .setConsistency(Consistency.CONSISTENCY_ONE).build());
                    held++;
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            if (held == stored.size() || System.nanoTime() > deadline) {
                return held;
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS)).join();
        }
    }

    /**
     * Stores, retrying UNAVAILABLE, DEADLINE_EXCEEDED and stale epoch (a node catching up with the latest epoch, a
     * quorum briefly out of reach, a freshly started node still creating its partition files) for up to
     * {@link #RETRY_WINDOW}, 200 ms apart: what a client does for an idempotent call.
     */
    private void storeWithRetry(String endpoint, StoreRequest request) {
        long deadline = System.nanoTime() + RETRY_WINDOW.toNanos();
        while (true) {
            try {
                stub(endpoint).store(request);
                return;
            } catch (StatusRuntimeException e) {
                boolean staleEpoch = Errors.detailOf(e).map(d -> d.hasStaleEpoch()).orElse(false);
                // A deadline is retried too: a store is idempotent (the newest version wins), as the client library
                // treats it.
                boolean retryable = e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                        || e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED || staleEpoch;
                if (!retryable || System.nanoTime() > deadline) {
                    throw e;
                }
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                        .join();
            }
        }
    }

    /** Waits until the node at {@code endpoint} lists the demo space at {@code epoch} or later. */
    private void awaitSpace(String endpoint, long epoch, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var list = stub(endpoint).listSpaces(io.mnemo.protocol.v1.ListSpacesRequest.getDefaultInstance());
            if (list.getEpoch() >= epoch && list.getSpacesList().stream().anyMatch(s -> s.getName().equals(SPACE))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(endpoint + " does not list space " + SPACE + " after " + timeout);
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)).join();
        }
    }

    /** The node's topology once it lists at least {@code members} members (checked every 200 ms). */
    private Topology awaitTopology(String endpoint, int members, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Topology t = stub(endpoint).topology(TopologyRequest.getDefaultInstance()).getTopology();
            // Stable: every member active and no partition still moving (the cluster forms through moves, 1 -> 2 -> 3).
            boolean stable = t.getMembersList().stream().allMatch(m -> m.getState() == MemberState.MEMBER_STATE_ACTIVE)
                    && t.getPartitionsList().stream().allMatch(p -> p.getPendingReplicasCount() == 0);
            if (t.getMembersCount() >= members && stable) {
                return t;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the topology of " + endpoint + " has " + t.getMembersCount()
                        + " members" + (stable ? "" : " and a move in progress") + " after " + timeout + ", expected "
                        + members + ", stable");
            }
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)).join();
        }
    }

    /** Reads every memory at QUORUM from a live replica (skipping {@code down}); counts exact matches. */
    private int readAll(Topology t, PartitionFunction pf, Map<Integer, String> endpoints, List<Memory> stored, int down) {
        int ok = 0;
        for (Memory m : stored) {
            for (int replica : replicasOf(t, pf, m.getId())) {
                if (replica == down) {
                    continue;
                }
                try {
                    Memory got = stub(endpoints.get(replica)).recall(RecallRequest.newBuilder().setSpace(SPACE)
                            .setId(m.getId()).setConsistency(Consistency.CONSISTENCY_QUORUM).build()).getMemory();
                    if (got.hasContent() == m.hasContent() && got.getContent().equals(m.getContent())
                            && got.getEmbeddingList().equals(m.getEmbeddingList())) {
                        ok++;
                    }
                    break;
                } catch (StatusRuntimeException e) {
                    spec.commandLine().getErr().println("recall " + m.getId() + " on node " + replica + ": "
                            + e.getStatus());
                }
            }
        }
        return ok;
    }

    private static List<Integer> replicasOf(Topology t, PartitionFunction pf, String id) {
        return t.getPartitions(pf.partitionOf(SPACE, id)).getReplicasList();
    }

    private MnemoServiceGrpc.MnemoServiceBlockingStub stub(String endpoint) {
        ManagedChannel c = channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder.forTarget(e).usePlaintext().build());
        return MnemoServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
    }
}
