package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Anti-entropy: reconciles this node's copy of a partition with every other replica (current and pending
 * lists), peer by peer.
 *
 * <p>For one peer: compute both sides' bucket digests ({@link DigestScheme}); for the buckets that differ,
 * fetch the peer's records and read ours; apply the peer's newer records locally and push ours that are newer
 * (or missing there) to the peer. Both sides apply last-writer-wins, so the pass is idempotent and safe to run
 * concurrently with writes: a write racing with it either is in both digests or is fixed by the next pass.
 * After a pass with no message lost, both replicas hold the newest version of every key either held.
 *
 * <p>Peers are synced one after another, each against a fresh local digest (a pull from one peer changes what
 * the next needs). A peer that fails is counted and skipped; the pass itself never fails for it.
 */
final class AntiEntropy {
    private final int self;
    private final ReplicationConfig config;
    private final ReplicaHandler local;
    private final ReplicaTransport transport;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final Scheduler scheduler;
    private final ReplicationCounters counters;

    AntiEntropy(ReplicationConfig config, ReplicaHandler local, ReplicaTransport transport,
                Supplier<? extends ReplicaPlacement> placement, Scheduler scheduler, ReplicationCounters counters) {
        this.config = config;
        this.self = config.nodeId();
        this.local = local;
        this.transport = transport;
        this.placement = placement;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    /** Syncs {@code partition} with each of its other replicas; a node that does not replicate it does nothing. */
    CompletableFuture<SyncResult> syncPartition(int partition) {
        ReplicaPlacement pl = placement.get();
        if (!pl.isReplica(self, partition)) {
            return CompletableFuture.completedFuture(SyncResult.none(partition));
        }
        Set<Integer> peers = new LinkedHashSet<>(pl.replicas(partition));
        peers.addAll(pl.pendingReplicas(partition));
        peers.remove(self);
        Caller caller = new Caller(self, pl.epoch());
        CompletableFuture<SyncResult> chain = CompletableFuture.completedFuture(SyncResult.none(partition));
        for (int peer : peers) {
            chain = chain.thenCompose(acc -> syncWith(peer, caller, partition)
                    .handle((r, e) -> acc.plus(e == null ? r : new SyncResult(partition, 0, 1, 0, 0, 0))));
        }
        return chain;
    }

    private CompletableFuture<SyncResult> syncWith(int peer, Caller caller, int partition) {
        long timeoutNs = config.writeTimeout().toNanos();
        PartitionDigest mine = local.localDigest(partition);
        return Timeouts.within(transport.digest(peer, caller, partition), timeoutNs, scheduler, peer, "digest")
                .thenCompose(theirs -> {
                    long mask = mine.diff(theirs);
                    if (mask == 0) {
                        counters.antiEntropyRuns.increment();
                        return CompletableFuture.completedFuture(new SyncResult(partition, 1, 0, 0, 0, 0));
                    }
                    return Timeouts.within(transport.fetchBuckets(peer, caller, partition, mask), timeoutNs, scheduler,
                            peer, "fetch").thenCompose(records -> reconcile(peer, caller, partition, mask, records));
                });
    }

    private CompletableFuture<SyncResult> reconcile(int peer, Caller caller, int partition, long mask,
                                                    List<StoredRecord> theirs) {
        Map<MemoryKey, StoredRecord> ours = new HashMap<>();
        for (StoredRecord r : local.localRecords(partition, mask)) {
            ours.put(r.key(), r);
        }
        Map<MemoryKey, StoredRecord> theirsByKey = new HashMap<>();
        long pulled = 0;
        for (StoredRecord t : theirs) {
            theirsByKey.put(t.key(), t);
            StoredRecord o = ours.get(t.key());
            if ((o == null || t.version().isNewerThan(o.version())) && local.applyLocal(t).applied()) {
                pulled++;
            }
        }
        List<CompletableFuture<?>> pushes = new ArrayList<>();
        for (StoredRecord o : ours.values()) {
            StoredRecord t = theirsByKey.get(o.key());
            if (t == null || o.version().isNewerThan(t.version())) {
                pushes.add(Timeouts.within(transport.replicate(peer, caller, partition, o), config.writeTimeout().toNanos(),
                        scheduler, peer, "push"));
            }
        }
        long pulledFinal = pulled;
        int buckets = Long.bitCount(mask);
        return CompletableFuture.allOf(pushes.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            counters.antiEntropyRuns.increment();
            counters.antiEntropyBucketsRepaired.add(buckets);
            counters.antiEntropyRecordsPulled.add(pulledFinal);
            counters.antiEntropyRecordsPushed.add(pushes.size());
            return new SyncResult(partition, 1, 0, buckets, pulledFinal, pushes.size());
        });
    }
}
