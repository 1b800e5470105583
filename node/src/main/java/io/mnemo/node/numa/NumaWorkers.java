package io.mnemo.node.numa;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NUMA-aware worker pools for a node: one pool per NUMA node (or per explicit CPU list), threads pinned
 * to that node's CPUs, and every partition placed on one pool in proportion to the pools' CPUs. Work for
 * a partition ({@link #executorFor(int)}) therefore always runs on the same node, so the memory it
 * touches first (warm-tier pages, decoded records) is allocated on that node and stays local.
 *
 * <p>Lifecycle: {@link #start} reads the topology, decides the plan ({@link PinningPlan}), starts and
 * pins the threads, and logs one line with the topology and one with the placement. {@link #close()}
 * is idempotent and thread-safe: the first caller finishes queued work (up to
 * {@code mnemo.numa.shutdown-timeout}), concurrent callers wait for it; afterwards submissions are
 * refused.
 */
public final class NumaWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NumaWorkers.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final NumaConfig config;
    private final NumaTopology topology;
    private final PinningPlan plan;
    private final PartitionPlacement placement;
    private final List<WorkerPool> pools;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);

    private NumaWorkers(NumaConfig config, NumaTopology topology, PinningPlan plan, PartitionPlacement placement,
                        List<WorkerPool> pools) {
        this.config = config;
        this.topology = topology;
        this.plan = plan;
        this.placement = placement;
        this.pools = List.copyOf(pools);
    }

    /**
     * Reads the topology from {@code config.sysfsRoot()} (not at all in mode off, so a broken sysfs can
     * always be bypassed) and starts the pools.
     *
     * @param partitions P, the cluster's partition count
     * @throws TopologyException   when sysfs files are malformed
     * @throws NumaConfigException when explicit CPU lists cannot be honoured on this machine
     */
    public static NumaWorkers start(NumaConfig config, int partitions, WorkerErrorHandler errorHandler) {
        NumaTopology topology = config.mode() == NumaMode.OFF
                ? NumaTopology.undetected(Runtime.getRuntime().availableProcessors(), "not read (mode off)")
                : NumaTopology.detect(config.sysfsRoot());
        return start(config, topology, partitions, errorHandler);
    }

    /** Starts the pools for a given topology (tests, benchmarks, or a caller that already detected it). */
    public static NumaWorkers start(NumaConfig config, NumaTopology topology, int partitions, WorkerErrorHandler errorHandler) {
        return start(config, topology, partitions, errorHandler, CpuBinder.openHft());
    }

    static NumaWorkers start(NumaConfig config, NumaTopology topology, int partitions, WorkerErrorHandler errorHandler,
                             CpuBinder binder) {
        PinningPlan plan = PinningPlan.resolve(config, topology);
        int[] weights = plan.pools().stream().mapToInt(p -> Math.max(1, p.cpus().size())).toArray();
        int[] nodes = plan.pools().stream().mapToInt(PinningPlan.PoolPlan::numaNode).toArray();
        PartitionPlacement placement = PartitionPlacement.proportional(partitions, weights, nodes);
        List<WorkerPool> pools = new ArrayList<>();
        for (int i = 0; i < plan.pools().size(); i++) {
            pools.add(new WorkerPool(plan.pools().get(i), placement.countOf(i), config.queueCapacity(), binder, errorHandler));
        }
        NumaWorkers workers = new NumaWorkers(config, topology, plan, placement, pools);
        pools.forEach(WorkerPool::start);
        workers.awaitStarted();
        workers.logStartup();
        return workers;
    }

    private void awaitStarted() {
        try {
            for (WorkerPool pool : pools) {
                if (!pool.awaitStarted(START_TIMEOUT)) {
                    close();
                    throw new NumaException("NUMA worker pool " + pool.name() + " did not start within " + START_TIMEOUT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new NumaException("interrupted while starting NUMA worker pools", e);
        }
    }

    private void logStartup() {
        LOG.info("NUMA topology: {}", topology.describe());
        NumaStatus status = status();
        StringBuilder poolsText = new StringBuilder();
        for (NumaStatus.PoolStatus pool : status.pools()) {
            poolsText.append("; ").append(pool.name())
                    .append(pool.numaNode() >= 0 ? " cpus " + pool.cpus() : "")
                    .append(" threads ").append(pool.threads())
                    .append(" pinned ").append(pool.pinnedThreads())
                    .append(" partitions ").append(pool.partitions());
        }
        LOG.info("NUMA placement: mode {}, {} ({}); {} partitions{}", config.mode().settingValue(),
                plan.pinned() ? "pinned" : "unpinned", plan.reason(), placement.partitionCount(), poolsText);
        if (plan.pinned() && status.pinnedThreads() < status.threads()) {
            LOG.warn("NUMA: {} of {} worker threads could not be pinned (the kernel or platform refused); they run unpinned",
                    status.threads() - status.pinnedThreads(), status.threads());
        }
    }

    /**
     * The executor for {@code partition}: its NUMA node's pool. Its {@code execute} throws
     * {@link java.util.concurrent.RejectedExecutionException} when the pool's queue is full or closed.
     *
     * @throws IllegalArgumentException for a partition outside {@code 0..P-1}
     * @throws IllegalStateException    after {@link #close()}
     */
    public Executor executorFor(int partition) {
        checkOpen();
        return pools.get(placement.poolOf(partition));
    }

    /** The NUMA node serving {@code partition}, {@code -1} when workers are unpinned. */
    public int numaNodeOf(int partition) {
        return placement.numaNodeOf(partition);
    }

    /** The partition-to-pool mapping. */
    public PartitionPlacement placement() {
        return placement;
    }

    /** The topology the plan was made from. */
    public NumaTopology topology() {
        return topology;
    }

    /**
     * Runs each partition's warm-up task on the pool that owns the partition, so the memory it touches
     * first (e.g. the warm tier's files for those partitions) is faulted in from that node's CPUs.
     * {@code taskFor} is called on the calling thread to build each task; the tasks run concurrently on
     * the pools. The future completes when all finished, exceptionally with the first failure.
     *
     * @throws java.util.concurrent.RejectedExecutionException when a pool's queue is full (tasks
     *         already submitted still run)
     */
    public CompletableFuture<Void> warmUp(Collection<Integer> partitions, IntFunction<Runnable> taskFor) {
        checkOpen();
        List<CompletableFuture<Void>> runs = new ArrayList<>(partitions.size());
        for (int partition : partitions) {
            Runnable task = taskFor.apply(partition);
            runs.add(CompletableFuture.runAsync(task, executorFor(partition)));
        }
        return CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0]));
    }

    /** {@link #warmUp(Collection, IntFunction)} for every partition {@code 0..P-1}. */
    public CompletableFuture<Void> warmUp(IntFunction<Runnable> taskFor) {
        return warmUp(IntStream.range(0, placement.partitionCount()).boxed().toList(), taskFor);
    }

    /** A snapshot for metrics and the admin API. */
    public NumaStatus status() {
        List<NumaStatus.PoolStatus> poolStatus = new ArrayList<>();
        for (WorkerPool pool : pools) {
            poolStatus.add(pool.status());
        }
        return new NumaStatus(config.mode(), plan.pinned(), plan.reason(), topology.nodes().size(),
                topology.usable().size(), poolStatus, closing.get());
    }

    private void checkOpen() {
        if (closing.get()) {
            throw new IllegalStateException("NUMA workers are closed");
        }
    }

    /**
     * Stops intake, lets queued tasks finish until {@code mnemo.numa.shutdown-timeout}, then interrupts
     * the workers and drops what is still queued (logged). Idempotent and thread-safe: later or
     * concurrent callers wait for the first one to finish, except a worker thread, which returns at once
     * (it would otherwise wait for itself).
     */
    @Override
    public void close() {
        boolean onWorker = pools.stream().anyMatch(p -> p.isWorker(Thread.currentThread()));
        if (!closing.compareAndSet(false, true)) {
            if (!onWorker) {
                awaitClosedLatch();
            }
            return;
        }
        try {
            pools.forEach(WorkerPool::beginClose);
            long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
            int dropped = 0;
            for (WorkerPool pool : pools) {
                dropped += pool.awaitClosed(deadline);
            }
            LOG.info("NUMA workers closed{}", dropped == 0 ? "" : ", " + dropped + " queued tasks dropped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while closing NUMA workers; workers finish in the background");
        } finally {
            closedLatch.countDown();
        }
    }

    private void awaitClosedLatch() {
        try {
            closedLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
