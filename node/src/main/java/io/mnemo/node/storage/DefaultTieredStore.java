package io.mnemo.node.storage;

import io.mnemo.shardmap.PartitionFunction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage engine of one node: a {@link HotTier} (Caffeine, bounded by bytes) in front of a
 * {@link WarmTier} (Chronicle Map files, one directory per partition).
 *
 * <h2>Concurrency</h2>
 * Three kinds of lock, always taken in this order and never the other way (see node/CONCURRENCY.md):
 * <ol>
 * <li>The <b>lifecycle lock</b> ({@link ReentrantReadWriteLock}). Every data operation holds its read lock
 *     for its duration, so {@link #close()}, {@link #dropSpace}, {@link #createSpace} and
 *     {@link #dropPartition}, which take the write lock, never run concurrently with a read or write and
 *     close cannot pull files from under an operation. Use after close is detected under the read lock.</li>
 * <li>A <b>key stripe</b> ({@link KeyLocks}): every read-compare-write of one key (last-writer-wins, the
 *     hot-tier update, the tallies, the access statistics) runs under its stripe. A thread holds at most one
 *     stripe. Reads take the stripe too, so a record stored as a pointer plus a large-value body is never
 *     read half-replaced.</li>
 * <li>Locks internal to the tiers: Chronicle Map's segment locks, Caffeine's, the warm tier's partition-open
 *     monitor and a segmented map's rollover monitor. None of them calls back into this class.</li>
 * </ol>
 * Caffeine's eviction listener runs inside its maintenance on the calling thread; it only parks dirty
 * access statistics in a concurrent map. They are written back by {@link #drainPendingStats()} after an
 * operation released its stripe, taking the stripe of each parked key in turn.
 *
 * <h2>Durability</h2>
 * A write returns after the warm tier's Chronicle Map holds it (memory-mapped files: a killed process loses
 * nothing the map acknowledged; a power loss may lose what the OS had not written back, which replication
 * covers). The hot tier is write-through and never holds the only copy of a record. Access statistics are
 * the exception by design: a recall updates them in the hot tier, and they reach the warm tier when the
 * entry is evicted or the store is closed. Tombstones are records with a version; they survive restarts
 * and are removed by {@link #collectGarbage()} once older than the grace period: at open, and every
 * {@link StorageConfig#maintenanceInterval()} on the store's {@code mnemo-storage-maintenance} thread, whose
 * failures are logged and counted ({@link #maintenanceFailures()}) and never end the loop.
 *
 * <h2>Eviction</h2>
 * The hot tier evicts by W-TinyLFU within {@link StorageConfig#hotTierMaxBytes()}; an eviction drops only
 * the cached copy. A recall that misses reads the warm tier and promotes the memory. The warm tier never
 * evicts: it grows by segment files up to {@link StorageConfig#maxSegmentsPerPartition()} and then refuses
 * new keys with {@link QuotaExceededException}.
 *
 * <h2>Versions</h2>
 * Local writes are stamped by a {@link HybridClock} strictly after the key's stored version, so a local
 * write always wins over what this node holds. Writes that carry a version (replication, repair) are
 * applied only if newer (last writer wins) and move the clock past them.
 */
public final class DefaultTieredStore implements TieredStore {
    private static final int DRAIN_BATCH = 64;
    /** Keys visited per hold of the lifecycle lock by {@link #forEachVersion}. */
    private static final int VERSION_PAGE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(DefaultTieredStore.class);

    private final StorageConfig config;
    private final PartitionFunction partitionFunction;
    private final WarmTier warm;
    private final HotTier hot;
    private final SpaceCatalog catalog;
    private final HybridClock clock;
    private final KeyLocks locks = new KeyLocks(1024);
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Written under the lifecycle write lock, read under its read lock. */
    private boolean closed;
    private final LongAdder corruptions = new LongAdder();
    private final LongAdder scanSkipped = new LongAdder();
    private final LongAdder tombstonesCollected = new LongAdder();
    private final LongAdder statsFlushFailures = new LongAdder();
    private final LongAdder maintenanceFailures = new LongAdder();
    /** Null when the maintenance loop is off. */
    private volatile ScheduledExecutorService maintenance;

    private DefaultTieredStore(StorageConfig config, WarmTier warm) {
        this.config = config;
        this.partitionFunction = PartitionFunction.of(warm.partitions());
        this.warm = warm;
        this.hot = new HotTier(config.hotTierMaxBytes());
        this.catalog = SpaceCatalog.load(config.dataDir());
        this.clock = new HybridClock(config.clock());
    }

    /** Opens the store in {@code config.dataDir()}, recovering it if the last process did not close it. */
    static DefaultTieredStore open(StorageConfig config) {
        ChronicleWarmTier warm = ChronicleWarmTier.open(config);
        try {
            DefaultTieredStore s = new DefaultTieredStore(config, warm);
            s.collectGarbage();
            s.startMaintenance();
            return s;
        } catch (RuntimeException e) {
            warm.close();
            throw e;
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    private void startMaintenance() {
        long intervalMs = config.maintenanceInterval().toMillis();
        if (intervalMs == 0) {
            return;
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mnemo-storage-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(this::runMaintenance, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One maintenance pass; never throws, so the schedule never stops (an {@code Error} is rethrown). */
    private void runMaintenance() {
        try {
            collectGarbage();
        } catch (StoreClosedException e) {
            LOG.debug("maintenance skipped: store closed");
        } catch (RuntimeException e) {
            maintenanceFailures.increment();
            LOG.warn("storage maintenance failed (will retry in {})", config.maintenanceInterval(), e);
        } catch (Error e) {
            maintenanceFailures.increment();
            throw e;
        }
    }

    /** Background maintenance passes that failed (each is logged with its cause). */
    public long maintenanceFailures() {
        return maintenanceFailures.sum();
    }

    private void enter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new StoreClosedException("store " + config.dataDir());
        }
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    private void enterExclusive() {
        lifecycle.writeLock().lock();
        if (closed) {
            lifecycle.writeLock().unlock();
            throw new StoreClosedException("store " + config.dataDir());
        }
    }

    private void exitExclusive() {
        lifecycle.writeLock().unlock();
    }

    /** The partition of a key. */
    public int partitionOf(String space, String id) {
        return partitionFunction.partitionOf(space, id);
    }

    private SpaceConfig requireSpace(String space) {
        SpaceConfig.validateName(space);
        SpaceConfig s = catalog.get(space);
        if (s == null) {
            throw new UnknownSpaceException(space);
        }
        return s;
    }

    private long nowNs() {
        Instant i = config.clock().instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    // ---- spaces ----------------------------------------------------------------------------------

    @Override
    public SpaceConfig createSpace(SpaceConfig space) {
        enterExclusive();
        try {
            SpaceConfig existing = catalog.get(space.name());
            if (existing != null) {
                if (existing.equals(space)) {
                    return existing;
                }
                throw new InvalidMemoryException("space", "'" + space.name() + "' exists with other settings: " + existing
                        + ", requested " + space + "; drop it first or use its settings");
            }
            catalog.put(space);
            return space;
        } finally {
            exitExclusive();
        }
    }

    @Override
    public boolean dropSpace(String space) {
        SpaceConfig.validateName(space);
        enterExclusive();
        try {
            if (catalog.get(space) == null) {
                return false;
            }
            hot.invalidateIf(k -> k.space().equals(space));
            for (int p : warm.partitionsWithData()) {
                for (byte[] key : warm.keys(p, space)) {
                    MemoryKey mk = RecordCodec.decodeKey(key);
                    if (mk != null) {
                        warm.delete(p, mk);
                    }
                }
            }
            catalog.remove(space);
            return true;
        } finally {
            exitExclusive();
        }
    }

    @Override
    public List<SpaceConfig> listSpaces() {
        enter();
        try {
            return catalog.list();
        } finally {
            exit();
        }
    }

    // ---- reads and writes ------------------------------------------------------------------------

    @Override
    public WriteResult store(Memory memory) {
        WriteResult r;
        enter();
        try {
            SpaceConfig sc = requireSpace(memory.space());
            MemoryValidator.validate(memory, sc);
            MemoryKey k = memory.key();
            int p = partitionOf(k.space(), k.id());
            ReentrantLock l = locks.lockFor(k);
            l.lock();
            try {
                WarmTier.Current cur = currentForWrite(p, k);
                Version current = versionOf(cur);
                Version v = memory.versionOrNull();
                if (v == null) {
                    v = new Version(clock.nowAfter(current.hlc()), config.nodeId());
                } else {
                    clock.observe(v.hlc());
                    if (!v.isNewerThan(current)) {
                        return new WriteResult(false, current);
                    }
                }
                Memory stamped = memory.toBuilder().version(v).build();
                warm.write(p, StoredRecord.live(stamped), sc.quotaBytes().orElse(0), cur);
                hot.takePending(k);
                hot.put(k, stamped, false);
                r = new WriteResult(true, v);
            } finally {
                l.unlock();
            }
        } finally {
            exit();
        }
        drainPendingStats();
        return r;
    }

    @Override
    public Optional<Memory> recall(String space, String id) {
        Optional<Memory> result;
        enter();
        try {
            requireSpace(space);
            MemoryValidator.validateId(id);
            MemoryKey k = new MemoryKey(space, id);
            int p = partitionOf(space, id);
            ReentrantLock l = locks.lockFor(k);
            l.lock();
            try {
                HotTier.HotEntry e = hot.get(k);
                Memory m;
                if (e != null) {
                    hot.recordHit();
                    m = e.memory();
                } else {
                    hot.recordMiss();
                    Optional<StoredRecord> r = readWarm(p, k);
                    if (r.isEmpty() || r.get().isTombstone()) {
                        hot.takePending(k);
                        return Optional.empty();
                    }
                    m = r.get().memory().orElseThrow();
                    Memory parked = hot.takePending(k);
                    if (parked != null && parked.version().equals(m.version())) {
                        m = mergeStats(m, parked);
                    }
                }
                Memory touched = m.toBuilder().accessCount(m.accessCount() + 1)
                        .lastAccessNs(Math.max(m.lastAccessNs(), nowNs())).build();
                hot.put(k, touched, true);
                result = Optional.of(touched);
            } finally {
                l.unlock();
            }
        } finally {
            exit();
        }
        drainPendingStats();
        return result;
    }

    @Override
    public Optional<StoredRecord> read(String space, String id, HotAdmission admission) {
        Objects.requireNonNull(admission, "admission");
        enter();
        try {
            requireSpace(space);
            MemoryValidator.validateId(id);
            MemoryKey k = new MemoryKey(space, id);
            ReentrantLock l = locks.lockFor(k);
            l.lock();
            try {
                if (admission == HotAdmission.IF_CACHED) {
                    HotTier.HotEntry e = hot.peek(k);
                    return e != null ? Optional.of(StoredRecord.live(e.memory())) : readWarm(partitionOf(space, id), k);
                }
                HotTier.HotEntry e = hot.get(k);
                if (e != null) {
                    hot.recordHit();
                    return Optional.of(StoredRecord.live(e.memory()));
                }
                hot.recordMiss();
                Optional<StoredRecord> r = readWarm(partitionOf(space, id), k);
                if (r.isPresent() && !r.get().isTombstone()) {
                    hot.put(k, r.get().memory().orElseThrow(), false);
                }
                return r;
            } finally {
                l.unlock();
            }
        } finally {
            exit();
        }
    }

    @Override
    public Optional<HeldVersion> readVersion(String space, String id) {
        enter();
        try {
            requireSpace(space);
            MemoryValidator.validateId(id);
            MemoryKey k = new MemoryKey(space, id);
            ReentrantLock l = locks.lockFor(k);
            l.lock();
            try {
                HotTier.HotEntry e = hot.peek(k);
                if (e != null) {
                    return Optional.of(new HeldVersion(e.memory().versionOrNull(), false));
                }
                WarmTier.Current c = warm.current(partitionOf(space, id), k);
                if (c.corruption() != null) {
                    corruptions.increment();
                    throw c.corruption();
                }
                return c.version() == null ? Optional.empty() : Optional.of(new HeldVersion(c.version(), c.isTombstone()));
            } finally {
                l.unlock();
            }
        } finally {
            exit();
        }
    }

    @Override
    public WriteResult remove(String space, String id) {
        WriteResult r;
        enter();
        try {
            requireSpace(space);
            MemoryValidator.validateId(id);
            MemoryKey k = new MemoryKey(space, id);
            int p = partitionOf(space, id);
            ReentrantLock l = locks.lockFor(k);
            l.lock();
            try {
                WarmTier.Current cur = currentForWrite(p, k);
                if (cur.isTombstone()) {
                    return new WriteResult(false, cur.version());
                }
                Version v = new Version(clock.nowAfter(versionOf(cur).hlc()), config.nodeId());
                warm.write(p, StoredRecord.tombstone(k, v), 0, cur);
                hot.invalidate(k);
                hot.takePending(k);
                r = new WriteResult(true, v);
            } finally {
                l.unlock();
            }
        } finally {
            exit();
        }
        drainPendingStats();
        return r;
    }

    @Override
    public WriteResult apply(StoredRecord record, HotAdmission admission) {
        Objects.requireNonNull(admission, "admission");
        WriteResult r;
        enter();
        try {
            r = applyEntered(record, requireSpace(record.key().space()), admission);
        } finally {
            exit();
        }
        drainPendingStats();
        return r;
    }

    /**
     * The batch form of {@link #apply}: the lifecycle lock is taken once for the batch, each distinct space is
     * looked up once, and parked access statistics are written back once at the end. Each record still takes its
     * own key stripe (one at a time, as the lock order requires), so its write is durable and visible before the
     * next record is looked at, and nothing differs from calling {@link #apply} per record.
     */
    @Override
    public List<ApplyOutcome> applyAll(List<StoredRecord> records, HotAdmission admission) {
        Objects.requireNonNull(admission, "admission");
        List<ApplyOutcome> out = new ArrayList<>(records.size());
        enter();
        try {
            Map<String, SpaceConfig> spaces = new HashMap<>();
            for (StoredRecord record : records) {
                try {
                    String space = record.key().space();
                    SpaceConfig sc = spaces.get(space);
                    if (sc == null) {
                        sc = requireSpace(space);
                        spaces.put(space, sc);
                    }
                    out.add(ApplyOutcome.of(applyEntered(record, sc, admission)));
                } catch (RuntimeException e) {
                    out.add(ApplyOutcome.failed(e));
                }
            }
        } finally {
            exit();
        }
        drainPendingStats();
        return out;
    }

    /** One replicated record, last writer wins; the caller holds the lifecycle read lock. */
    private WriteResult applyEntered(StoredRecord record, SpaceConfig sc, HotAdmission admission) {
        MemoryKey k = record.key();
        MemoryValidator.validateId(k.id());
        if (!record.isTombstone()) {
            MemoryValidator.validate(record.memory().orElseThrow(), sc);
        }
        int p = partitionOf(k.space(), k.id());
        ReentrantLock l = locks.lockFor(k);
        l.lock();
        try {
            clock.observe(record.version().hlc());
            WarmTier.Current cur = currentForWrite(p, k);
            Version current = versionOf(cur);
            if (!record.version().isNewerThan(current)) {
                return new WriteResult(false, current);
            }
            warm.write(p, record, record.isTombstone() ? 0 : sc.quotaBytes().orElse(0), cur);
            hot.takePending(k);
            if (record.isTombstone()) {
                hot.invalidate(k);
            } else if (admission == HotAdmission.ADMIT || hot.peek(k) != null) {
                hot.put(k, record.memory().orElseThrow(), false);
            }
            return new WriteResult(true, record.version());
        } finally {
            l.unlock();
        }
    }

    /** Reads the warm tier, counting a corruption before rethrowing it. */
    private Optional<StoredRecord> readWarm(int p, MemoryKey k) {
        try {
            return warm.read(p, k);
        } catch (CorruptionDetectedException e) {
            corruptions.increment();
            throw e;
        }
    }

    /**
     * The current record of a key before a write: its version read from the record's header (checked, not decoded)
     * and the raw bytes the write replaces, so a read-compare-write reads the record once. A corrupted record is
     * counted and treated as absent, so the write replaces it (repair); it is never treated as newer than the
     * write.
     */
    private WarmTier.Current currentForWrite(int p, MemoryKey k) {
        WarmTier.Current c = warm.current(p, k);
        if (c.corruption() != null) {
            corruptions.increment();
        }
        return c;
    }

    private static Version versionOf(WarmTier.Current c) {
        return c.version() == null ? Version.ZERO : c.version();
    }

    private static Memory mergeStats(Memory base, Memory stats) {
        return base.toBuilder().accessCount(Math.max(base.accessCount(), stats.accessCount()))
                .lastAccessNs(Math.max(base.lastAccessNs(), stats.lastAccessNs())).build();
    }

    // ---- access statistics -----------------------------------------------------------------------

    /** Writes parked access statistics back to the warm tier; called with no lock held. */
    private void drainPendingStats() {
        if (!hot.hasPending()) {
            return;
        }
        if (!lifecycle.readLock().tryLock()) {
            return; // an exclusive operation runs; close writes everything back itself
        }
        try {
            if (closed) {
                return;
            }
            int n = 0;
            for (MemoryKey k : hot.pendingKeys()) {
                if (n++ >= DRAIN_BATCH) {
                    break;
                }
                ReentrantLock l = locks.lockFor(k);
                l.lock();
                try {
                    Memory m = hot.takePending(k);
                    if (m != null) {
                        writeStats(k, m);
                    }
                } finally {
                    l.unlock();
                }
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Writes {@code m}'s access statistics if the warm tier holds the same version with older statistics. */
    private void writeStats(MemoryKey k, Memory m) {
        int p = partitionOf(k.space(), k.id());
        try {
            Optional<StoredRecord> cur = warm.read(p, k);
            if (cur.isEmpty() || cur.get().isTombstone() || !cur.get().version().equals(m.versionOrNull())) {
                return;
            }
            Memory stored = cur.get().memory().orElseThrow();
            if (m.accessCount() > stored.accessCount() || m.lastAccessNs() > stored.lastAccessNs()) {
                warm.write(p, StoredRecord.live(mergeStats(stored, m)), 0);
            }
        } catch (StorageException e) {
            // Soft statistics: a failure here must not fail the caller's unrelated operation. Counted.
            statsFlushFailures.increment();
        }
    }

    /** Access-statistics write-backs that failed (corrupted or full record file); they are soft data. */
    public long statsFlushFailures() {
        return statsFlushFailures.sum();
    }

    // ---- scans, counts, stats --------------------------------------------------------------------

    @Override
    public ScanCursor scan(ScanRequest request) {
        enter();
        try {
            request.space().ifPresent(this::requireSpace);
            if (request.partition().isPresent() && request.partition().getAsInt() >= warm.partitions()) {
                throw new IllegalArgumentException("partition must be in [0, " + warm.partitions() + "), got "
                        + request.partition().getAsInt());
            }
            return new StoreScanCursor(this, request, warm.partitions());
        } finally {
            exit();
        }
    }

    @Override
    public void forEachVersion(int partition, VersionVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        if (partition < 0 || partition >= warm.partitions()) {
            throw new IllegalArgumentException("partition must be in [0, " + warm.partitions() + "), got " + partition);
        }
        List<byte[]> keys = scanKeys(partition, null);
        for (int from = 0; from < keys.size(); from += VERSION_PAGE) {
            int to = Math.min(keys.size(), from + VERSION_PAGE);
            // The lifecycle lock per page, as a cursor does, so a long visit never holds off close or a partition drop.
            enter();
            try {
                for (byte[] key : keys.subList(from, to)) {
                    MemoryKey k = RecordCodec.decodeKey(key);
                    if (k == null) {
                        skipOrThrow(badKey(partition, key));
                        continue;
                    }
                    WarmTier.Current c = warm.current(partition, k);
                    if (c.corruption() != null) {
                        corruptions.increment();
                        skipOrThrow(c.corruption());
                    } else if (c.version() != null) {
                        visitor.visit(k, c.version(), c.isTombstone());
                    }
                }
            } finally {
                exit();
            }
        }
    }

    /** The sorted keys of one partition, for a cursor. */
    List<byte[]> scanKeys(int partition, String space) {
        enter();
        try {
            return warm.keys(partition, space);
        } finally {
            exit();
        }
    }

    /** Fetches one record for a cursor, applying the corruption policy. */
    Optional<StoredRecord> scanFetch(int partition, byte[] key, Tier tier) {
        enter();
        try {
            MemoryKey k = RecordCodec.decodeKey(key);
            if (k == null) {
                return skipOrThrow(badKey(partition, key));
            }
            ReentrantLock l = locks.lockFor(k);
            l.lock();
            try {
                if (tier == Tier.HOT) {
                    HotTier.HotEntry e = hot.peek(k);
                    return e == null ? Optional.empty() : Optional.of(StoredRecord.live(e.memory()));
                }
                return warm.read(partition, k);
            } catch (CorruptionDetectedException e) {
                corruptions.increment();
                return skipOrThrow(e);
            } finally {
                l.unlock();
            }
        } finally {
            exit();
        }
    }

    /** A stored key that is not a valid space/id encoding, counted as a corruption. */
    private CorruptionDetectedException badKey(int partition, byte[] key) {
        corruptions.increment();
        return new CorruptionDetectedException(config.dataDir().resolve(PartitionStore.dirName(partition)),
                HexFormat.of().formatHex(key), 0, 0, "key is not a valid space/id encoding");
    }

    private Optional<StoredRecord> skipOrThrow(CorruptionDetectedException e) {
        if (config.scanCorruptionPolicy() == ScanCorruptionPolicy.FAIL) {
            throw e;
        }
        scanSkipped.increment();
        return Optional.empty();
    }

    @Override
    public TierCounts counts() {
        enter();
        try {
            Map<String, Long> hotBySpace = hot.countsBySpace();
            Map<String, TierCounts.SpaceCounts> spaces = new HashMap<>();
            long hotTotal = 0;
            long warmTotal = 0;
            long tombTotal = 0;
            for (Map.Entry<String, SpaceTally> e : warm.tallies().entrySet()) {
                long live = e.getValue().live.get();
                long tomb = e.getValue().tombstones.get();
                long h = hotBySpace.getOrDefault(e.getKey(), 0L);
                if (live != 0 || tomb != 0 || h != 0) {
                    spaces.put(e.getKey(), new TierCounts.SpaceCounts(h, live, tomb));
                }
                warmTotal += live;
                tombTotal += tomb;
            }
            for (Map.Entry<String, Long> e : hotBySpace.entrySet()) {
                hotTotal += e.getValue();
                spaces.putIfAbsent(e.getKey(), new TierCounts.SpaceCounts(e.getValue(), 0, 0));
            }
            return new TierCounts(spaces, hotTotal, warmTotal, tombTotal);
        } finally {
            exit();
        }
    }

    @Override
    public TierCounts counts(IntPredicate partitions) {
        Objects.requireNonNull(partitions, "partitions");
        enter();
        try {
            Map<String, Long> hotBySpace = hot.countsBySpace(k -> partitions.test(partitionOf(k.space(), k.id())));
            Map<String, long[]> warmBySpace = new HashMap<>();
            for (int p = 0; p < warm.partitions(); p++) {
                if (!partitions.test(p)) {
                    continue;
                }
                for (Map.Entry<String, SpaceTally> e : warm.tallies(p).entrySet()) {
                    long[] c = warmBySpace.computeIfAbsent(e.getKey(), k -> new long[2]);
                    c[0] += e.getValue().live.get();
                    c[1] += e.getValue().tombstones.get();
                }
            }
            Map<String, TierCounts.SpaceCounts> spaces = new HashMap<>();
            long hotTotal = 0;
            long warmTotal = 0;
            long tombTotal = 0;
            for (Map.Entry<String, long[]> e : warmBySpace.entrySet()) {
                long h = hotBySpace.getOrDefault(e.getKey(), 0L);
                long live = e.getValue()[0];
                long tomb = e.getValue()[1];
                if (live != 0 || tomb != 0 || h != 0) {
                    spaces.put(e.getKey(), new TierCounts.SpaceCounts(h, live, tomb));
                }
                warmTotal += live;
                tombTotal += tomb;
            }
            for (Map.Entry<String, Long> e : hotBySpace.entrySet()) {
                hotTotal += e.getValue();
                spaces.putIfAbsent(e.getKey(), new TierCounts.SpaceCounts(e.getValue(), 0, 0));
            }
            return new TierCounts(spaces, hotTotal, warmTotal, tombTotal);
        } finally {
            exit();
        }
    }

    @Override
    public StoreStats stats() {
        enter();
        try {
            WarmTier.Sizes sizes = warm.sizes();
            long live = 0;
            long large = 0;
            for (SpaceTally t : warm.tallies().values()) {
                live += t.bytes.get();
                large += t.largeValues.get();
            }
            double frag = sizes.usedBytes() <= 0 ? 0.0 : Math.max(0.0, Math.min(1.0, 1.0 - (double) live / sizes.usedBytes()));
            return new StoreStats(live, sizes.fileBytes(), sizes.usedBytes(), frag, sizes.partitionsOpen(),
                    sizes.segmentFiles(), large, warm.recovery(), corruptions.sum(), scanSkipped.sum(),
                    tombstonesCollected.sum(), hot.weightedBytes(), hot.size(), hot.hits(), hot.misses(), hot.evictions());
        } finally {
            exit();
        }
    }

    // ---- maintenance and partition streaming ----------------------------------------------------

    /**
     * Opens (creating if needed) the warm-tier files of {@code partition} and touches their pages from the
     * calling thread. A node calls it for the partitions it owns, in the background on its preparation thread,
     * and the rebalancer for each partition it receives, so first writes do not pay for file creation.
     * Idempotent.
     */
    @Override
    public void preparePartition(int partition) {
        enter();
        try {
            warm.preparePartition(partition);
        } finally {
            exit();
        }
    }

    /**
     * Removes tombstones older than the grace period (by their version's physical time). Runs at open; a
     * node's maintenance schedule calls it periodically.
     *
     * @return the tombstones removed
     */
    public int collectGarbage() {
        enter();
        try {
            long cutoff = config.clock().millis() - config.tombstoneGracePeriod().toMillis();
            int removed = 0;
            for (int p : warm.partitionsWithData()) {
                for (MemoryKey k : warm.tombstonesBefore(p, cutoff)) {
                    ReentrantLock l = locks.lockFor(k);
                    l.lock();
                    try {
                        WarmTier.Current cur = currentForWrite(p, k);
                        if (cur.isTombstone() && HybridClock.physicalMillis(cur.version().hlc()) < cutoff
                                && warm.delete(p, k)) {
                            removed++;
                        }
                    } finally {
                        l.unlock();
                    }
                }
            }
            tombstonesCollected.add(removed);
            return removed;
        } finally {
            exit();
        }
    }

    /**
     * Deletes every record of one partition (after its new owners confirmed they hold it). Taking the partition out
     * (its cached copies, its tallies, its directory renamed aside) runs alone: no other operation proceeds
     * meanwhile. Closing its files and deleting them, which takes long for big files, runs after, concurrently with
     * other operations, which can no longer reach them.
     */
    @Override
    public void dropPartition(int partition) {
        Runnable deleteFiles;
        enterExclusive();
        try {
            hot.invalidateIf(k -> partitionOf(k.space(), k.id()) == partition);
            deleteFiles = warm.detachPartition(partition);
        } finally {
            exitExclusive();
        }
        deleteFiles.run();
    }

    @Override
    public java.util.SortedSet<Integer> partitionsWithFiles() {
        enter();
        try {
            return warm.partitionsWithData();
        } finally {
            exit();
        }
    }

    /** The partition count. */
    public int partitions() {
        return warm.partitions();
    }

    /** The configuration this store was opened with. */
    public StorageConfig config() {
        return config;
    }

    @Override
    public void close() {
        ScheduledExecutorService loop = maintenance;
        if (loop != null) {
            // Not awaited: a pass in flight holds the lifecycle read lock and ends when close takes the write lock.
            loop.shutdownNow();
        }
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Map<MemoryKey, Memory> dirty = hot.dirtyEntries();
                for (MemoryKey k : hot.pendingKeys()) {
                    Memory m = hot.takePending(k);
                    if (m != null) {
                        dirty.merge(k, m, HotTier::newerStats);
                    }
                }
                for (Map.Entry<MemoryKey, Memory> e : dirty.entrySet()) {
                    writeStats(e.getKey(), e.getValue());
                }
            } finally {
                hot.clear();
                warm.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "DefaultTieredStore[" + config.dataDir() + ", partitions=" + warm.partitions() + "]";
    }
}
