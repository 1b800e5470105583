package io.mnemo.node.replication;

/**
 * A replica did not answer (unreachable, dropped, timed out) or answered that it cannot serve now (starting,
 * draining, behind the caller's epoch). The write it missed is kept as a hint.
 */
public final class ReplicaUnavailableException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    private final int node;

    public ReplicaUnavailableException(int node, String reason) {
        super("replica " + node + " unavailable: " + reason);
        this.node = node;
    }

    public ReplicaUnavailableException(int node, String reason, Throwable cause) {
        super("replica " + node + " unavailable: " + reason, cause);
        this.node = node;
    }

    public int node() {
        return node;
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
