package io.mnemo.node.cluster.membership;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline. Sources of change call {@link #signal()} (the event recorders
 * do), which wakes waiters at once; a waiter also re-checks at a coarse interval as a safety net for
 * conditions nothing signals (Ignite's own state).
 */
final class Await {
    private static final Object MONITOR = new Object();
    private static final long RECHECK_MS = 25;

    private Await() {
    }

    /** Wakes every waiter to re-check its condition. */
    static void signal() {
        synchronized (MONITOR) {
            MONITOR.notifyAll();
        }
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} and {@code state} when the deadline passes first
     */
    static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<?> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (MONITOR) {
            while (!condition.getAsBoolean()) {
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; state: " + state.get());
                }
                try {
                    MONITOR.wait(Math.min(remainingMs, RECHECK_MS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + what, e);
                }
            }
        }
    }

    static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, what, condition, () -> "n/a");
    }
}
