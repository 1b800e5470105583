package io.mnemo.node.replication;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs tasks later: deadlines, hedges, background loops and injected delays. Injected so tests can decide
 * which thread and which clock drive time.
 */
public interface Scheduler {

    /** Runs {@code task} after {@code delayNs} (at once if not positive); returns a handle that cancels it. */
    Cancellable schedule(Runnable task, long delayNs);

    /** The scheduler's clock in nanoseconds (monotonic, arbitrary origin). */
    long nanoTime();

    /** A scheduled task that can be cancelled; cancelling a task that ran is harmless. */
    interface Cancellable {
        void cancel();
    }

    /** A scheduler on an executor and {@link System#nanoTime()}; the executor stays the caller's to shut down. */
    static Scheduler of(ScheduledExecutorService executor) {
        return new Scheduler() {
            @Override
            public Cancellable schedule(Runnable task, long delayNs) {
                var f = executor.schedule(task, Math.max(0, delayNs), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
    }
}
