package io.mnemo.node.cluster.ownership;

/** A proposal that did not produce a committed result. {@link #isRetryable()} says whether to try again. */
public abstract class OwnershipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long lastKnownEpoch;

    OwnershipException(String message, long lastKnownEpoch, Throwable cause) {
        super(message, cause);
        this.lastKnownEpoch = lastKnownEpoch;
    }

    /** The epoch of this node's baseline when the proposal failed. */
    public long lastKnownEpoch() {
        return lastKnownEpoch;
    }

    /** Whether the same proposal may succeed later (true) or will be refused again (false). */
    public abstract boolean isRetryable();
}
