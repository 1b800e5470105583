package io.mnemo.node.replication;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;

/**
 * A periodic task on the {@link Scheduler}: each tick gets {@code nowNs}, returns a future, and the next tick is
 * scheduled when that future ends, after the period varied by a seeded jitter (so nodes started together do
 * not tick together, and a run is reproducible). Ticks never overlap.
 *
 * <p>Never dies silently: every throwable of a tick (thrown or completing its future) goes to the
 * {@link LoopErrorHandler} and a counter, and the loop continues; an {@link Error} is reported and then
 * rethrown, which stops the loop (the JVM is in trouble; carrying on would hide it).
 *
 * <p>Thread-safe: {@code stopped} is volatile; the generator is used only by the tick chain, one at a time.
 */
final class BackgroundLoop {
    private final String name;
    private final LongFunction<CompletableFuture<?>> tick;
    private final long periodNs;
    private final double jitter;
    private final RandomGenerator random;
    private final Scheduler scheduler;
    private final LoopErrorHandler errors;
    private final LongAdder errorCount;
    private volatile boolean stopped = true;
    private volatile Scheduler.Cancellable next;

    BackgroundLoop(String name, LongFunction<CompletableFuture<?>> tick, long periodNs, double jitter, RandomGenerator random,
                   Scheduler scheduler, LoopErrorHandler errors, LongAdder errorCount) {
        this.name = name;
        this.tick = tick;
        this.periodNs = periodNs;
        this.jitter = jitter;
        this.random = random;
        this.scheduler = scheduler;
        this.errors = errors;
        this.errorCount = errorCount;
    }

    void start() {
        stopped = false;
        scheduleNext();
    }

    void stop() {
        stopped = true;
        Scheduler.Cancellable n = next;
        if (n != null) {
            n.cancel();
        }
    }

    private void scheduleNext() {
        if (stopped) {
            return;
        }
        double factor;
        synchronized (random) {
            factor = 1 + jitter * (2 * random.nextDouble() - 1);
        }
        next = scheduler.schedule(this::runOnce, (long) (periodNs * factor));
    }

    private void runOnce() {
        if (stopped) {
            return;
        }
        CompletableFuture<?> f;
        try {
            f = tick.apply(scheduler.nanoTime());
        } catch (Throwable t) {
            report(t);
            if (t instanceof Error) {
                stopped = true;
                throw (Error) t;
            }
            scheduleNext();
            return;
        }
        f.whenComplete((v, e) -> {
            if (e != null) {
                report(Failures.unwrap(e));
            }
            scheduleNext();
        });
    }

    private void report(Throwable t) {
        errorCount.increment();
        try {
            errors.onError(name, t);
        } catch (RuntimeException handlerFailure) {
            t.addSuppressed(handlerFailure);
        }
    }
}
