package io.mnemo.node.numa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which worker pool (and so which NUMA node) serves each partition, in proportion to the pools' weights
 * (their CPU counts).
 *
 * <p>Counts: pool {@code i} gets {@code floor(P * w_i / W)} partitions plus one more for the pools with
 * the largest remainders (ties to the lower index), so each count is within one of its exact share and
 * the counts sum to {@code P} (Hamilton's largest-remainder method).
 *
 * <p>Order: partitions are dealt with smooth weighted round-robin over those counts, so consecutive
 * partitions (often loaded alike) land on different nodes instead of one contiguous block per node.
 *
 * <p>The result depends only on {@code P} and the weights: the same machine and settings always give the
 * same mapping, across restarts and JVMs.
 */
public final class PartitionPlacement {

    private final int[] poolOfPartition;
    private final int[] numaNodeOfPool;
    private final int[] countPerPool;

    private PartitionPlacement(int[] poolOfPartition, int[] numaNodeOfPool, int[] countPerPool) {
        this.poolOfPartition = poolOfPartition;
        this.numaNodeOfPool = numaNodeOfPool;
        this.countPerPool = countPerPool;
    }

    /**
     * Places {@code partitions} partitions on pools with the given weights.
     *
     * @param partitions     P, at least 1
     * @param weights        one positive weight per pool (its CPU count)
     * @param numaNodeOfPool the NUMA node of each pool ({@code -1} for an unpinned pool)
     */
    public static PartitionPlacement proportional(int partitions, int[] weights, int[] numaNodeOfPool) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partition count " + partitions + " must be at least 1");
        }
        if (weights.length == 0 || weights.length != numaNodeOfPool.length) {
            throw new IllegalArgumentException("need one weight and one NUMA node per pool, got "
                    + weights.length + " weights and " + numaNodeOfPool.length + " nodes");
        }
        long total = 0;
        for (int w : weights) {
            if (w < 1) {
                throw new IllegalArgumentException("pool weight " + w + " must be positive: " + Arrays.toString(weights));
            }
            total += w;
        }
        int pools = weights.length;
        int[] counts = new int[pools];
        long[] remainders = new long[pools];
        int assigned = 0;
        for (int i = 0; i < pools; i++) {
            long scaled = (long) partitions * weights[i];
            counts[i] = (int) (scaled / total);
            remainders[i] = scaled % total;
            assigned += counts[i];
        }
        for (int extra = partitions - assigned; extra > 0; extra--) {
            int best = 0;
            for (int i = 1; i < pools; i++) {
                if (remainders[i] > remainders[best]) {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = -1;
        }
        int[] poolOf = new int[partitions];
        long[] current = new long[pools];
        for (int p = 0; p < partitions; p++) {
            int best = -1;
            for (int i = 0; i < pools; i++) {
                current[i] += counts[i];
                if (counts[i] > 0 && (best < 0 || current[i] > current[best])) {
                    best = i;
                }
            }
            current[best] -= partitions;
            poolOf[p] = best;
        }
        return new PartitionPlacement(poolOf, numaNodeOfPool.clone(), counts);
    }

    /** Number of partitions. */
    public int partitionCount() {
        return poolOfPartition.length;
    }

    /** Number of pools. */
    public int poolCount() {
        return countPerPool.length;
    }

    /** The pool serving {@code partition}. */
    public int poolOf(int partition) {
        checkPartition(partition);
        return poolOfPartition[partition];
    }

    /** The NUMA node serving {@code partition}, {@code -1} when its pool is unpinned. */
    public int numaNodeOf(int partition) {
        return numaNodeOfPool[poolOf(partition)];
    }

    /** How many partitions pool {@code pool} serves. */
    public int countOf(int pool) {
        return countPerPool[pool];
    }

    /** The partitions of pool {@code pool}, ascending. */
    public List<Integer> partitionsOf(int pool) {
        List<Integer> out = new ArrayList<>(countPerPool[pool]);
        for (int p = 0; p < poolOfPartition.length; p++) {
            if (poolOfPartition[p] == pool) {
                out.add(p);
            }
        }
        return out;
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= poolOfPartition.length) {
            throw new IllegalArgumentException("partition " + partition + " is outside 0.." + (poolOfPartition.length - 1));
        }
    }

    /** Counts per pool, e.g. {@code pool0(node0)=128 pool1(node1)=128}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < countPerPool.length; i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append("pool").append(i);
            if (numaNodeOfPool[i] >= 0) {
                out.append("(node").append(numaNodeOfPool[i]).append(')');
            }
            out.append('=').append(countPerPool[i]);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "PartitionPlacement{P=" + poolOfPartition.length + ", " + describe() + "}";
    }
}
