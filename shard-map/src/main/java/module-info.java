/**
 * Mnemo's placement library: which partition a memory belongs to, which nodes hold each partition,
 * and how replicas move between two topologies. Pure JDK, no network, no I/O.
 */
module io.mnemo.shardmap {
    exports io.mnemo.shardmap;
}
