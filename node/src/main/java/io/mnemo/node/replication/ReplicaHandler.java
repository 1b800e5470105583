package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.replication.ReplicaTransport.HintReply;
import io.mnemo.node.replication.ReplicaTransport.ItemReply;
import io.mnemo.node.replication.ReplicaTransport.PingReply;
import io.mnemo.node.replication.ReplicaTransport.ReadReply;
import io.mnemo.node.replication.ReplicaTransport.ReplicateItem;
import io.mnemo.node.replication.ReplicaTransport.ReplicateReply;
import io.mnemo.node.storage.ApplyOutcome;
import io.mnemo.node.storage.HeldVersion;
import io.mnemo.node.storage.HotAdmission;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.InvalidMemoryException;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.WriteResult;
import io.mnemo.shardmap.PartitionFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The replica side of replication on one node's {@link TieredStore}: the calls other nodes make
 * ({@link ReplicaTransport}) and the local primitives the coordinator and anti-entropy use.
 *
 * <p>Every remote call is checked first: an epoch older than this node's is refused with
 * {@link StaleEpochException}, a newer one with {@link ReplicaUnavailableException} (this node is behind and
 * catches up; the caller retries), and a partition this node does not replicate in its current or pending list
 * with {@link WrongOwnerException}. A record must belong to the partition it is sent for.
 *
 * <p>Applying is {@link TieredStore#apply}: last writer wins by version, durable in the warm tier before the
 * method returns, so the caller's acknowledgement means a durable copy. Every version seen moves the node's
 * {@link HybridClock} forward.
 *
 * <p><b>Epochs.</b> The epoch compared is the placement's ({@link ReplicaPlacement#epoch()}, the ownership epoch
 * in a cluster), which moves only when placement changes, so a change that moves nothing (a space created) never
 * refuses a write. A caller ahead of this node is not refused at once: the call waits up to
 * {@link #CATCH_UP_WAIT_MS} for this node to apply the newer placement ({@link #placementChanged()} wakes it),
 * since nodes learn a committed epoch a few milliseconds apart.
 *
 * <p><b>The write fence.</b> A replicated write (replicate, batch, hints, and the coordinator's own local write
 * through {@link #applyLocalAt}) holds the read side of {@code fence} from its epoch check until its record is in
 * the store. {@link #fence()} takes the write side once, so when it returns every write admitted under an older
 * placement is applied. Partition streaming fences before its first page: a stream served at placement E
 * therefore contains every write this replica admitted before E, and writes after E are refused unless they
 * carry E's joint quorum. The rebalancer fences before dropping a partition for the same reason. No I/O waits
 * on the fence but the applies themselves: a call from a caller ahead waits for this node to catch up <em>before</em>
 * it takes the read side, and the checks under it never wait. (A wait under the read side, up to
 * {@link #CATCH_UP_WAIT_MS} when this node lagged the ownership log, used to hold a queued fence, and with it every
 * new write on this node, the coordinator's own on its partition worker pool included, behind it.) Thread-safe;
 * its only state is the {@code ready} flag and the fence.
 */
public final class ReplicaHandler {
    private final int nodeId;
    private final TieredStore store;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final HybridClock clock;
    private volatile boolean ready = true;
    private volatile PartitionFunction partitionFunction;
    /** Read side: one epoch-checked write from check to apply; write side: {@link #fence()}. */
    private final ReentrantReadWriteLock fence = new ReentrantReadWriteLock();
    /** Signalled by {@link #placementChanged()}; guards nothing, only wakes callers waiting to catch up. */
    private final Object epochSignal = new Object();

    /** How long a call from a caller at a newer epoch waits for this node to catch up before it is refused. */
    public static final long CATCH_UP_WAIT_MS = 2000;

    public ReplicaHandler(int nodeId, TieredStore store, Supplier<? extends ReplicaPlacement> placement, HybridClock clock) {
        this.nodeId = nodeId;
        this.store = Objects.requireNonNull(store, "store");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public int nodeId() {
        return nodeId;
    }

    /** Marks the node as (not) serving; pings report it, and hint delivery waits for a ready target. */
    public void setReady(boolean value) {
        this.ready = value;
    }

    // ---- remote calls ---------------------------------------------------------------------------

    /** Applies a replicated record. */
    public ReplicateReply replicate(Caller from, int partition, StoredRecord record) {
        awaitEpoch(from);
        fence.readLock().lock();
        try {
            return replicateAdmitted(from, partition, record);
        } finally {
            fence.readLock().unlock();
        }
    }

    private ReplicateReply replicateAdmitted(Caller from, int partition, StoredRecord record) {
        admitNow(from, partition);
        requirePartition(partition, record.key());
        WriteResult r = applyLocal(record);
        return new ReplicateReply(r.applied(), r.storedVersion());
    }

    /**
     * Applies a batch of replicated records ({@code ReplicateBatch}): one reply per item, in order. The caller's
     * epoch is checked once and a refusal fails the whole call, as for {@link #replicate}; then each distinct
     * partition is admitted once, and a partition this node does not replicate, or a record not in the partition
     * it is sent for, fails only its own items. The admitted records go to the store in one
     * {@link TieredStore#applyAll} (last writer wins per record, each durable in the warm tier before this
     * returns); a record the store refuses fails alone.
     */
    public List<ItemReply> replicateBatch(Caller from, List<ReplicateItem> items) {
        awaitEpoch(from);
        fence.readLock().lock();
        try {
            return replicateBatchAdmitted(from, items);
        } finally {
            fence.readLock().unlock();
        }
    }

    private List<ItemReply> replicateBatchAdmitted(Caller from, List<ReplicateItem> items) {
        checkEpochNow(from);
        ItemReply[] out = new ItemReply[items.size()];
        Map<Integer, RuntimeException> refused = new HashMap<>();
        Set<Integer> admitted = new HashSet<>();
        List<StoredRecord> records = new ArrayList<>(items.size());
        int[] positions = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            ReplicateItem item = items.get(i);
            int p = item.partition();
            if (!admitted.contains(p) && !refused.containsKey(p)) {
                try {
                    admitNow(from, p);
                    admitted.add(p);
                } catch (RuntimeException e) {
                    refused.put(p, e);
                }
            }
            RuntimeException refusal = refused.get(p);
            if (refusal == null) {
                try {
                    requirePartition(p, item.record().key());
                } catch (RuntimeException e) {
                    refusal = e;
                }
            }
            if (refusal != null) {
                out[i] = ItemReply.failed(refusal);
                continue;
            }
            positions[records.size()] = i;
            records.add(item.record());
        }
        List<ApplyOutcome> applied = applyLocalAll(records);
        for (int j = 0; j < applied.size(); j++) {
            ApplyOutcome o = applied.get(j);
            out[positions[j]] = o.ok() ? ItemReply.of(new ReplicateReply(o.result().applied(), o.result().storedVersion()))
                    : ItemReply.failed(o.error());
        }
        return Arrays.asList(out);
    }

    /** This replica's record of a key, for a client's read (a warm-tier hit is promoted into the hot tier). */
    public Optional<StoredRecord> read(Caller from, int partition, MemoryKey key) {
        admit(from, partition);
        requirePartition(partition, key);
        return readForClient(key);
    }

    /**
     * This replica's version of a key, for a digest read: the coordinator of a quorum read has the record from
     * another replica, so this one sends only its version, and promotes nothing into its hot tier.
     */
    public ReadReply readVersion(Caller from, int partition, MemoryKey key) {
        admit(from, partition);
        requirePartition(partition, key);
        return versionLocal(key);
    }

    /** The bucket digests of a partition. */
    public PartitionDigest digest(Caller from, int partition) {
        admit(from, partition);
        return localDigest(partition);
    }

    /** Digests of arbitrary ranges, each cut into {@code split} sub-ranges (the wire's general form). */
    public List<RangeDigest> digest(Caller from, int partition, List<HashRange> ranges, int split) {
        admit(from, partition);
        List<HashRange> parts = new ArrayList<>();
        for (HashRange r : ranges.isEmpty() ? List.of(HashRange.ALL) : ranges) {
            parts.addAll(r.split(Math.max(1, split)));
        }
        return digestRanges(partition, parts);
    }

    /** Records of a partition in the buckets of {@code bucketMask}. */
    public List<StoredRecord> fetchBuckets(Caller from, int partition, long bucketMask) {
        admit(from, partition);
        return localRecords(partition, bucketMask);
    }

    /** One page of a partition's records in scan order (partition streaming), resumable. */
    public ScanPage scanPartition(Caller from, int partition, String resumeToken, int maxRecords) {
        awaitEpoch(from);
        admit(from, partition);
        if (resumeToken == null || resumeToken.isEmpty()) {
            fence();
        }
        ScanRequest.Builder b = ScanRequest.builder().partition(partition).includeTombstones(true).pageHint(maxRecords);
        if (resumeToken != null && !resumeToken.isEmpty()) {
            b.resumeToken(resumeToken);
        }
        List<StoredRecord> out = new ArrayList<>();
        try (ScanCursor c = store.scan(b.build())) {
            while (c.hasNext()) {
                out.add(c.next());
            }
            return new ScanPage(out, c.resumeToken(), c.isExhausted());
        }
    }

    /** Applies hints; a hint for a partition this node no longer replicates is skipped (anti-entropy covers it). */
    public HintReply applyHints(Caller from, List<Hint> hints) {
        awaitEpoch(from);
        fence.readLock().lock();
        try {
            return applyHintsAdmitted(from, hints);
        } finally {
            fence.readLock().unlock();
        }
    }

    private HintReply applyHintsAdmitted(Caller from, List<Hint> hints) {
        checkEpochNow(from);
        ReplicaPlacement pl = current();
        long applied = 0;
        for (Hint h : hints) {
            if (!pl.isReplica(nodeId, h.partition())) {
                continue;
            }
            requirePartition(h.partition(), h.record().key());
            if (applyLocal(h.record()).applied()) {
                applied++;
            }
        }
        return new HintReply(applied);
    }

    /** Liveness and clock exchange; never refused. */
    public PingReply ping(Caller from, long hlc) {
        clock.observe(hlc);
        return new PingReply(nodeId, Math.max(0, epochNow()), clock.now(), ready);
    }

    // ---- local primitives -----------------------------------------------------------------------

    /**
     * The coordinator's own write: applies {@code record} under the write fence if this node's placement is still
     * at {@code epoch}, the epoch the write was planned in; otherwise refuses it with {@link StaleEpochException}
     * (nothing applied), so a write planned under an older placement never lands after a stream was fenced.
     */
    WriteResult applyLocalAt(StoredRecord record, long epoch) {
        fence.readLock().lock();
        try {
            long now = current().epoch();
            if (now != epoch) {
                throw new StaleEpochException(now, "node " + nodeId + " moved from epoch " + epoch + " to " + now
                        + " while coordinating a write");
            }
            return applyLocal(record, HotAdmission.ADMIT);
        } finally {
            fence.readLock().unlock();
        }
    }

    /** {@link #applyLocalAt} for a batch planned in {@code epoch}: all applied under the fence, or none. */
    List<ApplyOutcome> applyLocalAllAt(List<StoredRecord> records, long epoch) {
        fence.readLock().lock();
        try {
            long now = current().epoch();
            if (now != epoch) {
                throw new StaleEpochException(now, "node " + nodeId + " moved from epoch " + epoch + " to " + now
                        + " while coordinating a batch");
            }
            return applyLocalAll(records, HotAdmission.ADMIT);
        } finally {
            fence.readLock().unlock();
        }
    }

    /**
     * Waits until every epoch-checked write admitted so far has been applied (see the class comment). Must not be
     * called while holding the fence's read side.
     */
    public void fence() {
        fence.writeLock().lock();
        fence.writeLock().unlock();
    }

    /** Wakes calls waiting for this node to catch up with a newer epoch; the assembly calls it on every new placement. */
    public void placementChanged() {
        synchronized (epochSignal) {
            epochSignal.notifyAll();
        }
    }

    /**
     * Applies a record another node sent (a replicated write, hint, repair or stream) to the local store (LWW),
     * observing its version. It replaces a cached copy but is not added to the hot tier: clients read it from the
     * node that coordinated it ({@link HotAdmission}).
     */
    WriteResult applyLocal(StoredRecord record) {
        return applyLocal(record, HotAdmission.IF_CACHED);
    }

    private WriteResult applyLocal(StoredRecord record, HotAdmission admission) {
        clock.observe(record.version().hlc());
        return store.apply(record, admission);
    }

    /** {@link #applyLocal(StoredRecord)} for many records, in one store batch. */
    List<ApplyOutcome> applyLocalAll(List<StoredRecord> records) {
        return applyLocalAll(records, HotAdmission.IF_CACHED);
    }

    private List<ApplyOutcome> applyLocalAll(List<StoredRecord> records, HotAdmission admission) {
        long newest = 0;
        for (StoredRecord r : records) {
            newest = Math.max(newest, r.version().hlc());
        }
        clock.observe(newest);
        return store.applyAll(records, admission);
    }

    /** Moves the node's clock past a version seen elsewhere. */
    void observe(io.mnemo.node.storage.Version version) {
        clock.observe(version.hlc());
    }

    /** The local record of a key, for the node's own use (a write's held version): the hot tier is left as is. */
    Optional<StoredRecord> readLocal(MemoryKey key) {
        return readLocal(key, HotAdmission.IF_CACHED);
    }

    /** The local record of a key for a client's read, which promotes a warm-tier hit into the hot tier. */
    Optional<StoredRecord> readForClient(MemoryKey key) {
        return readLocal(key, HotAdmission.ADMIT);
    }

    /**
     * The local version of a key for a digest read ({@link TieredStore#readVersion}): from the hot tier if cached, else
     * from the warm-tier record's checked header; nothing decoded, nothing promoted.
     */
    ReadReply versionLocal(MemoryKey key) {
        Optional<HeldVersion> held = store.readVersion(key.space(), key.id());
        held.ifPresent(h -> clock.observe(h.version().hlc()));
        return held.map(h -> ReadReply.versionOnly(h.version(), h.tombstone())).orElse(ReadReply.ABSENT);
    }

    private Optional<StoredRecord> readLocal(MemoryKey key, HotAdmission admission) {
        Optional<StoredRecord> r = store.read(key.space(), key.id(), admission);
        r.ifPresent(rec -> clock.observe(rec.version().hlc()));
        return r;
    }

    /** The local bucket digests of a partition. */
    PartitionDigest localDigest(int partition) {
        // Each record straight into its bucket (versions from the records' headers), not matched against 64 ranges.
        PartitionDigest.Builder digest = new PartitionDigest.Builder();
        store.forEachVersion(partition, digest::add);
        return digest.build(partition);
    }

    /** The local records of a partition in the buckets of {@code bucketMask}. */
    List<StoredRecord> localRecords(int partition, long bucketMask) {
        List<StoredRecord> out = new ArrayList<>();
        if (bucketMask == 0) {
            return out;
        }
        try (ScanCursor c = store.scan(ScanRequest.builder().partition(partition).includeTombstones(true).build())) {
            while (c.hasNext()) {
                StoredRecord r = c.next();
                if (DigestScheme.inBuckets(r.key(), bucketMask)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private List<RangeDigest> digestRanges(int partition, List<HashRange> ranges) {
        int n = ranges.size();
        long[] s1 = new long[n];
        long[] s2 = new long[n];
        long[] count = new long[n];
        // Versions from the records' headers: a digest never decodes a record.
        store.forEachVersion(partition, (key, version, tombstone) -> {
            long kh = DigestScheme.keyHash(key);
            for (int i = 0; i < n; i++) {
                if (ranges.get(i).contains(kh)) {
                    s1[i] += DigestScheme.recordHash1(kh, version, tombstone);
                    s2[i] += DigestScheme.recordHash2(kh, version, tombstone);
                    count[i]++;
                    break;
                }
            }
        });
        List<RangeDigest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new RangeDigest(ranges.get(i), s1[i], s2[i], count[i]));
        }
        return out;
    }

    // ---- admission ------------------------------------------------------------------------------

    private void admit(Caller from, int partition) {
        awaitEpoch(from);
        admitNow(from, partition);
    }

    /**
     * {@link #admit} without waiting for this node to catch up: for the checks made under the fence's read side,
     * which must never wait (a queued {@link #fence()} would hold every new write on this node behind the wait).
     * The callers waited before taking the fence.
     */
    private void admitNow(Caller from, int partition) {
        ReplicaPlacement pl = checkEpochNow(from);
        if (partition < 0 || partition >= pl.partitions()) {
            throw new InvalidMemoryException("partition", "must be in [0, " + pl.partitions() + "), got " + partition);
        }
        if (!pl.isReplica(nodeId, partition)) {
            List<Integer> owners = pl.pendingReplicas(partition).isEmpty() ? pl.replicas(partition) : pl.pendingReplicas(partition);
            throw new WrongOwnerException(pl.epoch(), partition, owners,
                    "node " + nodeId + " does not replicate partition " + partition);
        }
    }

    /** This node's placement epoch, or -1 while it has none (a node starting), so every caller is ahead of it. */
    private long epochNow() {
        ReplicaPlacement pl = placement.get();
        return pl == null ? -1 : pl.epoch();
    }

    /** This node's placement; a node that has none yet (starting) answers as unavailable, which callers retry. */
    private ReplicaPlacement current() {
        ReplicaPlacement pl = placement.get();
        if (pl == null) {
            throw new ReplicaUnavailableException(nodeId, "node " + nodeId + " has no placement yet (starting)");
        }
        return pl;
    }

    /**
     * Waits up to {@link #CATCH_UP_WAIT_MS} while {@code from} is at a newer epoch than this node (polling, and
     * woken early by {@link #placementChanged()}); returns at once otherwise. The check that refuses comes after.
     */
    private void awaitEpoch(Caller from) {
        if (from.epoch() <= epochNow()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_WAIT_MS);
        synchronized (epochSignal) {
            while (from.epoch() > epochNow()) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    return;
                }
                try {
                    epochSignal.wait(Math.min(leftMs, 10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Refuses a caller at another epoch than this node's, without waiting (see {@link #admitNow}). */
    private ReplicaPlacement checkEpochNow(Caller from) {
        ReplicaPlacement pl = current();
        if (from.epoch() < pl.epoch()) {
            throw new StaleEpochException(pl.epoch(), "node " + from.nodeId() + " called node " + nodeId + " at epoch "
                    + from.epoch());
        }
        if (from.epoch() > pl.epoch()) {
            throw new ReplicaUnavailableException(nodeId, "behind: at epoch " + pl.epoch() + ", caller at " + from.epoch());
        }
        return pl;
    }

    /**
     * Refuses a record sent for a partition it is not in (replica writes, hints, and the rebalancer's streamed
     * chunks): a sender that does that is broken, and applying it would put a key on a node that does not replicate
     * it.
     *
     * @throws InvalidMemoryException naming the key and both partitions
     */
    void requirePartition(int partition, MemoryKey key) {
        PartitionFunction f = partitionFunction;
        int partitions = current().partitions();
        if (f == null || f.partitions() != partitions) {
            f = PartitionFunction.of(partitions);
            partitionFunction = f;
        }
        int actual = f.partitionOf(key.space(), key.id());
        if (actual != partition) {
            throw new InvalidMemoryException("partition", "key " + key + " is in partition " + actual + ", not " + partition);
        }
    }

    /** One page of {@link #scanPartition}. */
    public record ScanPage(List<StoredRecord> records, String resumeToken, boolean last) {
        public ScanPage {
            records = List.copyOf(records);
        }
    }
}
