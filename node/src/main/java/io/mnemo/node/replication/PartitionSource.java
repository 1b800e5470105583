package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.StoredRecord;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Where the {@link Rebalancer} reads a partition from: one old replica's records, streamed in chunks in scan order
 * and resumable after the last chunk received ({@code StreamPartition} over gRPC; the replica handler in-JVM).
 * Digests and bucket fetches ({@link #digest}, {@link #fetchBuckets}) let the rebalancer check a second source
 * against the first instead of streaming it in full. Thread-safe; each {@link Stream} is used by one thread.
 */
public interface PartitionSource {

    /**
     * Node {@code source}'s bucket digests of {@code partition}, as {@link ReplicaTransport#digest}; the rebalancer
     * compares them with what it already received to fetch only the buckets that differ from a partition's second
     * source. A source that cannot answers with a future failed with {@link UnsupportedOperationException} (this
     * default), and the rebalancer streams that source in full. A transport that is also a {@link ReplicaTransport}
     * (the node's peer transport) answers with its own method, which has this very signature and contract.
     */
    default CompletableFuture<PartitionDigest> digest(int source, Caller from, int partition) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getName() + " has no digests"));
    }

    /**
     * Node {@code source}'s records of {@code partition} in the buckets whose bit is set in {@code bucketMask}, as
     * {@link ReplicaTransport#fetchBuckets}; the default fails with {@link UnsupportedOperationException} (see
     * {@link #digest}).
     */
    default CompletableFuture<List<StoredRecord>> fetchBuckets(int source, Caller from, int partition, long bucketMask) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getName() + " has no bucket fetch"));
    }

    /**
     * Opens a stream of {@code partition}'s records (tombstones included) held by node {@code source}, continuing
     * after {@code resumeToken} (empty to start). Failures surface from {@link Stream#next()}.
     */
    Stream open(int source, Caller from, int partition, String resumeToken);

    /** One open stream. */
    interface Stream extends AutoCloseable {
        /**
         * Blocks for the next chunk. After a chunk with {@link Chunk#last()} the stream is over.
         *
         * @throws ReplicationException (or a storage exception in-JVM) when the source fails or the stream breaks;
         *                              resume from the last chunk's token
         */
        Chunk next();

        /** Cancels the stream if it is still open; idempotent. */
        @Override
        void close();
    }

    /**
     * One chunk.
     *
     * @param records     the records, in scan order
     * @param resumeToken continues the stream after this chunk
     * @param last        true on the final chunk
     * @param bytes       the chunk's size on the wire (an estimate in-JVM), for the throttle
     */
    record Chunk(List<StoredRecord> records, String resumeToken, boolean last, long bytes) {
        public Chunk {
            records = List.copyOf(records);
            Objects.requireNonNull(resumeToken, "resumeToken");
        }
    }
}
