package io.mnemo.node.query;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TierCounts;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.replication.ReplicaPlacement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node-local part of cluster queries, registered in the node's {@code LocalServices} so that a job arriving
 * from a coordinator finds it. It answers only for partitions this node replicates in its own current placement;
 * the others it was asked for are left out of {@link Shard#answered()}, and the coordinator retries them on another
 * replica. "Replicates" means being in the partition's read replica list: while a partition moves, that is the
 * old owners' list (they hold everything acknowledged), never a receiver still being filled.
 *
 * <p>Recall by cue streams each partition's records through a storage scan (tombstones are not returned; one
 * partition's keys at a time) and keeps the best k in a bounded heap ({@link TopK}): memory O(k) whatever the
 * space's size. A scan reads the warm tier and does not touch access statistics: a cue search compares every
 * memory, so counting it as an access would make every memory look recently used; the client recalls the hits it
 * uses by id, which counts.
 *
 * <p>Thread-safe: every call works on its own state.
 */
public final class LocalQueries {
    private final String nodeId;
    private final int numericId;
    private final TieredStore store;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final LongSupplier nanoTime;

    /**
     * @param nodeId    this node's id
     * @param placement the placement this node routes by now (null while it has none)
     */
    public LocalQueries(int nodeId, TieredStore store, Supplier<? extends ReplicaPlacement> placement) {
        this(nodeId, store, placement, System::nanoTime);
    }

    LocalQueries(int nodeId, TieredStore store, Supplier<? extends ReplicaPlacement> placement, LongSupplier nanoTime) {
        this.numericId = nodeId;
        this.nodeId = Integer.toString(nodeId);
        this.store = Objects.requireNonNull(store, "store");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** This node's id as membership names it. */
    public String nodeId() {
        return nodeId;
    }

    /** The space as this node has it, if it has it. */
    Optional<SpaceConfig> space(String name) {
        return store.listSpaces().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The best {@code query.k()} live memories of the partitions asked that this node replicates, by cosine
     * similarity, with confidence at least {@code query.minConfidence()}. Stops starting new partitions once
     * {@code budgetNs} has passed; the partitions not searched are not in the answer. A node without the space (it
     * has not applied the epoch that created it) answers no partition.
     */
    CueShard searchCue(CueQuery query, int[] partitions, long budgetNs) {
        long deadline = nanoTime.getAsLong() + budgetNs;
        Optional<SpaceConfig> space = space(query.space());
        if (space.isEmpty() || space.get().dimension() != query.dimension()) {
            return new CueShard(nodeId, List.of(), new int[0], 0);
        }
        ReplicaPlacement t = placement.get();
        TopK best = new TopK(query.k());
        List<Integer> answered = new ArrayList<>();
        long compared = 0;
        for (int p : partitions) {
            if (!replicates(t, p)) {
                continue;
            }
            if (!answered.isEmpty() && nanoTime.getAsLong() - deadline > 0) {
                break;
            }
            compared += searchPartition(query, p, best);
            answered.add(p);
        }
        return new CueShard(nodeId, best.bestFirst(), toArray(answered), compared);
    }

    private long searchPartition(CueQuery query, int partition, TopK best) {
        long compared = 0;
        String space = query.space();
        float minConfidence = query.minConfidence();
        int dimension = query.dimension();
        try (ScanCursor cursor = store.scan(ScanRequest.builder().space(space).partition(partition).build())) {
            while (cursor.hasNext()) {
                StoredRecord r = cursor.next();
                if (r.isTombstone()) {
                    continue;
                }
                Memory m = r.memory().orElseThrow();
                if (m.confidence() < minConfidence || m.dimension() != dimension) {
                    continue;
                }
                compared++;
                float similarity = query.similarity(m);
                if (!Float.isNaN(similarity) && best.admits(similarity, m.space(), m.id())) {
                    best.offer(CueHit.of(m, similarity));
                }
            }
        }
        return compared;
    }

    /**
     * Counts per tier of the partitions asked that this node replicates, of one space ({@code ""}: every space).
     * A node without a named space answers no partition.
     */
    CountsShard count(String space, int[] partitions) {
        if (!space.isEmpty() && space(space).isEmpty()) {
            return new CountsShard(nodeId, new TierCounts(java.util.Map.of(), 0, 0, 0), space, new int[0]);
        }
        ReplicaPlacement t = placement.get();
        BitSet mine = new BitSet();
        List<Integer> answered = new ArrayList<>();
        for (int p : partitions) {
            if (replicates(t, p)) {
                mine.set(p);
                answered.add(p);
            }
        }
        TierCounts counts = answered.isEmpty() ? new TierCounts(java.util.Map.of(), 0, 0, 0) : store.counts(mine::get);
        return new CountsShard(nodeId, counts, space, toArray(answered));
    }

    private boolean replicates(ReplicaPlacement t, int partition) {
        return t != null && partition >= 0 && partition < t.partitions() && t.replicas(partition).contains(numericId);
    }

    private static int[] toArray(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
