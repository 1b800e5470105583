package io.mnemo.node.replication;

/**
 * Fewer replicas than a quorum made a write durable (or answered a read) before the deadline. For a write the
 * outcome is <b>indeterminate</b>: the record may be on some replicas (the coordinator's own copy at least) and
 * may later spread by hints and anti-entropy, or be overwritten. Retryable: the replicas may be reachable later.
 */
public final class QuorumUnavailableException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    private final int needed;
    private final int reached;
    private final boolean retryable;

    public QuorumUnavailableException(int needed, int reached, boolean retryable, String message) {
        super(message + " (needed " + needed + ", reached " + reached + ")");
        this.needed = needed;
        this.reached = reached;
        this.retryable = retryable;
    }

    /** Replicas the operation needed (of the replica set that fell short). */
    public int needed() {
        return needed;
    }

    /** Replicas that succeeded in that set. */
    public int reached() {
        return reached;
    }

    /** False only when the quorum can never be met as configured (e.g. W larger than the replica set). */
    @Override
    public boolean retryable() {
        return retryable;
    }
}
