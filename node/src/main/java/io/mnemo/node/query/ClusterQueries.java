package io.mnemo.node.query;

import io.mnemo.node.cluster.membership.ClusterCompute;
import io.mnemo.node.cluster.membership.ClusterJob;
import io.mnemo.node.cluster.membership.LocalServices;
import io.mnemo.node.cluster.membership.NodeContext;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.UnknownSpaceException;
import io.mnemo.node.replication.ReplicaPlacement;
import io.mnemo.protocol.Errors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The coordinator's side of cluster queries: plans a recall by cue or a cluster-wide count over the partitions of
 * the placement this node routes by, scatters the shares ({@link ScatterGather}) and merges what comes back.
 *
 * <p>The share of this node runs here, on the query pool, without a trip through the compute grid; the shares of
 * other members are cluster jobs ({@link ClusterCompute#callAsync}). With one member (or no compute grid, a
 * one-node cluster) everything runs here.
 *
 * <p>Thread-safe. {@link #close()} stops the query pool; idempotent.
 */
public final class ClusterQueries implements AutoCloseable {
    /** Unanswered partitions are also sent to another replica after this fraction of the time allowed. */
    static final double HEDGE_FRACTION = 0.6;
    /** Time a remote node keeps for returning its answer: its budget is the call's timeout minus this. */
    private static final long RETURN_MARGIN_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LocalQueries local;
    private final NodeContext localContext;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final Supplier<Set<String>> liveMembers;
    private final Supplier<ClusterCompute> compute;
    private final ExecutorService pool;

    /**
     * @param services    this node's local services; must hold its {@link LocalQueries}
     * @param placement   the placement this node routes by (null while it has none); each partition is asked of its
     *                    read replicas, in order (while it moves, its old owners, who hold everything acknowledged)
     * @param liveMembers the ids of the live members now (this node included)
     * @param compute     the compute grid, or null (a one-node cluster, or not joined yet)
     * @param threads     threads of the pool that runs this node's own shares
     */
    public ClusterQueries(LocalServices services, Supplier<? extends ReplicaPlacement> placement,
                          Supplier<Set<String>> liveMembers,
                          Supplier<ClusterCompute> compute, int threads) {
        this.local = services.get(LocalQueries.class);
        this.localContext = new NodeContext(local.nodeId(), services);
        this.placement = Objects.requireNonNull(placement, "placement");
        this.liveMembers = Objects.requireNonNull(liveMembers, "liveMembers");
        this.compute = Objects.requireNonNull(compute, "compute");
        String name = "mnemo-query-" + local.nodeId();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The answer to a recall by cue.
     *
     * @param hits     best first, at most k
     * @param answered partitions that answered
     * @param asked    partitions asked
     */
    public record CueOutcome(List<CueHit> hits, int answered, int asked) {
        public boolean complete() {
            return answered == asked;
        }
    }

    /**
     * Cluster-wide counts: per space {hot, warm, tombstones}, sorted by space.
     *
     * @param answered partitions counted
     * @param asked    partitions asked
     */
    public record CountsOutcome(Map<String, long[]> spaces, int answered, int asked) {
        public boolean complete() {
            return answered == asked;
        }
    }

    /**
     * Validates and runs a recall by cue over {@code partitions} (empty: every partition).
     *
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for a bad cue, k, confidence or partition
     * @throws UnknownSpaceException          if this node has no such space
     */
    public CompletableFuture<CueOutcome> recallByCue(String space, float[] cue, int k, float minConfidence,
                                                     List<Integer> partitions, Duration timeout) {
        SpaceConfig config = local.space(space).orElseThrow(() -> new UnknownSpaceException(space));
        CueQuery query = CueQuery.validate(config, cue, k, minConfidence);
        ReplicaPlacement t = requirePlacement();
        int[] asked = partitionsAsked(t, partitions);
        long timeoutNs = timeout.toNanos();
        return ScatterGather.<CueShard>run(asked, p -> replicaIds(t, p), live(), (node, parts, remainingNs) ->
                        send(node, new CueJob(query, parts, budget(node, remainingNs)), remainingNs),
                timeoutNs, HEDGE_FRACTION, System::nanoTime)
                .thenApply(g -> {
                    TopK best = new TopK(query.k());
                    for (CueShard s : g.shards()) {
                        s.hits().forEach(best::offer);
                    }
                    return new CueOutcome(best.bestFirst(), g.answered(), g.asked());
                });
    }

    /**
     * Counts every partition once (each by one replica), of one space or of every space ({@code ""}).
     *
     * @throws UnknownSpaceException if a named space does not exist on this node
     */
    public CompletableFuture<CountsOutcome> counts(String space, Duration timeout) {
        if (!space.isEmpty() && local.space(space).isEmpty()) {
            throw new UnknownSpaceException(space);
        }
        ReplicaPlacement t = requirePlacement();
        int[] asked = partitionsAsked(t, List.of());
        return ScatterGather.<CountsShard>run(asked, p -> replicaIds(t, p), live(), (node, parts, remainingNs) ->
                        send(node, new CountsJob(space, parts), remainingNs),
                timeout.toNanos(), HEDGE_FRACTION, System::nanoTime)
                .thenApply(g -> {
                    Map<String, long[]> sums = new TreeMap<>();
                    for (CountsShard s : g.shards()) {
                        s.addTo(sums);
                    }
                    return new CountsOutcome(Collections.unmodifiableMap(sums), g.answered(), g.asked());
                });
    }

    private ReplicaPlacement requirePlacement() {
        ReplicaPlacement t = placement.get();
        if (t == null) {
            throw Errors.unavailable("node " + local.nodeId() + " has no topology yet", 200);
        }
        return t;
    }

    private java.util.function.Predicate<String> live() {
        Set<String> members = liveMembers.get();
        String self = local.nodeId();
        return id -> id.equals(self) || members.contains(id);
    }

    private static int[] partitionsAsked(ReplicaPlacement t, List<Integer> partitions) {
        if (partitions.isEmpty()) {
            int[] all = new int[t.partitions()];
            for (int p = 0; p < all.length; p++) {
                all[p] = p;
            }
            return all;
        }
        java.util.BitSet set = new java.util.BitSet();
        for (int i = 0; i < partitions.size(); i++) {
            int p = partitions.get(i);
            if (p < 0 || p >= t.partitions()) {
                throw Errors.invalidArgument("partitions[" + i + "]", "is " + Integer.toUnsignedString(p),
                        "0.." + (t.partitions() - 1));
            }
            set.set(p);
        }
        return set.stream().toArray();
    }

    private static List<String> replicaIds(ReplicaPlacement t, int partition) {
        List<Integer> replicas = t.replicas(partition);
        List<String> ids = new ArrayList<>(replicas.size());
        for (int id : replicas) {
            ids.add(Integer.toString(id));
        }
        return ids;
    }

    /** A remote node's budget: the time left minus what its answer needs to travel back; this node's: all of it. */
    private long budget(String node, long remainingNs) {
        if (node.equals(local.nodeId())) {
            return remainingNs;
        }
        return Math.max(remainingNs / 2, remainingNs - RETURN_MARGIN_NS);
    }

    private <R> CompletableFuture<R> send(String node, ClusterJob<R> job, long timeoutNs) {
        if (node.equals(local.nodeId())) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return job.run(localContext);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool);
        }
        ClusterCompute c = compute.get();
        if (c == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no compute grid to reach node " + node));
        }
        return c.callAsync(node, job, Duration.ofNanos(timeoutNs));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
