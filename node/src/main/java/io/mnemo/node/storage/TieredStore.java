package io.mnemo.node.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * One node's storage engine: a bounded in-heap hot tier in front of a persistent Chronicle Map warm
 * tier, organised by partition.
 *
 * <p><b>Durability.</b> A write ({@link #store}, {@link #remove}) returns only after the record is in the
 * warm tier; the hot tier is a write-through cache and may drop any entry at any time.
 *
 * <p><b>Versions.</b> Every stored record carries a {@link Version}. A write whose memory has no version
 * is stamped by the store's clock; a write that carries one (replication, repair, hints) is applied only
 * if it is newer than what the store holds (last writer wins), so applying the same write twice, or an
 * old write late, changes nothing. Removes leave a tombstone with its own version that survives restarts
 * until garbage-collected after the configured grace period.
 *
 * <p><b>Access statistics</b> ({@code accessCount}, {@code lastAccess}) are local to a node, updated by
 * {@link #recall}, and are not versioned writes.
 *
 * <p>Implementations are thread-safe. {@link #close()} is idempotent; any other call after close throws
 * {@link StoreClosedException}.
 */
public interface TieredStore extends AutoCloseable {

    /** Creates a space, or returns the existing one if its settings are equal; refuses different settings. */
    SpaceConfig createSpace(SpaceConfig config);

    /** Drops a space and every memory in it. Returns false if it did not exist. */
    boolean dropSpace(String space);

    /** The spaces of this store, sorted by name. */
    List<SpaceConfig> listSpaces();

    /**
     * Stores (upserts) a memory after validating it against its space.
     *
     * @return the outcome, with the version now stored for the key
     * @throws InvalidMemoryException if any field breaks a rule (the exception names the field and limit)
     * @throws UnknownSpaceException  if the space does not exist
     * @throws QuotaExceededException if the space or the node is full
     */
    WriteResult store(Memory memory);

    /** Recalls a live memory by id, updating its access statistics; empty if absent or removed. */
    Optional<Memory> recall(String space, String id);

    /**
     * Reads the stored record of a key, live or tombstone, without touching access statistics or the hot tier's
     * contents. Used by replication, repair and anti-entropy. Empty only if the store has never seen the key (or
     * its tombstone was garbage-collected).
     */
    default Optional<StoredRecord> read(String space, String id) {
        return read(space, id, HotAdmission.IF_CACHED);
    }

    /**
     * Reads the stored record of a key as {@link #read(String, String)} does; with {@link HotAdmission#ADMIT} a
     * live record found only in the warm tier is also added to the hot tier (a client's read).
     */
    Optional<StoredRecord> read(String space, String id, HotAdmission admission);

    /**
     * The version of a key's stored record and whether it is a tombstone, from the hot tier if cached, else from the
     * warm-tier record's header (length, CRC and format checked, fields not decoded), touching neither access
     * statistics nor the hot tier's contents: a digest read. Empty if the store has never seen the key (or its
     * tombstone was garbage-collected). This default reads the whole record.
     *
     * @throws CorruptionDetectedException if the warm-tier record fails its checks
     */
    default Optional<HeldVersion> readVersion(String space, String id) {
        return read(space, id).map(r -> new HeldVersion(r.version(), r.isTombstone()));
    }

    /** Removes a memory by writing a tombstone stamped by the store's clock. */
    WriteResult remove(String space, String id);

    /**
     * Applies a replicated record (live or tombstone) if its version is newer than the stored one, and caches it
     * in the hot tier ({@link HotAdmission#ADMIT}).
     */
    default WriteResult apply(StoredRecord record) {
        return apply(record, HotAdmission.ADMIT);
    }

    /**
     * Applies a replicated record (live or tombstone) if its version is newer than the stored one. With
     * {@link HotAdmission#IF_CACHED} the hot tier only has a cached copy of the key replaced (or dropped, for a
     * tombstone); the record is never added to it.
     */
    WriteResult apply(StoredRecord record, HotAdmission admission);

    /**
     * Applies many replicated records, each exactly as {@link #apply} would (last writer wins, durable in the warm
     * tier before this method returns), in list order, so of two records of one key the later one is compared
     * against the earlier one. A record the store refuses (invalid, unknown space, quota, ...) fails alone: the
     * result holds one {@link ApplyOutcome} per record, in order. Implementations may amortise per-call costs over
     * the batch; this default applies the records one by one. {@code admission} applies to every record, as in
     * {@link #apply(StoredRecord, HotAdmission)}.
     *
     * @throws StoreClosedException if the store is closed (when thrown before any record, nothing was applied)
     */
    default List<ApplyOutcome> applyAll(List<StoredRecord> records, HotAdmission admission) {
        List<ApplyOutcome> out = new ArrayList<>(records.size());
        for (StoredRecord r : records) {
            try {
                out.add(ApplyOutcome.of(apply(r, admission)));
            } catch (StoreClosedException e) {
                throw e;
            } catch (RuntimeException e) {
                out.add(ApplyOutcome.failed(e));
            }
        }
        return out;
    }

    /** {@link #applyAll(List, HotAdmission)} with {@link HotAdmission#ADMIT}. */
    default List<ApplyOutcome> applyAll(List<StoredRecord> records) {
        return applyAll(records, HotAdmission.ADMIT);
    }

    /**
     * Streams records in a stable order (partition, then key), resumable from {@link ScanCursor#resumeToken()}.
     * Safe during concurrent writes: every record that exists for the whole scan is returned exactly once;
     * records written during the scan may or may not be. Never materialises more than one partition's keys.
     */
    ScanCursor scan(ScanRequest request);

    /**
     * Visits the key, version and kind (live or tombstone) of every record of one partition, read from each record's
     * header after its length, CRC and format checks, without decoding its fields: what a digest needs. Order is
     * unspecified. Safe during concurrent writes, as a scan is: a record present for the whole visit is visited once.
     * A corrupted record is counted and, as in a scan, skipped or thrown by the scan corruption policy.
     */
    void forEachVersion(int partition, VersionVisitor visitor);

    /** Receives {@link #forEachVersion}'s records. */
    @FunctionalInterface
    interface VersionVisitor {
        void visit(MemoryKey key, Version version, boolean tombstone);
    }

    /**
     * Opens (creating if needed) the files of one partition and touches their pages from the calling thread,
     * ahead of its first write; a node runs it for the partitions it owns on a background thread. Idempotent.
     */
    void preparePartition(int partition);

    /**
     * Deletes every record of one partition and its files (rebalancing, after the partition's new owners confirmed
     * they hold it). Runs alone: no other operation of the store proceeds meanwhile. Dropping a partition that has
     * no files does nothing.
     */
    void dropPartition(int partition);

    /** The partitions that have files in this store (open or found on disk; possibly empty ones), ascending. */
    java.util.SortedSet<Integer> partitionsWithFiles();

    /** Exact counts per tier and per space. */
    TierCounts counts();

    /**
     * Exact counts per tier and per space of the partitions {@code partitions} accepts: a cluster-wide count asks
     * each node only for the partitions it answers for, so that replicas are not counted twice.
     */
    TierCounts counts(IntPredicate partitions);

    /** Bytes, fragmentation, recovery findings and corruption counters. */
    StoreStats stats();

    @Override
    void close();
}
