package io.mnemo.node.cluster.membership;

import java.util.List;
import java.util.Optional;

/**
 * Who is alive in the cluster, as this node sees it.
 *
 * <p>Liveness is not ownership: a member listed here may not own any partition yet, and a member that
 * failed still owns its partitions until the Raft baseline says otherwise. Two sides of a network
 * partition each see only their own side; only the baseline decides who owns what.
 *
 * <p>Implementations are thread-safe. After {@link #close()} every other method throws
 * {@link IllegalStateException}, except {@link #listenerFailureCount()}.
 */
public interface Membership extends AutoCloseable {
    /** This node. */
    ClusterMember localMember();

    /** The live members, this node included, sorted by node id. A fresh snapshot on every call. */
    List<ClusterMember> liveMembers();

    /** The live member with this node id, if there is one. */
    Optional<ClusterMember> member(String nodeId);

    /**
     * Adds a listener for joins, leaves and failures from now on. Members present before the call produce
     * no events: read {@link #liveMembers()} after adding the listener to learn them.
     */
    void addListener(MembershipListener listener);

    /** Removes a listener; events already queued for it may still arrive. Returns whether it was present. */
    boolean removeListener(MembershipListener listener);

    /** How many listener invocations threw. */
    long listenerFailureCount();

    /** Leaves the cluster (the others see {@link MembershipEvent.Kind#LEFT}). Idempotent and thread-safe. */
    @Override
    void close();
}
