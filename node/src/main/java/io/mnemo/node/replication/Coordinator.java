package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.ApplyOutcome;
import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import io.mnemo.shardmap.PartitionFunction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The write and read path of quorum replication on one node.
 *
 * <h2>Writes</h2>
 * A write of key k (a store, or a remove, which is a tombstone write on the same path) is coordinated by a
 * replica of k's partition; any other node refuses it with {@link WrongOwnerException} naming the replicas. The
 * coordinator:
 * <ol>
 *   <li>reads the placement snapshot once: epoch, replica list {@code C}, pending list {@code N} (empty unless
 *       the partition is moving);</li>
 *   <li>stamps a version {@code (hlc, self)} with {@code hlc} above both its clock and the version it holds for
 *       k, so the write is newer than everything this node has seen of k;</li>
 *   <li>applies the record locally first, synchronously. A record the store refuses (invalid, unknown space,
 *       quota) thus fails before any replica sees it, and the coordinator's durable copy is the first ack;</li>
 *   <li>sends it to every other node of {@code C ∪ N} in parallel, each call with its own deadline;</li>
 *   <li>acknowledges as soon as {@link WriteQuorum} is met: {@code W} durable copies in {@code C} and, while
 *       {@code N} is non-empty, a majority of {@code N} too (joint quorum). Only nodes of the epoch's lists
 *       count: quorums are strict, never sloppy, so a side of a network partition without a quorum refuses
 *       the write instead of diverging;</li>
 *   <li>fails with {@link QuorumUnavailableException} (retryable, needed and reached) as soon as the quorum is
 *       out of reach or the write deadline passes; or with {@link StaleEpochException} if a replica reported a
 *       newer epoch, so the caller refreshes its topology.</li>
 * </ol>
 * A failed write is <b>indeterminate</b>: it is durable at least on the coordinator and may spread or be
 * overwritten later. Every replica call that fails for a reason a later delivery can fix
 * ({@link Failures#shouldHint}) leaves a hint for that replica, whether or not the write met its quorum.
 *
 * <h2>Reads</h2>
 * {@link QuorumRead}: ask {@code ONE}, {@code R} or {@code ALL} replicas of {@code C} (own copy first), moving
 * on to the next replica when one fails and, with a hedge delay, when one is slow. Only the first replica asked (this
 * node) reads the record; the others send only the version they hold (digest reads). The newest version among the
 * answers wins (a tombstone is a removed key); when only a version-only answer has it, the record is fetched from
 * that replica in a second call. Replicas that answered an older version, or nothing, get the newest record
 * asynchronously (read repair). During an epoch change reads use {@code C}, because every write still needs
 * {@code W} of {@code C}.
 *
 * <h2>Guarantees and why</h2>
 * <ul>
 *   <li>An acknowledged write is durable on {@code W} replicas of {@code C} (the store's apply returns after the
 *       warm tier has it), so with {@code W = 2, RF = 3} it survives any single crash.</li>
 *   <li>A quorum read that starts after a write was acknowledged returns it or a newer version: its {@code R}
 *       answers intersect the {@code W} copies when {@code R + W > |C|}, and replicas never go back to an older
 *       version (last writer wins in {@code TieredStore.apply}).</li>
 *   <li>Concurrent writes of one key converge: versions are totally ordered and unique (HLC plus the writer's
 *       node id), every path (replication, repair, hints, anti-entropy) applies last-writer-wins, so every
 *       replica ends at the same newest version once messages stop being lost.</li>
 *   <li>Clocks never run behind: every version received (replies, reads, pings, applies) is observed by the
 *       node's {@link HybridClock}.</li>
 * </ul>
 *
 * <h2>Concurrency</h2>
 * The coordinator holds no lock of its own. Each write's {@link WriteQuorum} and each read's {@link QuorumRead}
 * have a monitor that guards only their counters; the decision (met, failed, repair targets) is taken under it
 * and the consequences (completing the caller's future, sending, hinting) happen after it is released. Callbacks
 * run on the transport's threads and the scheduler's thread. Thread-safe.
 */
public final class Coordinator {
    /** How long a write waits for this node to catch up with a replica's newer placement. */
    private static final long CATCH_UP_WAIT_NS = 2_000_000_000L;
    private static final long CATCH_UP_POLL_NS = 5_000_000L;
    private final int self;
    private final ReplicationConfig config;
    private final ReplicaHandler local;
    private final ReplicaTransport transport;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final HybridClock clock;
    private final Scheduler scheduler;
    private final HintedHandoff hints;
    private final ReplicationCounters counters;
    private volatile PartitionFunction partitionFunction;

    Coordinator(ReplicationConfig config, ReplicaHandler local, ReplicaTransport transport,
                Supplier<? extends ReplicaPlacement> placement, HybridClock clock, Scheduler scheduler, HintedHandoff hints,
                ReplicationCounters counters) {
        this.config = Objects.requireNonNull(config, "config");
        this.self = config.nodeId();
        this.local = Objects.requireNonNull(local, "local");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.hints = Objects.requireNonNull(hints, "hints");
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /** Stores {@code memory} (its version, if any, is replaced); completes with the version acknowledged. */
    public CompletableFuture<Version> store(Memory memory) {
        return afterCatchingUp(() -> write(memory.key(), v -> StoredRecord.live(memory.toBuilder().version(v).build())));
    }

    /**
     * Stores many memories (their versions, if any, are replaced): one future per memory, in order, each completing
     * with the version acknowledged or failing as {@link #store} of that memory alone would. Same steps as a single
     * write, batched: one placement snapshot for the batch; each item is checked for ownership
     * ({@link WrongOwnerException} fails only that item) and stamped above the version this node holds; the
     * stamped records are applied locally in one {@link ReplicaHandler#applyLocalAll} (a record the store refuses
     * fails alone, before any replica sees it); then {@link BatchWrite} sends one {@code ReplicateBatch} per
     * replica (or a few, size-capped) and completes each item at its own quorum. Of two items of one key, the
     * later one gets the newer version. Never throws: a failure of the whole batch (a closed store) fails every
     * item.
     */
    public List<CompletableFuture<Version>> storeAll(List<Memory> memories) {
        ReplicaPlacement pl = placement.get();
        List<CompletableFuture<Version>> results = new ArrayList<>(memories.size());
        List<BatchWrite.Item> stamped = new ArrayList<>(memories.size());
        List<StoredRecord> records = new ArrayList<>(memories.size());
        for (Memory memory : memories) {
            CompletableFuture<Version> result = new CompletableFuture<>();
            results.add(result);
            try {
                int p = requireReplica(pl, memory.key());
                Version held = heldVersion(memory.key());
                StoredRecord record = StoredRecord.live(memory.toBuilder()
                        .version(new Version(clock.nowAfter(held.hlc()), self)).build()).withEncoding();
                stamped.add(new BatchWrite.Item(p, record, result));
                records.add(record);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
        List<BatchWrite.Item> durable = new ArrayList<>(stamped.size());
        try {
            List<ApplyOutcome> applied = local.applyLocalAllAt(records, pl.epoch());
            for (int i = 0; i < stamped.size(); i++) {
                if (applied.get(i).ok()) {
                    durable.add(stamped.get(i));
                } else {
                    stamped.get(i).result().completeExceptionally(applied.get(i).error());
                }
            }
        } catch (RuntimeException e) {
            stamped.forEach(item -> item.result().completeExceptionally(e));
            return results;
        }
        new BatchWrite(self, durable, pl, config, transport, scheduler, hints, clock, counters).start();
        return results;
    }

    /** Removes a key by writing a tombstone; completes with the tombstone's version. */
    public CompletableFuture<Version> remove(String space, String id) {
        MemoryKey key = new MemoryKey(space, id);
        return afterCatchingUp(() -> write(key, v -> StoredRecord.tombstone(key, v)));
    }

    /** Reads a key at {@code consistency}; the result's record is empty if no replica asked has seen the key. */
    public CompletableFuture<ReadResult> read(String space, String id, ReadConsistency consistency) {
        MemoryKey key = new MemoryKey(space, id);
        ReplicaPlacement pl = placement.get();
        int p;
        try {
            p = requireReplica(pl, key);
        } catch (WrongOwnerException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<Integer> replicas = pl.replicas(p);
        int needed;
        switch (consistency) {
            case ONE:
                needed = 1;
                break;
            case QUORUM:
                needed = config.readQuorum().resolve(replicas.size());
                break;
            case ALL:
                needed = replicas.size();
                break;
            default:
                throw new IllegalArgumentException("unknown consistency " + consistency);
        }
        List<Integer> order = new ArrayList<>(replicas.size());
        if (replicas.contains(self)) {
            order.add(self);
        }
        for (int n : replicas) {
            if (n != self) {
                order.add(n);
            }
        }
        QuorumRead r = new QuorumRead(key, p, new Caller(self, pl.epoch()), order, needed, self, local, transport,
                scheduler, config, counters);
        return r.start();
    }

    private CompletableFuture<Version> write(MemoryKey key, Function<Version, StoredRecord> recordOf) {
        ReplicaPlacement pl = placement.get();
        StoredRecord record;
        int p;
        try {
            p = requireReplica(pl, key);
            Version held = heldVersion(key);
            // Encoded once, for the local write and every replica call.
            record = recordOf.apply(new Version(clock.nowAfter(held.hlc()), self)).withEncoding();
            local.applyLocalAt(record, pl.epoch());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<Integer> current = pl.replicas(p);
        List<Integer> pending = pl.pendingReplicas(p);
        WriteQuorum quorum = new WriteQuorum(current, pending, config.writeQuorum().resolve(current.size()));
        CompletableFuture<Version> result = new CompletableFuture<>();
        AtomicReference<StaleEpochException> newerEpoch = new AtomicReference<>();
        long timeoutNs = config.writeTimeout().toNanos();
        Scheduler.Cancellable deadline = scheduler.schedule(() -> {
            if (quorum.expire()) {
                fail(result, quorum, newerEpoch.get());
            }
        }, timeoutNs);
        result.whenComplete((v, e) -> deadline.cancel());
        settle(quorum.ack(self), result, record.version(), quorum, newerEpoch);

        Set<Integer> targets = new LinkedHashSet<>(current);
        targets.addAll(pending);
        targets.remove(self);
        Caller caller = new Caller(self, pl.epoch());
        for (int target : targets) {
            Timeouts.within(transport.replicate(target, caller, p, record), timeoutNs, scheduler, target, "replicate")
                    .whenComplete((reply, error) -> {
                        if (error == null) {
                            clock.observe(reply.currentVersion().hlc());
                            settle(quorum.ack(target), result, record.version(), quorum, newerEpoch);
                            return;
                        }
                        Throwable cause = Failures.unwrap(error);
                        Failures.Kind kind = Failures.classify(cause);
                        if (kind == Failures.Kind.STALE_EPOCH) {
                            newerEpoch.compareAndSet(null, (StaleEpochException) cause);
                        }
                        if (Failures.shouldHint(kind)) {
                            hints.add(new Hint(target, p, record));
                        }
                        settle(quorum.fail(target), result, record.version(), quorum, newerEpoch);
                    });
        }
        return result;
    }

    private void settle(WriteQuorum.State state, CompletableFuture<Version> result, Version version, WriteQuorum quorum,
                        AtomicReference<StaleEpochException> newerEpoch) {
        if (state == WriteQuorum.State.MET) {
            // Count before completing, so whoever sees the ack also sees it counted.
            if (quorum.claimOutcome()) {
                counters.writesAcked.increment();
                result.complete(version);
            }
        } else if (state == WriteQuorum.State.FAILED) {
            fail(result, quorum, newerEpoch.get());
        }
    }

    /**
     * Runs a write; if a replica refused it because this node routes by an older placement than the replica's
     * ({@link StaleEpochException}), waits for this node's own placement to reach that epoch (the ownership log
     * delivers it within moments; at most {@link #CATCH_UP_WAIT_NS}) and runs the write once more, stamped anew.
     * The coordinator's lag is its own business: a caller should not see it. The first attempt may have reached
     * some replicas; the second one's newer version supersedes it (last writer wins).
     */
    private CompletableFuture<Version> afterCatchingUp(Supplier<CompletableFuture<Version>> attempt) {
        return attempt.get().handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            Throwable cause = Failures.unwrap(e);
            if (!(cause instanceof StaleEpochException)
                    || ((StaleEpochException) cause).currentEpoch() <= placement.get().epoch()) {
                return CompletableFuture.<Version>failedFuture(cause);
            }
            long target = ((StaleEpochException) cause).currentEpoch();
            CompletableFuture<Version> retried = new CompletableFuture<>();
            awaitEpoch(target, scheduler.nanoTime() + CATCH_UP_WAIT_NS, () -> attempt.get().whenComplete((v2, e2) -> {
                if (e2 == null) {
                    retried.complete(v2);
                } else {
                    retried.completeExceptionally(Failures.unwrap(e2));
                }
            }), () -> retried.completeExceptionally(cause));
            return retried;
        }).thenCompose(f -> f);
    }

    private void awaitEpoch(long epoch, long deadlineNs, Runnable reached, Runnable timedOut) {
        if (placement.get().epoch() >= epoch) {
            reached.run();
        } else if (scheduler.nanoTime() - deadlineNs >= 0) {
            timedOut.run();
        } else {
            scheduler.schedule(() -> awaitEpoch(epoch, deadlineNs, reached, timedOut), CATCH_UP_POLL_NS);
        }
    }

    private void fail(CompletableFuture<Version> result, WriteQuorum quorum, StaleEpochException newerEpoch) {
        RuntimeException error = newerEpoch != null ? newerEpoch : quorum.shortfall();
        if (quorum.claimOutcome()) {
            counters.writeQuorumFailures.increment();
            result.completeExceptionally(error);
        }
    }

    /** The version this node holds for {@code key}; a corrupted local record counts as none (the write repairs it). */
    private Version heldVersion(MemoryKey key) {
        try {
            return local.readLocal(key).map(StoredRecord::version).orElse(Version.ZERO);
        } catch (CorruptionDetectedException e) {
            return Version.ZERO;
        }
    }

    private int requireReplica(ReplicaPlacement pl, MemoryKey key) {
        PartitionFunction f = partitionFunction;
        if (f == null || f.partitions() != pl.partitions()) {
            f = PartitionFunction.of(pl.partitions());
            partitionFunction = f;
        }
        int p = f.partitionOf(key.space(), key.id());
        if (!pl.isReplica(self, p)) {
            List<Integer> owners = pl.pendingReplicas(p).isEmpty() ? pl.replicas(p) : pl.pendingReplicas(p);
            throw new WrongOwnerException(pl.epoch(), p, owners, "node " + self + " is not a replica of " + key);
        }
        return p;
    }
}
