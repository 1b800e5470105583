package io.mnemo.node.replication;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.Version;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The replicated data path of a node, as the node's API layer and the chaos harness use it. */
public interface Replicator {

    /** Stores a memory on a write quorum; completes with the acknowledged version. */
    CompletableFuture<Version> store(Memory memory);

    /**
     * Stores many memories, each on its own write quorum, replicated in batches: one future per memory, in order,
     * each completing as {@link #store} of that memory alone would (version, or the same typed failure).
     */
    List<CompletableFuture<Version>> storeAll(List<Memory> memories);

    /** Removes a memory (a tombstone write) on a write quorum. */
    CompletableFuture<Version> remove(String space, String id);

    /** Reads a key at {@code consistency}. */
    CompletableFuture<ReadResult> read(String space, String id, ReadConsistency consistency);

    /** Reconciles this node's copy of a partition with the other replicas. */
    CompletableFuture<SyncResult> syncPartition(int partition);

    /** A snapshot of the counters. */
    ReplicationStats stats();
}
