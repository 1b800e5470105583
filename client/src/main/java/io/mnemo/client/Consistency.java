package io.mnemo.client;

/**
 * How many replicas a read asks before it answers. Unset (the default in {@link CallOptions}) means the cluster's
 * configured read quorum, a majority unless configured otherwise.
 *
 * <pre>{@code
 * client.recall("m-1", CallOptions.defaults().withConsistency(Consistency.ONE));
 * }</pre>
 */
public enum Consistency {
    /** The first replica to answer: fastest, may return a stale version. */
    ONE,
    /** A majority of the replicas: the newest version wins and stale replicas are repaired. */
    QUORUM,
    /** Every replica: fails when any replica is down. */
    ALL
}
