package io.mnemo.node.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mnemo.node.replication.ReplicationStats;
import io.mnemo.node.replication.Replicator;
import io.mnemo.node.storage.StoreStats;
import io.mnemo.node.storage.TieredStore;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Exports the replication counters ({@link ReplicationStats}) and the storage engine's counters and sizes
 * ({@link StoreStats}) on {@code /metrics}: every monotonic field becomes a counter ({@code _total} in the
 * Prometheus output), every size a gauge. The tables below are the one list of names.
 *
 * <p><b>One snapshot per scrape.</b> {@link TieredStore#stats()} walks every open partition and takes the
 * store's lifecycle read lock, so it is taken once per scrape, not once per meter: the health endpoint calls
 * {@link #refresh()} before each scrape and the meters read the snapshots it took. The replication snapshot is
 * cheap but is taken the same way, so one scrape's replication counters come from one instant.
 *
 * <p>Micrometer holds a meter's state object (this one) only weakly: the health endpoint, which refreshes it,
 * keeps it reachable. The snapshot fields are written by the constructor, then by the health endpoint's one
 * thread, and read by whichever thread scrapes, hence volatile.
 */
final class StatsMeters implements MeterBinder {

    /** One exported field: its Prometheus name (before any {@code _total}), its description, how to read it. */
    private record Field<S>(String name, String description, ToDoubleFunction<S> value) { }

    private static final List<Field<ReplicationStats>> REPLICATION_COUNTERS = List.of(
            new Field<>("mnemo_replication_writes_acked",
                    "Writes (stores and removes) acknowledged by a write quorum", ReplicationStats::writesAcked),
            new Field<>("mnemo_replication_write_quorum_failures",
                    "Writes that failed for want of a write quorum (outcome unknown)", ReplicationStats::writeQuorumFailures),
            new Field<>("mnemo_replication_reads_served",
                    "Reads answered by a read quorum", ReplicationStats::readsServed),
            new Field<>("mnemo_replication_read_quorum_failures",
                    "Reads that failed for want of replicas", ReplicationStats::readQuorumFailures),
            new Field<>("mnemo_replication_hedged_reads",
                    "Extra replica reads sent because the first ones were slow", ReplicationStats::hedgedReads),
            new Field<>("mnemo_replication_read_repairs",
                    "Stale replicas sent the newest record by a read", ReplicationStats::readRepairs),
            new Field<>("mnemo_replication_digest_fetches",
                    "Quorum reads whose newest version came from a version-only answer, so the record was fetched"
                            + " in a second call", ReplicationStats::digestFetches),
            new Field<>("mnemo_replication_hints_queued",
                    "Hints kept for a replica that missed a write", ReplicationStats::hintsQueued),
            new Field<>("mnemo_replication_hints_delivered",
                    "Hints a target replica acknowledged", ReplicationStats::hintsDelivered),
            new Field<>("mnemo_replication_hints_dropped",
                    "Hints given up (queue full, target no longer a replica); anti-entropy covers them",
                    ReplicationStats::hintsDropped),
            new Field<>("mnemo_replication_anti_entropy_runs",
                    "Anti-entropy partition syncs completed (one per partition and peer)", ReplicationStats::antiEntropyRuns),
            new Field<>("mnemo_replication_anti_entropy_buckets_repaired",
                    "Anti-entropy digest buckets that differed and were reconciled",
                    ReplicationStats::antiEntropyBucketsRepaired),
            new Field<>("mnemo_replication_anti_entropy_records_pulled",
                    "Records applied locally by anti-entropy", ReplicationStats::antiEntropyRecordsPulled),
            new Field<>("mnemo_replication_anti_entropy_records_pushed",
                    "Records sent to a peer by anti-entropy", ReplicationStats::antiEntropyRecordsPushed),
            new Field<>("mnemo_replication_loop_errors",
                    "Throwables caught by the replication background loops", ReplicationStats::loopErrors));

    private static final List<Field<StoreStats>> STORE_COUNTERS = List.of(
            new Field<>("mnemo_store_corruptions_detected",
                    "Records that failed their integrity check on a recall, read or scan", StoreStats::corruptionsDetected),
            new Field<>("mnemo_store_scan_corruptions_skipped",
                    "Corrupted records a scan skipped (corruption policy SKIP)", StoreStats::scanCorruptionsSkipped),
            new Field<>("mnemo_store_tombstones_collected",
                    "Tombstones garbage-collected after their grace period", StoreStats::tombstonesCollected),
            new Field<>("mnemo_store_hot_hits", "Recalls and replica reads served by the hot tier", StoreStats::hotHits),
            new Field<>("mnemo_store_hot_misses", "Recalls and replica reads that went to the warm tier", StoreStats::hotMisses),
            new Field<>("mnemo_store_hot_evictions", "Entries the hot tier evicted for size", StoreStats::hotEvictions));

    private static final List<Field<StoreStats>> STORE_GAUGES = List.of(
            new Field<>("mnemo_store_live_bytes",
                    "Encoded bytes of all records in the warm tier, tombstones included", StoreStats::liveBytes),
            new Field<>("mnemo_store_file_bytes",
                    "Bytes of the warm tier's data files (pre-sized, so free space included)", StoreStats::fileBytes),
            new Field<>("mnemo_store_used_bytes",
                    "Bytes of the warm tier's files allocated to entries", StoreStats::usedBytes),
            new Field<>("mnemo_store_fragmentation",
                    "1 - live bytes / used bytes: share of allocated warm-tier space not holding live data",
                    StoreStats::fragmentation),
            new Field<>("mnemo_store_partitions_open", "Partitions with data files", StoreStats::partitionsOpen),
            new Field<>("mnemo_store_segment_files",
                    "Warm-tier map files (record and large-value segments)", StoreStats::segmentFiles),
            new Field<>("mnemo_store_large_values",
                    "Records whose body lives in a large-value file", StoreStats::largeValues),
            new Field<>("mnemo_store_hot_bytes", "Weighted bytes of the hot tier", StoreStats::hotBytes),
            new Field<>("mnemo_store_hot_entries", "Entries in the hot tier", StoreStats::hotEntries));

    private final Replicator replication;
    private final TieredStore store;
    private volatile ReplicationStats replicationStats;
    private volatile StoreStats storeStats;

    StatsMeters(Replicator replication, TieredStore store) {
        this.replication = replication;
        this.store = store;
        refresh();
    }

    /** Takes the snapshots the next scrape reads. */
    void refresh() {
        replicationStats = replication.stats();
        storeStats = store.stats();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Field<ReplicationStats> f : REPLICATION_COUNTERS) {
            FunctionCounter.builder(f.name(), this, m -> f.value().applyAsDouble(m.replicationStats))
                    .description(f.description()).register(registry);
        }
        for (Field<StoreStats> f : STORE_COUNTERS) {
            FunctionCounter.builder(f.name(), this, m -> f.value().applyAsDouble(m.storeStats))
                    .description(f.description()).register(registry);
        }
        for (Field<StoreStats> f : STORE_GAUGES) {
            Gauge.builder(f.name(), this, m -> f.value().applyAsDouble(m.storeStats))
                    .description(f.description()).register(registry);
        }
    }
}
