package io.mnemo.node.storage;

import java.util.List;
import java.util.Optional;

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
     * Reads the stored record of a key, live or tombstone, without touching access statistics. Used by
     * replication, repair and anti-entropy. Empty only if the store has never seen the key (or its
     * tombstone was garbage-collected).
     */
    Optional<StoredRecord> read(String space, String id);

    /** Removes a memory by writing a tombstone stamped by the store's clock. */
    WriteResult remove(String space, String id);

    /** Applies a replicated record (live or tombstone) if its version is newer than the stored one. */
    WriteResult apply(StoredRecord record);

    /**
     * Streams records in a stable order (partition, then key), resumable from {@link ScanCursor#resumeToken()}.
     * Safe during concurrent writes: every record that exists for the whole scan is returned exactly once;
     * records written during the scan may or may not be. Never materialises more than one partition's keys.
     */
    ScanCursor scan(ScanRequest request);

    /**
     * Opens (creating if needed) the files of one partition and touches their pages from the calling thread,
     * ahead of its first write; a node runs it for its partitions on their NUMA pools. Idempotent.
     */
    void preparePartition(int partition);

    /** Exact counts per tier and per space. */
    TierCounts counts();

    /** Bytes, fragmentation, recovery findings and corruption counters. */
    StoreStats stats();

    @Override
    void close();
}
