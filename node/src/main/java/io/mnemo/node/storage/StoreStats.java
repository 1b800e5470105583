package io.mnemo.node.storage;

import java.util.Objects;

/**
 * A snapshot of the storage engine's sizes and counters.
 *
 * <p>Warm-tier bytes: {@code liveBytes} is the encoded size (key and value) of every record the warm
 * tier holds, tombstones included; {@code fileBytes} is the size of its data files (Chronicle Map
 * pre-sizes them, so this includes free space); {@code usedBytes} is the part of the files Chronicle Map
 * reports as allocated to entries; {@code fragmentation} is {@code 1 - liveBytes / usedBytes} clamped to
 * [0, 1]: the share of allocated space not holding live data (chunk rounding and holes). Space freed by
 * removed entries is reused by later writes, so it does not grow without bound.
 *
 * @param liveBytes              encoded bytes of all records in the warm tier
 * @param fileBytes              bytes of the warm tier's data files
 * @param usedBytes              bytes of the files allocated to entries
 * @param fragmentation          1 - liveBytes / usedBytes, in [0, 1]
 * @param partitionsOpen         partitions with data files
 * @param segmentFiles           Chronicle Map files (record and large-value segments)
 * @param largeValues            records whose body lives in a large-value file
 * @param recovery               what opening the store found
 * @param corruptionsDetected    records that failed their integrity check on any read (recall, read,
 *                               scan); each one also raised or was skipped
 * @param scanCorruptionsSkipped corrupted records a scan skipped under {@link ScanCorruptionPolicy#SKIP}
 * @param tombstonesCollected    tombstones garbage-collected after their grace period since open
 * @param hotBytes               weighted bytes of the hot tier
 * @param hotEntries             entries in the hot tier
 * @param hotHits                recalls and replica reads served by the hot tier (version-only and if-cached
 *                               reads are not counted)
 * @param hotMisses              recalls and replica reads that went to the warm tier
 * @param hotEvictions           entries the hot tier evicted for size
 */
public record StoreStats(long liveBytes, long fileBytes, long usedBytes, double fragmentation,
        int partitionsOpen, int segmentFiles, long largeValues, RecoveryReport recovery,
        long corruptionsDetected, long scanCorruptionsSkipped, long tombstonesCollected,
        long hotBytes, long hotEntries, long hotHits, long hotMisses, long hotEvictions) {
    public StoreStats {
        Objects.requireNonNull(recovery, "recovery");
    }
}
