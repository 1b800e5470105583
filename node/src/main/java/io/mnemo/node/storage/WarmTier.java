package io.mnemo.node.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The persistent tier of one node: the durable truth, organised by partition so one partition can be
 * streamed or dropped without scanning the node. Keys are {@link RecordCodec#encodeKey encoded keys}.
 *
 * <p>Thread-safe for different keys. Callers serialise the writes (and read-then-write sequences) of one
 * key; the store does so with its key stripes.
 */
interface WarmTier extends AutoCloseable {

    /** The partition count the data directory is organised by. */
    int partitions();

    /** Reads and checks a record; empty if the key is absent. */
    Optional<StoredRecord> read(int partition, MemoryKey key);

    /**
     * A key's current record as a write needs it: its version, checked (length, CRC, format) but not decoded, and
     * the raw bytes the write replaces. Read once under the key's stripe and handed to
     * {@link #write(int, StoredRecord, long, Current)}, so a read-compare-write reads the record once. A record
     * that fails its checks is reported in {@link Current#corruption()}, not thrown: the write may replace it.
     */
    Current current(int partition, MemoryKey key);

    /**
     * {@link #write(int, StoredRecord, long)} replacing {@code current}, which the caller read with
     * {@link #current} for the same key while holding the key's stripe, as it still does.
     */
    void write(int partition, StoredRecord record, long quotaBytes, Current current);

    /** What {@link #current} found. */
    interface Current {
        /** The current record's version; null when the key is absent or its record is corrupted. */
        Version version();

        /** Why the current record failed its checks; null if it passed them or the key is absent. */
        CorruptionDetectedException corruption();

        /** True if the current record is a checked tombstone. */
        boolean isTombstone();
    }

    /**
     * Writes a record (live or tombstone), replacing the key's current one.
     *
     * @param quotaBytes the space's quota on stored bytes, or 0 for none; a write that would take the space
     *                   past it is refused with {@link QuotaExceededException} and changes nothing
     * @throws QuotaExceededException if the space quota or the partition's capacity would be exceeded
     */
    void write(int partition, StoredRecord record, long quotaBytes);

    /** Opens (creating if needed) a partition's files and touches their pages from the calling thread. */
    void preparePartition(int partition);

    /** Physically removes a key (garbage collection, dropping a space); true if it was present. */
    boolean delete(int partition, MemoryKey key);

    /** The keys of a partition (of one space if {@code space} is non-null), sorted by unsigned bytes. */
    List<byte[]> keys(int partition, String space);

    /** Keys of a partition whose tombstone was stamped before {@code cutoffMillis}. */
    List<MemoryKey> tombstonesBefore(int partition, long cutoffMillis);

    /** Partitions that have files. */
    SortedSet<Integer> partitionsWithData();

    /**
     * Takes a partition out of the tier: from the return on, it has no records and a write creates it anew. Its
     * directory is renamed out of the way (so a crash from here on never leaves it half-deleted) and the tallies
     * forget its records; closing its maps and deleting its files is left to the returned {@link Runnable}, which
     * the caller runs when it no longer excludes other operations. The caller ensures nobody uses the partition
     * during this call. Returns a no-op if the partition has no files.
     */
    Runnable detachPartition(int partition);

    /** Per-space counters summed over the node (live, tombstones, bytes, large values). */
    Map<String, SpaceTally> tallies();

    /** Per-space counters of one partition; empty when the partition has no files. */
    Map<String, SpaceTally> tallies(int partition);

    /** File-level sizes. */
    Sizes sizes();

    /** What opening found. */
    RecoveryReport recovery();

    /** Closes every file and marks the shutdown clean. Idempotent. */
    @Override
    void close();

    /**
     * File-level sizes of the warm tier.
     *
     * @param fileBytes      bytes of the data files
     * @param usedBytes      bytes allocated to entries (estimate)
     * @param partitionsOpen partitions with files
     * @param segmentFiles   Chronicle Map files
     */
    record Sizes(long fileBytes, long usedBytes, int partitionsOpen, int segmentFiles) {
    }
}
