package io.mnemo.client;

/**
 * Fewer replicas than the call needed answered: replicas are down or cut off, and a side of a network partition
 * without a quorum refuses rather than diverging. The client already retried when {@link #retryable()}; call again
 * later, or read with a weaker {@link Consistency}.
 *
 * <pre>{@code
 * catch (QuorumUnavailableException e) { if (e.retryable()) { scheduleRetry(); } }
 * }</pre>
 */
public class QuorumUnavailableException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final int needed;
    private final int reached;
    private final boolean retryable;

    public QuorumUnavailableException(int needed, int reached, boolean retryable, int attempts, Throwable cause) {
        super("only " + reached + " of the " + needed + " replicas needed answered (after " + attempts + " attempt(s)); "
                + (retryable ? "replicas are down or unreachable: retry later or read with a weaker consistency"
                        : "this call cannot succeed as asked (e.g. consistency ALL with fewer members than RF): "
                        + "ask for fewer replicas"), cause);
        this.needed = needed;
        this.reached = reached;
        this.retryable = retryable;
    }

    public int needed() {
        return needed;
    }

    public int reached() {
        return reached;
    }

    /** Whether the same call may succeed later. */
    public boolean retryable() {
        return retryable;
    }
}
