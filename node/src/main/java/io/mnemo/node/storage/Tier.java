package io.mnemo.node.storage;

/** A storage tier of one node. The hot tier caches a subset of the warm tier, which holds every record. */
public enum Tier {
    /** The bounded in-heap cache of decoded memories. */
    HOT,
    /** The persistent Chronicle Map files: the node's durable truth. */
    WARM
}
