package io.mnemo.node.replication;

/** How many replicas a read waits for. */
public enum ReadConsistency {
    /** One replica (the coordinator's own copy first): fastest, may be stale. */
    ONE,
    /** The configured read quorum R; with R + W > RF it returns every acknowledged write or a newer one. */
    QUORUM,
    /** Every replica of the partition. */
    ALL
}
