package io.mnemo.node.numa;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of worker threads, each pinned to its CPUs from inside the thread (affinity is per
 * thread), sharing one FIFO queue. One pool serves one NUMA node, so any of its threads may run any of
 * the node's partitions.
 *
 * <p>Failures: a task's Throwable is counted and handed to the {@link WorkerErrorHandler}; the worker
 * then takes the next task. An {@link Error} is also rethrown, ending that thread (the uncaught-exception
 * handler logs it); a replacement on the same CPUs is started first so the pool keeps its size.
 *
 * <p>Closing: {@link #beginClose()} stops intake and queues one STOP marker behind every accepted task;
 * a worker that takes STOP puts it back for the next worker and exits, so queued work is finished by
 * whoever is alive. {@link #awaitClosed} waits until a deadline, then interrupts the stragglers and
 * drops (and logs) tasks still queued.
 *
 * <p>Concurrency: {@code gate} orders intake against close: {@link #execute} enqueues under the read
 * lock after checking {@code closed}, {@link #beginClose()} sets {@code closed} and enqueues STOP under
 * the write lock, so STOP is always behind every accepted task. Nothing else is done under the lock.
 */
final class WorkerPool implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final Runnable STOP = () -> { };

    private final PinningPlan.PoolPlan plan;
    private final int partitions;
    private final int capacity;
    private final CpuBinder binder;
    private final WorkerErrorHandler errorHandler;

    /** Accepted tasks, then STOP once closing. */
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    /** Accepted tasks not yet taken by a worker: 0 <= depth <= capacity, except transiently +1 during a refused execute. */
    private final AtomicInteger depth = new AtomicInteger();
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    /** Guarded by {@code gate}; written once, false to true. */
    private boolean closed;
    /** Set after the close deadline passed: workers exit at the next chance. */
    private volatile boolean abandoned;

    /** Every worker thread ever started, replacements included; only grows. */
    private final CopyOnWriteArrayList<Thread> threads = new CopyOnWriteArrayList<>();
    /** Workers started and not yet retired. */
    private final AtomicInteger live = new AtomicInteger();
    /** Live workers that are pinned: 0 <= pinned <= live. */
    private final AtomicInteger pinned = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger replaced = new AtomicInteger();
    /** Counted down once per initial worker after it tried to pin. */
    private final CountDownLatch started;

    WorkerPool(PinningPlan.PoolPlan plan, int partitions, int capacity, CpuBinder binder, WorkerErrorHandler errorHandler) {
        this.plan = plan;
        this.partitions = partitions;
        this.capacity = capacity;
        this.binder = binder;
        this.errorHandler = errorHandler;
        this.started = new CountDownLatch(plan.threads().size());
    }

    /** Starts the workers; returns without waiting for them to pin (see {@link #awaitStarted}). */
    void start() {
        for (PinningPlan.ThreadPlan thread : plan.threads()) {
            startWorker(thread, thread.name(), true);
        }
    }

    /** Waits until every initial worker tried to pin; false on timeout. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void startWorker(PinningPlan.ThreadPlan plan, String name, boolean initial) {
        Thread thread = new Thread(new Worker(plan, initial), name);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) ->
                LOG.error("NUMA worker {} of pool {} ended by {}", t.getName(), this.plan.name(), e.toString(), e));
        live.incrementAndGet();
        threads.add(thread);
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        gate.readLock().lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("NUMA worker pool " + plan.name() + " is closed");
            }
            if (depth.incrementAndGet() > capacity) {
                depth.decrementAndGet();
                throw new RejectedExecutionException("NUMA worker pool " + plan.name() + " has " + capacity
                        + " tasks waiting (" + NumaSetting.QUEUE_CAPACITY.key() + "); retry later");
            }
            queue.add(task);
        } finally {
            gate.readLock().unlock();
        }
    }

    /** One worker thread's loop; {@code live} and {@code pinned} count it until it retires. */
    private final class Worker implements Runnable {
        private final PinningPlan.ThreadPlan plan;
        private final boolean initial;
        private boolean isPinned;
        private boolean retired;

        Worker(PinningPlan.ThreadPlan plan, boolean initial) {
            this.plan = plan;
            this.initial = initial;
        }

        @Override
        public void run() {
            isPinned = !plan.cpus().isEmpty() && binder.bindCurrentThread(plan.cpus());
            if (isPinned) {
                pinned.incrementAndGet();
            }
            if (initial) {
                started.countDown();
            }
            try {
                while (!abandoned) {
                    Runnable task;
                    try {
                        task = queue.take();
                    } catch (InterruptedException e) {
                        continue;
                    }
                    if (task == STOP) {
                        queue.add(STOP);
                        return;
                    }
                    depth.decrementAndGet();
                    runTask(task);
                    // An interrupt a task left behind must not leak into the next task.
                    Thread.interrupted();
                }
            } finally {
                retire();
            }
        }

        private void runTask(Runnable task) {
            try {
                task.run();
                completed.incrementAndGet();
            } catch (Throwable t) {
                failed.incrementAndGet();
                report(t);
                if (t instanceof Error) {
                    // Retire before the replacement starts so the counts never show both threads.
                    retire();
                    if (!abandoned) {
                        startWorker(plan, plan.name() + "-r" + replaced.incrementAndGet(), false);
                    }
                    throw (Error) t;
                }
            }
        }

        private void retire() {
            if (!retired) {
                retired = true;
                live.decrementAndGet();
                if (isPinned) {
                    pinned.decrementAndGet();
                }
            }
        }
    }

    private void report(Throwable t) {
        try {
            errorHandler.onError(plan.name(), Thread.currentThread().getName(), t);
        } catch (RuntimeException handlerFailure) {
            handlerFailure.addSuppressed(t);
            LOG.error("the NUMA worker error handler failed on pool {}", plan.name(), handlerFailure);
        }
    }

    /** Stops intake; queued tasks still run. Returns false if already closing. */
    boolean beginClose() {
        gate.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            queue.add(STOP);
            return true;
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * Waits until the workers finished (the calling thread excluded, so a task may close its own pool)
     * or {@code deadlineNs} of {@link System#nanoTime()} passed; then interrupts the stragglers and drops
     * the tasks still queued. Returns the number of tasks dropped.
     */
    int awaitClosed(long deadlineNs) throws InterruptedException {
        while (true) {
            boolean allDone = true;
            for (Thread t : threads) {
                if (t == Thread.currentThread() || !t.isAlive()) {
                    continue;
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                if (leftMs > 0) {
                    t.join(leftMs);
                }
                allDone &= !t.isAlive();
            }
            if (allDone && threads.stream().allMatch(t -> t == Thread.currentThread() || !t.isAlive())) {
                return 0;
            }
            if (deadlineNs - System.nanoTime() <= 0) {
                break;
            }
        }
        abandoned = true;
        int dropped = 0;
        for (Runnable task : queue) {
            if (task != STOP && queue.remove(task)) {
                depth.decrementAndGet();
                dropped++;
            }
        }
        for (Thread t : threads) {
            if (t != Thread.currentThread() && t.isAlive()) {
                t.interrupt();
            }
        }
        LOG.warn("NUMA worker pool {} did not finish within {}: interrupted its workers and dropped {} queued tasks",
                plan.name(), NumaSetting.SHUTDOWN_TIMEOUT.key(), dropped);
        return dropped;
    }

    /** True when {@code thread} is one of this pool's workers. */
    boolean isWorker(Thread thread) {
        return threads.contains(thread);
    }

    String name() {
        return plan.name();
    }

    int numaNode() {
        return plan.numaNode();
    }

    /** A snapshot of the counters. */
    NumaStatus.PoolStatus status() {
        return new NumaStatus.PoolStatus(plan.name(), plan.numaNode(), plan.cpus().format(), live.get(), pinned.get(),
                Math.max(0, depth.get()), completed.get(), failed.get(), replaced.get(), partitions);
    }
}
