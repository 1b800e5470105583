package io.mnemo.node.replication;

/**
 * A replication call failed for a reason the caller can act on. {@link #retryable()} says whether the same call
 * may succeed later without the caller changing anything but, at most, its topology; {@link Failures} holds the
 * rule per kind.
 */
public abstract class ReplicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReplicationException(String message) {
        super(message);
    }

    ReplicationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True if retrying (after refreshing the topology where the subclass says so) may succeed. */
    public abstract boolean retryable();
}
