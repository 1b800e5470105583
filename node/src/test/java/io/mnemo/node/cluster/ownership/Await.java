package io.mnemo.node.cluster.ownership;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline. Checks the condition, then backs off (0.5 ms doubling up to
 * 20 ms) and checks again until it holds or the deadline passes, when it fails naming the condition and
 * what was last observed. For events with a callback (epochs, futures) tests wait on the callback instead.
 */
final class Await {
    private Await() {
    }

    static void until(String what, BooleanSupplier condition, Duration timeout) {
        until(what, condition, timeout, () -> "");
    }

    static void until(String what, BooleanSupplier condition, Duration timeout, Supplier<String> observed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffNs = TimeUnit.MICROSECONDS.toNanos(500);
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what + "; observed: " + observed.get());
            }
            LockSupport.parkNanos(Math.min(backoffNs, left));
            backoffNs = Math.min(backoffNs * 2, TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
