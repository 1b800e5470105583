package io.mnemo.client;

import java.time.Duration;

/**
 * The call did not finish in time: every attempt hit the request timeout, or the call's overall deadline passed.
 * A write that timed out may or may not have been applied; storing the same memory again is safe (last writer wins).
 *
 * <pre>{@code
 * catch (MnemoTimeoutException e) { log.warn("gave up after {} attempts", e.attempts()); }
 * }</pre>
 */
public class MnemoTimeoutException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final int attempts;
    private final Duration elapsed;

    public MnemoTimeoutException(String what, int attempts, Duration elapsed, Throwable cause) {
        super(what + " timed out after " + attempts + " attempt(s) in " + elapsed.toMillis() + " ms; "
                + "the cluster is slow or unreachable: raise requestTimeout/CallOptions.withTimeout or check the nodes",
                cause);
        this.attempts = attempts;
        this.elapsed = elapsed;
    }

    /** How many attempts were made. */
    public int attempts() {
        return attempts;
    }

    /** Time from the call's start until it gave up. */
    public Duration elapsed() {
        return elapsed;
    }
}
