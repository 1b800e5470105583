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

    /**
     * Applies many records on {@code target}, each exactly as {@link #replicate} would (last writer wins, durable
     * before the answer); completes with one {@link ItemReply} per item, in order. The whole call fails, as
     * {@link #replicate} would, when the target refuses the caller's epoch or cannot be reached; a refusal that
     * concerns single items (a partition the target does not replicate, a record it rejects) is in their replies
     * and leaves the other items alone.
     */
    CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items);

    /** {@code target}'s record of {@code key}, tombstones included; empty if it never saw the key. */
    CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key);

    /**
     * {@code target}'s version of {@code key} (a digest read): the version it holds and whether it is a tombstone,
     * without the record; the read adds nothing to the target's hot tier. A target too old to know version-only reads
     * answers with its whole record, which the reply then carries ({@link ReadReply#record()}).
     */
    CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key);

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

    /**
     * One item of {@link #replicateBatch}: a record and the partition it is sent for.
     *
     * @param partition the record's partition (the target checks that the key belongs to it)
     * @param record    the record, with its version
     */
    record ReplicateItem(int partition, StoredRecord record) {
        public ReplicateItem {
            Objects.requireNonNull(record, "record");
        }
    }

    /**
     * A replica's answer to one item of {@link #replicateBatch}: exactly one of the reply {@link #replicate} would
     * have given and the exception it would have failed with.
     *
     * @param reply the item's reply, or null if it was refused
     * @param error why the item was refused, or null if it was taken
     */
    record ItemReply(ReplicateReply reply, RuntimeException error) {
        public ItemReply {
            if ((reply == null) == (error == null)) {
                throw new IllegalArgumentException("exactly one of reply and error must be set, got " + reply + ", " + error);
            }
        }

        /** An item taken (applied, or already held at this version or a newer one). */
        public static ItemReply of(ReplicateReply reply) {
            return new ItemReply(reply, null);
        }

        /** An item refused with {@code error}. */
        public static ItemReply failed(RuntimeException error) {
            return new ItemReply(null, error);
        }
    }

    /**
     * A replica's answer to a read: the version it holds of a key (empty if it never saw the key, or its tombstone was
     * collected), whether that version is a tombstone, and the record itself when the answer carries it (a full read,
     * or a replica that answered a version-only read in full).
     *
     * @param version   the version held, empty if none
     * @param tombstone true if {@code version} is a tombstone
     * @param record    the record at {@code version}, or empty if the answer carried only the version (or no version)
     */
    record ReadReply(Optional<Version> version, boolean tombstone, Optional<StoredRecord> record) {
        /** The answer of a replica that never saw the key. */
        public static final ReadReply ABSENT = new ReadReply(Optional.empty(), false, Optional.empty());

        public ReadReply {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(record, "record");
            if (version.isEmpty() && tombstone) {
                throw new IllegalArgumentException("a tombstone needs a version");
            }
            if (record.isPresent() && (!record.get().version().equals(version.orElse(null))
                    || record.get().isTombstone() != tombstone)) {
                throw new IllegalArgumentException("record " + record.get() + " disagrees with version " + version
                        + (tombstone ? " (tombstone)" : " (live)"));
            }
        }

        /** A full answer: {@code record}, or absent. */
        public static ReadReply of(Optional<StoredRecord> record) {
            return record.map(r -> new ReadReply(Optional.of(r.version()), r.isTombstone(), record)).orElse(ABSENT);
        }

        /** A version-only answer: a replica holds {@code version} (a tombstone if {@code tombstone}), record not sent. */
        public static ReadReply versionOnly(Version version, boolean tombstone) {
            return new ReadReply(Optional.of(version), tombstone, Optional.empty());
        }
    }

    /** A replica's answer to {@link #deliverHints}: how many of the hints changed its store. */
    record HintReply(long applied) {
    }

    /** A node's answer to {@link #ping}. */
    record PingReply(int nodeId, long epoch, long hlc, boolean ready) {
    }
}
