package io.mnemo.node.replication;

import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Node-to-node calls of replication, asynchronous. Every call names the target node and carries the caller's
 * node id and topology epoch ({@link Caller}); the target refuses an older epoch with {@link StaleEpochException}
 * and a partition it does not replicate with {@link WrongOwnerException}.
 *
 * <p>A returned future completes exceptionally with a {@link ReplicationException} (or a storage exception
 * passed through by an in-process transport); {@link Failures#classify} reads either. Futures of a transport may
 * never complete on their own (a dropped message): callers put a deadline on every call.
 *
 * <p>Implementations: {@link LocalTransport} (in-JVM), {@link FaultyTransport} (fault-injecting decorator) and
 * {@link GrpcReplicaTransport} (gRPC). Thread-safe.
 */
public interface ReplicaTransport extends AutoCloseable {

    /** Applies {@code record} (last writer wins) on {@code target} durably before answering. */
    CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record);

    /** {@code target}'s record of {@code key}, tombstones included; empty if it never saw the key. */
    CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key);

    /** {@code target}'s bucket digests of {@code partition}. */
    CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition);

    /** {@code target}'s records of {@code partition} in the buckets whose bit is set in {@code bucketMask}. */
    CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition, long bucketMask);

    /** Delivers hints kept for {@code target}; completes once they are durable there. */
    CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints);

    /** Liveness and clock exchange: {@code hlc} is the caller's clock now. */
    CompletableFuture<PingReply> ping(int target, Caller from, long hlc);

    /** Releases connections; idempotent. */
    @Override
    void close();

    /** Who calls: the caller's node id and the topology epoch it acts in. */
    record Caller(int nodeId, long epoch) {
        public Caller {
            if (nodeId < 0 || epoch < 0) {
                throw new IllegalArgumentException("nodeId and epoch must be >= 0, got " + nodeId + ", " + epoch);
            }
        }
    }

    /**
     * A replica's answer to {@link #replicate}.
     *
     * @param applied        false if the replica already held this version or a newer one
     * @param currentVersion the replica's version of the key after the call
     */
    record ReplicateReply(boolean applied, Version currentVersion) {
        public ReplicateReply {
            Objects.requireNonNull(currentVersion, "currentVersion");
        }
    }

    /** A replica's answer to {@link #deliverHints}: how many of the hints changed its store. */
    record HintReply(long applied) {
    }

    /** A node's answer to {@link #ping}. */
    record PingReply(int nodeId, long epoch, long hlc, boolean ready) {
    }
}
