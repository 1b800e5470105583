package io.mnemo.node.replication;

import java.util.List;

/** The node is not a replica of the partition at its epoch; the caller should refresh and go to a suggested replica. */
public final class WrongOwnerException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    private final long currentEpoch;
    private final int partition;
    private final List<Integer> suggestedReplicas;

    public WrongOwnerException(long currentEpoch, int partition, List<Integer> suggestedReplicas, String message) {
        super(message + " (epoch " + currentEpoch + ", partition " + partition + ", replicas " + suggestedReplicas + ")");
        this.currentEpoch = currentEpoch;
        this.partition = partition;
        this.suggestedReplicas = List.copyOf(suggestedReplicas);
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    public int partition() {
        return partition;
    }

    /** The partition's replicas at {@link #currentEpoch()}, preferred first. */
    public List<Integer> suggestedReplicas() {
        return suggestedReplicas;
    }

    /** Retryable after refreshing the topology, on another node. */
    @Override
    public boolean retryable() {
        return true;
    }
}
