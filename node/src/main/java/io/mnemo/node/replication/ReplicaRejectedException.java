package io.mnemo.node.replication;

import java.util.Objects;

/**
 * A replica refused a call for a reason sending it again will not fix: an invalid record, an unknown space, a
 * quota, a corrupted record. Not retryable and never hinted.
 */
public final class ReplicaRejectedException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    /** Why the replica refused. */
    public enum Reason { INVALID_ARGUMENT, NOT_FOUND, QUOTA_EXCEEDED, CORRUPTION, INTERNAL }

    private final int node;
    private final Reason reason;

    public ReplicaRejectedException(int node, Reason reason, String message) {
        super("replica " + node + " rejected the call (" + reason + "): " + message);
        this.node = node;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public int node() {
        return node;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
