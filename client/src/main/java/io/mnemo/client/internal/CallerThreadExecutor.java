package io.mnemo.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a blocking call's gRPC callbacks on the thread that waits for it, as gRPC's own blocking stubs do: the
 * network thread queues the callback and unparks the waiter, which runs it and finds its answer, instead of handing
 * it to a pool thread that completes a future and then wakes the waiter (one thread hop fewer per call, the largest
 * fixed cost of a blocking recall over a raw stub).
 *
 * <p>One instance per blocking call, made on the waiting thread. Retries and hedges started from other threads
 * (the scheduler, a topology refresh) use it too; whatever completes the call, {@link #await} returns once the
 * future is done. Callbacks that arrive after that (a lost hedge's close) run on the common pool, so none is lost.
 * Thread-safe: {@link #execute} may be called from any thread.
 */
public final class CallerThreadExecutor implements Executor {
    private final Thread waiter = Thread.currentThread();
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    /** Set once by the waiter when it stops draining; from then on callbacks go to the common pool. */
    private volatile boolean done;

    @Override
    public void execute(Runnable r) {
        if (done) {
            ForkJoinPool.commonPool().execute(r);
            return;
        }
        queue.add(r);
        LockSupport.unpark(waiter);
        // The waiter may have stopped between the check and the add: take the task back if it is still queued.
        if (done && queue.remove(r)) {
            ForkJoinPool.commonPool().execute(r);
        }
    }

    /**
     * Runs queued callbacks on this thread until {@code f} completes, then returns its value.
     *
     * @throws ExecutionException   as {@link CompletableFuture#get()}
     * @throws InterruptedException if this thread is interrupted while waiting (the caller cancels the call)
     */
    public <T> T await(CompletableFuture<T> f) throws ExecutionException, InterruptedException {
        if (Thread.currentThread() != waiter) {
            throw new IllegalStateException("await must run on the thread that made the executor");
        }
        if (!f.isDone()) {
            f.whenComplete((v, e) -> LockSupport.unpark(waiter));
        }
        try {
            while (!f.isDone()) {
                Runnable r = queue.poll();
                if (r != null) {
                    r.run();
                } else {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
        } finally {
            done = true;
            for (Runnable r = queue.poll(); r != null; r = queue.poll()) {
                ForkJoinPool.commonPool().execute(r);
            }
        }
        return f.get();
    }
}
