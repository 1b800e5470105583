package io.mnemo.node.query;

/** One node's answer to its share of a scattered query: which of the partitions it was given it answered. */
interface Shard {
    /** The partitions this answer covers, a subset of those the node was asked for. */
    int[] answered();
}
