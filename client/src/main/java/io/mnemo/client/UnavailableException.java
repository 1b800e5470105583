package io.mnemo.client;

/**
 * No node could serve the call within the retry cap: nodes are down, starting, draining or unreachable, or the
 * topology kept moving under the call. Safe to call again later; check the seeds and the nodes' health if it persists.
 *
 * <pre>{@code
 * catch (UnavailableException e) { backOffAndRetryLater(); }
 * }</pre>
 */
public class UnavailableException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final int attempts;

    public UnavailableException(String message, int attempts, Throwable cause) {
        super(message + " (after " + attempts + " attempt(s)); retry later, and check the nodes if it persists", cause);
        this.attempts = attempts;
    }

    /** How many attempts were made. */
    public int attempts() {
        return attempts;
    }
}
