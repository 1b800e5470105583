package io.mnemo.node.storage;

/**
 * Whether a write or a read may add a memory to the hot tier.
 *
 * <p>With replication every memory is written on RF nodes, but clients read it from one of them (the partition's
 * first replica, which also coordinates its writes). Caching every replicated write on every replica would keep RF
 * decoded copies of each recent memory on the heaps of the cluster, and each copy survives young collections and is
 * copied by them. So only the node a memory is read from admits it; the others keep an already cached copy current
 * and otherwise leave the hot tier alone.
 */
public enum HotAdmission {
    /** Cache the memory: a write this node coordinates, or a client's read (a warm-tier hit is promoted). */
    ADMIT,
    /**
     * Never add an entry, but replace a cached copy (or drop it, for a tombstone) so the hot tier never serves a
     * stale version: replicated writes, hints, repairs, partition streams, and the node's own internal reads.
     */
    IF_CACHED
}
