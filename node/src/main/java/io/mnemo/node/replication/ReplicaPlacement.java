package io.mnemo.node.replication;

import java.util.List;

/**
 * One topology epoch's view of where partitions live, as replication needs it. The cluster layer adapts its
 * topology to this interface; tests use {@link StaticPlacement}. An instance is an immutable snapshot: a node
 * reads its current placement once per operation, so the epoch and the replica lists it uses always agree.
 *
 * <p>During an epoch change {@link #pendingReplicas} is the <em>complete</em> replica list the partition is
 * moving to (not just the nodes being added); writes then need a quorum of both lists (joint quorum). Outside a
 * change it is empty.
 */
public interface ReplicaPlacement {

    /** The topology epoch this placement belongs to; higher is newer. */
    long epoch();

    /** The replicas of {@code partition} at this epoch, preferred first; distinct node ids. */
    List<Integer> replicas(int partition);

    /** The replica list {@code partition} is moving to, or empty when it is not moving. */
    List<Integer> pendingReplicas(int partition);

    /** The partition count P. */
    int partitions();

    /** True if {@code node} holds {@code partition} in the current or the pending list. */
    default boolean isReplica(int node, int partition) {
        return replicas(partition).contains(node) || pendingReplicas(partition).contains(node);
    }
}
