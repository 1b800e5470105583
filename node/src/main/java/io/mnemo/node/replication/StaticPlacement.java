package io.mnemo.node.replication;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fixed {@link ReplicaPlacement}: partition {@code p} lives on {@code RF} consecutive nodes of a ring of node
 * ids starting at {@code p mod N}, optionally with per-partition pending lists. For tests and single-process
 * setups; the cluster layer supplies the real one. Immutable.
 */
public final class StaticPlacement implements ReplicaPlacement {
    private final long epoch;
    private final int partitions;
    private final List<List<Integer>> replicas;
    private final Map<Integer, List<Integer>> pending;

    private StaticPlacement(long epoch, int partitions, List<List<Integer>> replicas, Map<Integer, List<Integer>> pending) {
        this.epoch = epoch;
        this.partitions = partitions;
        this.replicas = replicas;
        this.pending = pending;
    }

    /**
     * Partition {@code p}'s replicas are {@code nodes[(p + i) mod N]} for {@code i < min(rf, N)}.
     *
     * @throws IllegalArgumentException on an empty or duplicated node list, or a non-positive rf or partition count
     */
    public static StaticPlacement ring(long epoch, int partitions, List<Integer> nodes, int rf) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (rf < 1) {
            throw new IllegalArgumentException("rf must be >= 1, got " + rf);
        }
        if (nodes.isEmpty() || new LinkedHashSet<>(nodes).size() != nodes.size()) {
            throw new IllegalArgumentException("nodes must be non-empty and distinct, got " + nodes);
        }
        int n = Math.min(rf, nodes.size());
        List<List<Integer>> table = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<Integer> r = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                r.add(nodes.get((p + i) % nodes.size()));
            }
            table.add(List.copyOf(r));
        }
        return new StaticPlacement(epoch, partitions, List.copyOf(table), Map.of());
    }

    /** This placement at {@code newEpoch}, with every partition moving to {@code target}'s replicas (joint phase). */
    public StaticPlacement movingTo(long newEpoch, StaticPlacement target) {
        requireNewer(newEpoch);
        if (target.partitions != partitions) {
            throw new IllegalArgumentException("partition counts differ: " + partitions + " vs " + target.partitions);
        }
        Map<Integer, List<Integer>> moving = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            if (!target.replicas(p).equals(replicas(p))) {
                moving.put(p, target.replicas(p));
            }
        }
        return new StaticPlacement(newEpoch, partitions, replicas, Collections.unmodifiableMap(moving));
    }

    /** The same replicas at a newer epoch. */
    public StaticPlacement withEpoch(long newEpoch) {
        requireNewer(newEpoch);
        return new StaticPlacement(newEpoch, partitions, replicas, pending);
    }

    private void requireNewer(long newEpoch) {
        if (newEpoch <= epoch) {
            throw new IllegalArgumentException("new epoch " + newEpoch + " must be > " + epoch);
        }
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public List<Integer> replicas(int partition) {
        return replicas.get(Objects.checkIndex(partition, partitions));
    }

    @Override
    public List<Integer> pendingReplicas(int partition) {
        Objects.checkIndex(partition, partitions);
        return pending.getOrDefault(partition, List.of());
    }

    @Override
    public int partitions() {
        return partitions;
    }

    @Override
    public String toString() {
        return "StaticPlacement[epoch=" + epoch + ", partitions=" + partitions + ", moving=" + pending.size() + "]";
    }
}
