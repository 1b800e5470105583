package io.mnemo.node.replication;

/** The caller's topology epoch is older than the callee's; refresh the topology, then retry. */
public final class StaleEpochException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    private final long currentEpoch;

    public StaleEpochException(long currentEpoch, String message) {
        super(message + " (current epoch " + currentEpoch + ")");
        this.currentEpoch = currentEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
