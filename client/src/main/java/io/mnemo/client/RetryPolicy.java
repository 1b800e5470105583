package io.mnemo.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * How often and how patiently a call is retried: a cap on attempts (the first one included) and an exponential
 * backoff with jitter between them. Which failures are retried at all is not configurable: see the rules in the
 * client's README section ({@code RetryRule} in the implementation).
 *
 * <p>The jitter comes from an injectable {@link Random} (seeded for reproducible tests); {@code Random} is
 * thread-safe, so one policy serves every call.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.of(5, Duration.ofMillis(20), Duration.ofSeconds(1)).withSeed(42);
 * MnemoClient client = MnemoClient.builder().seeds("127.0.0.1:7400").retryPolicy(policy).build();
 * }</pre>
 */
public final class RetryPolicy {
    /** Up to 4 attempts, backoff starting at 25 ms and capped at 1 s. */
    public static final RetryPolicy DEFAULT = of(4, Duration.ofMillis(25), Duration.ofSeconds(1));
    /** The largest attempt cap accepted. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Random random;

    private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Random random) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.random = random;
    }

    /**
     * A policy with an unseeded random source.
     *
     * @param maxAttempts attempts per call, the first included, in [1, 100]; 1 means never retry
     * @param initialBackoff backoff before the second attempt (before jitter), positive
     * @param maxBackoff the backoff cap, at least {@code initialBackoff}
     * @throws IllegalArgumentException naming the bad value
     */
    public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be in [1, " + MAX_ATTEMPTS_LIMIT + "], got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff (" + initialBackoff + "), got "
                    + maxBackoff);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, new Random());
    }

    /** The same policy with jitter drawn from {@code new Random(seed)}: reproducible backoff sequences. */
    public RetryPolicy withSeed(long seed) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, new Random(seed));
    }

    /** The same policy with jitter drawn from {@code random}. */
    public RetryPolicy withRandom(Random random) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, Objects.requireNonNull(random, "random"));
    }

    /** The same policy with another attempt cap, validated as in {@link #of}. */
    public RetryPolicy withMaxAttempts(int maxAttempts) {
        return of(maxAttempts, initialBackoff, maxBackoff).withRandom(random);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * The pause before attempt {@code attempt} (2 for the first retry): "equal jitter", uniformly drawn from
     * {@code [c/2, c]} where {@code c = min(maxBackoff, initialBackoff * 2^(attempt-2))}. Half the ceiling is kept so
     * a retry storm cannot collapse to zero delay, the other half spreads the clients apart.
     *
     * @throws IllegalArgumentException if {@code attempt < 2}
     */
    public Duration backoffBefore(int attempt) {
        if (attempt < 2) {
            throw new IllegalArgumentException("the first retry is attempt 2, got " + attempt);
        }
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        int doublings = Math.min(attempt - 2, 62);
        long ceiling = initial > (cap >> doublings) ? cap : Math.min(cap, initial << doublings);
        long half = ceiling / 2;
        long jitter = half == 0 ? 0 : (long) (random.nextDouble() * (ceiling - half + 1));
        return Duration.ofNanos(half + jitter);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                + maxBackoff + "]";
    }
}
