package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.MemoryKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Hinted handoff: writes a replica missed, kept by this node and delivered once the replica answers pings again.
 *
 * <p><b>Queues.</b> One queue per target, keyed by memory key, so a key has at most one hint per target: a
 * newer write replaces the older hint (the replica only needs the newest version), an older one is ignored.
 *
 * <p><b>Bounds and the policy when full.</b> A queue holds at most {@code maxHintsPerTarget} hints and
 * {@code maxHintBytesPerTarget} estimated bytes ({@link Hint#estimatedBytes()}). A hint that does not fit is
 * <em>dropped</em> (counted in {@code hintsDropped}) and its partition is remembered in
 * {@link #takeLostPartitions()}, which the anti-entropy loop syncs first: nothing is lost for good, anti-entropy
 * is the backstop, and memory stays bounded while a replica is down for long.
 *
 * <p><b>Delivery.</b> {@link #deliver} pings the target; if it answers and is ready, hints go out in batches of
 * {@code hintBatchSize}; a batch's hints are removed once the target acknowledged it (durable there), and only
 * if the queue still holds that very hint (a newer one that arrived meanwhile stays). One delivery per target at
 * a time. A hint for a partition the target no longer replicates is dropped (counted): the epoch change's
 * anti-entropy covers the new owners. Replays are harmless: applying is last-writer-wins.
 *
 * <p><b>Drain.</b> {@link #exportAll()} empties every queue and returns the hints, for a node that is leaving to
 * hand to a peer, which takes them with {@link #importAll}.
 *
 * <p>Concurrency: each queue's monitor guards its map, byte count and {@code delivering} flag; nothing is sent
 * while a monitor is held. Invariant: {@code bytes} equals the sum of the queue's hints' estimated bytes.
 */
final class HintedHandoff {
    private final int self;
    private final ReplicationConfig config;
    private final ReplicaTransport transport;
    private final Supplier<? extends ReplicaPlacement> placement;
    private final HybridClock clock;
    private final Scheduler scheduler;
    private final ReplicationCounters counters;
    private final Map<Integer, TargetQueue> queues = new ConcurrentHashMap<>();
    private final Set<Integer> lostPartitions = ConcurrentHashMap.newKeySet();

    HintedHandoff(ReplicationConfig config, ReplicaTransport transport, Supplier<? extends ReplicaPlacement> placement,
                  HybridClock clock, Scheduler scheduler, ReplicationCounters counters) {
        this.config = config;
        this.self = config.nodeId();
        this.transport = transport;
        this.placement = placement;
        this.clock = clock;
        this.scheduler = scheduler;
        this.counters = counters;
    }

    /** The hints kept for one target. */
    private static final class TargetQueue {
        /** Guarded by this. */
        final LinkedHashMap<MemoryKey, Hint> hints = new LinkedHashMap<>();
        /** Guarded by this; the sum of the hints' estimated bytes. */
        long bytes;
        /** Guarded by this; true while a delivery to the target runs. */
        boolean delivering;
    }

    /** Keeps {@code hint}, or drops it if its target's queue is full. */
    void add(Hint hint) {
        if (hint.target() == self) {
            return;
        }
        TargetQueue q = queues.computeIfAbsent(hint.target(), t -> new TargetQueue());
        MemoryKey key = hint.record().key();
        boolean dropped = false;
        synchronized (q) {
            Hint old = q.hints.get(key);
            if (old != null && !hint.record().version().isNewerThan(old.record().version())) {
                return;
            }
            long bytes = q.bytes - (old == null ? 0 : old.estimatedBytes()) + hint.estimatedBytes();
            int count = q.hints.size() + (old == null ? 1 : 0);
            if (count > config.maxHintsPerTarget() || bytes > config.maxHintBytesPerTarget()) {
                dropped = true;
            } else {
                q.hints.put(key, hint);
                q.bytes = bytes;
            }
        }
        if (dropped) {
            counters.hintsDropped.increment();
            lostPartitions.add(hint.partition());
        } else {
            counters.hintsQueued.increment();
        }
    }

    /** Hints kept for {@code target}. */
    int pending(int target) {
        TargetQueue q = queues.get(target);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            return q.hints.size();
        }
    }

    /** Hints kept for every target. */
    int pendingTotal() {
        int n = 0;
        for (int t : queues.keySet()) {
            n += pending(t);
        }
        return n;
    }

    /** Partitions that lost a hint since the last call; anti-entropy syncs them first. */
    Set<Integer> takeLostPartitions() {
        Set<Integer> out = new java.util.TreeSet<>();
        for (Integer p : lostPartitions) {
            if (lostPartitions.remove(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Delivers to every target with hints; completes when each delivery ended (delivered or gave up for now). */
    CompletableFuture<Void> deliverAll() {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int t : queues.keySet()) {
            all.add(deliver(t));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Pings {@code target} and, if it is ready, delivers its hints; completes with the number delivered. Never
     * completes exceptionally: an unreachable target just keeps its hints.
     */
    CompletableFuture<Long> deliver(int target) {
        TargetQueue q = queues.get(target);
        if (q == null) {
            return CompletableFuture.completedFuture(0L);
        }
        synchronized (q) {
            if (q.delivering || q.hints.isEmpty()) {
                return CompletableFuture.completedFuture(0L);
            }
            q.delivering = true;
        }
        long timeoutNs = config.writeTimeout().toNanos();
        Caller caller = new Caller(self, placement.get().epoch());
        CompletableFuture<Long> done = new CompletableFuture<>();
        Timeouts.within(transport.ping(target, caller, clock.now()), timeoutNs, scheduler, target, "ping")
                .whenComplete((pong, error) -> {
                    if (error != null || !pong.ready()) {
                        finish(q, done, 0);
                        return;
                    }
                    clock.observe(pong.hlc());
                    sendBatches(target, q, done, 0);
                });
        return done;
    }

    private void sendBatches(int target, TargetQueue q, CompletableFuture<Long> done, long deliveredSoFar) {
        ReplicaPlacement pl = placement.get();
        List<Hint> batch = new ArrayList<>();
        int stale = 0;
        synchronized (q) {
            var it = q.hints.values().iterator();
            while (it.hasNext() && batch.size() < config.hintBatchSize()) {
                Hint h = it.next();
                if (!pl.isReplica(target, h.partition())) {
                    it.remove();
                    q.bytes -= h.estimatedBytes();
                    stale++;
                } else {
                    batch.add(h);
                }
            }
        }
        counters.hintsDropped.add(stale);
        if (batch.isEmpty()) {
            finish(q, done, deliveredSoFar);
            return;
        }
        Caller caller = new Caller(self, pl.epoch());
        Timeouts.within(transport.deliverHints(target, caller, batch), config.writeTimeout().toNanos(), scheduler, target,
                "hints").whenComplete((reply, error) -> {
                    if (error != null) {
                        finish(q, done, deliveredSoFar);
                        return;
                    }
                    synchronized (q) {
                        for (Hint h : batch) {
                            if (q.hints.remove(h.record().key(), h)) {
                                q.bytes -= h.estimatedBytes();
                            }
                        }
                    }
                    counters.hintsDelivered.add(batch.size());
                    sendBatches(target, q, done, deliveredSoFar + batch.size());
                });
    }

    private static void finish(TargetQueue q, CompletableFuture<Long> done, long delivered) {
        synchronized (q) {
            q.delivering = false;
        }
        done.complete(delivered);
    }

    /** Empties every queue and returns the hints (drain: hand them to a peer). */
    List<Hint> exportAll() {
        List<Hint> out = new ArrayList<>();
        for (TargetQueue q : queues.values()) {
            synchronized (q) {
                out.addAll(q.hints.values());
                q.hints.clear();
                q.bytes = 0;
            }
        }
        return out;
    }

    /** Takes hints handed over by a leaving peer, under this node's bounds; hints for this node itself are applied by the caller. */
    void importAll(Collection<Hint> handedOver) {
        for (Hint h : Objects.requireNonNull(handedOver, "handedOver")) {
            add(h);
        }
    }
}
