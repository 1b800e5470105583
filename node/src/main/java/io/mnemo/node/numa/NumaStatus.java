package io.mnemo.node.numa;

import java.util.List;

/**
 * A point-in-time snapshot of NUMA placement, shaped for metrics (gauges per pool) and the admin API.
 *
 * @param mode          the configured mode
 * @param pinned        whether workers are pinned (auto may decide not to)
 * @param reason        why, as logged at startup
 * @param numaNodes     NUMA nodes in the topology
 * @param usableCpus    online CPUs this process may use
 * @param pools         one entry per worker pool
 * @param closed        whether {@code close()} was called
 */
public record NumaStatus(NumaMode mode, boolean pinned, String reason, int numaNodes, int usableCpus,
                         List<PoolStatus> pools, boolean closed) {

    /** Copies the pool list. */
    public NumaStatus {
        pools = List.copyOf(pools);
    }

    /** Live pinned worker threads over all pools. */
    public int pinnedThreads() {
        return pools.stream().mapToInt(PoolStatus::pinnedThreads).sum();
    }

    /** Live worker threads over all pools. */
    public int threads() {
        return pools.stream().mapToInt(PoolStatus::threads).sum();
    }

    /** Tasks waiting over all pools. */
    public int queueDepth() {
        return pools.stream().mapToInt(PoolStatus::queueDepth).sum();
    }

    /** Tasks that threw, over all pools. */
    public long failedTasks() {
        return pools.stream().mapToLong(PoolStatus::failedTasks).sum();
    }

    /**
     * One pool.
     *
     * @param name           e.g. {@code numa0}, or {@code unpinned}
     * @param numaNode       its NUMA node, -1 when unpinned
     * @param cpus           its CPU list, empty when unpinned
     * @param threads        live worker threads
     * @param pinnedThreads  live worker threads the kernel confirmed pinned
     * @param queueDepth     tasks waiting
     * @param completedTasks tasks that returned normally
     * @param failedTasks    tasks that threw
     * @param replacedThreads workers replaced after an Error killed them
     * @param partitions     partitions placed on this pool
     */
    public record PoolStatus(String name, int numaNode, String cpus, int threads, int pinnedThreads, int queueDepth,
                             long completedTasks, long failedTasks, int replacedThreads, int partitions) {
    }
}
