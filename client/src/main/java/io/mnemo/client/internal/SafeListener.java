package io.mnemo.client.internal;

import io.mnemo.client.ClientListener;
import io.mnemo.client.Operation;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls the application's {@link ClientListener} so that its failures never fail a call: a {@code RuntimeException}
 * from a listener is counted and dropped; an {@code Error} is rethrown, as nothing sane can continue after one.
 */
public final class SafeListener {
    /** The listener of a client built without one: calls to it are skipped altogether (no latency is computed). */
    public static final ClientListener NONE = new ClientListener() {
    };

    private final ClientListener delegate;
    /** False for {@link #NONE}: the per-call hooks are skipped. */
    private final boolean active;
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong backgroundFailures = new AtomicLong();

    public SafeListener(ClientListener delegate) {
        this.delegate = delegate;
        this.active = delegate != NONE;
    }

    /** How many times a listener method threw. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** How many times background work failed. */
    public long backgroundFailures() {
        return backgroundFailures.get();
    }

    public void callStarted(Operation op) {
        if (active) {
            guard(() -> delegate.callStarted(op));
        }
    }

    /** {@link #callFinished(Operation, Duration, Throwable)} with the latency in nanoseconds. */
    public void callFinishedNs(Operation op, long latencyNs, Throwable failure) {
        if (active) {
            Duration latency = Duration.ofNanos(latencyNs);
            guard(() -> delegate.callFinished(op, latency, failure));
        }
    }

    public void callFinished(Operation op, Duration latency, Throwable failure) {
        guard(() -> delegate.callFinished(op, latency, failure));
    }

    public void retrying(Operation op, int attempt, Duration backoff, Throwable cause) {
        guard(() -> delegate.retrying(op, attempt, backoff, cause));
    }

    public void topologyRefreshed(long oldEpoch, long newEpoch, String endpoint) {
        guard(() -> delegate.topologyRefreshed(oldEpoch, newEpoch, endpoint));
    }

    /** Counts a failure of background work and reports it. */
    public void backgroundFailure(Throwable failure) {
        backgroundFailures.incrementAndGet();
        guard(() -> delegate.backgroundFailure(failure));
    }

    private void guard(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException listenerBug) {
            listenerFailures.incrementAndGet();
        }
    }
}
