package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.StoredRecord;
import java.util.List;
import java.util.Objects;

/**
 * Where the {@link Rebalancer} reads a partition from: one old replica's records, streamed in chunks in scan order
 * and resumable after the last chunk received ({@code StreamPartition} over gRPC; the replica handler in-JVM).
 * Thread-safe; each {@link Stream} is used by one thread.
 */
public interface PartitionSource {

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
