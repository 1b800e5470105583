package io.mnemo.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-call options: read consistency, an overall deadline and a hedge delay. Immutable; each {@code with...}
 * returns a changed copy, so one instance can be shared by many threads.
 *
 * <pre>{@code
 * CallOptions fast = CallOptions.defaults()
 *         .withConsistency(Consistency.ONE)
 *         .withTimeout(Duration.ofMillis(200))      // the whole call, retries included
 *         .withHedgeDelay(Duration.ofMillis(5));    // ask a second replica if the first is slow
 * Optional<Memory> m = client.recall("m-1", fast);
 * }</pre>
 */
public final class CallOptions {
    private static final CallOptions DEFAULTS = new CallOptions(null, null, null);

    private final Consistency consistency;
    private final Duration timeout;
    private final Duration hedgeDelay;

    private CallOptions(Consistency consistency, Duration timeout, Duration hedgeDelay) {
        this.consistency = consistency;
        this.timeout = timeout;
        this.hedgeDelay = hedgeDelay;
    }

    /** No consistency (the cluster's read quorum), no overall deadline (attempts are capped instead), no hedging. */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /** Read consistency; ignored by writes, which always wait for the cluster's write quorum. */
    public CallOptions withConsistency(Consistency consistency) {
        return new CallOptions(Objects.requireNonNull(consistency, "consistency"), timeout, hedgeDelay);
    }

    /**
     * A deadline for the whole call, every attempt and backoff included; when it passes the call fails with
     * {@link MnemoTimeoutException}. Each attempt is also bounded by the client's request timeout.
     *
     * @throws IllegalArgumentException if not positive
     */
    public CallOptions withTimeout(Duration timeout) {
        return new CallOptions(consistency, positive("timeout", timeout), hedgeDelay);
    }

    /**
     * For reads by id: when the first replica has not answered after this delay, the same read goes to the next
     * replica too, and the first answer wins (the other call is cancelled). Costs extra load; cuts tail latency.
     *
     * @throws IllegalArgumentException if not positive
     */
    public CallOptions withHedgeDelay(Duration hedgeDelay) {
        return new CallOptions(consistency, timeout, positive("hedgeDelay", hedgeDelay));
    }

    public Optional<Consistency> consistency() {
        return Optional.ofNullable(consistency);
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public Optional<Duration> hedgeDelay() {
        return Optional.ofNullable(hedgeDelay);
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "CallOptions[consistency=" + consistency + ", timeout=" + timeout + ", hedgeDelay=" + hedgeDelay + "]";
    }
}
