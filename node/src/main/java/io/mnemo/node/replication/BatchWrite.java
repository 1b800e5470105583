package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.replication.ReplicaTransport.ItemReply;
import io.mnemo.node.replication.ReplicaTransport.ReplicateItem;
import io.mnemo.node.storage.HybridClock;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replication of one batch write, after the coordinator stamped every item and applied it locally
 * ({@link Coordinator#storeAll}): the same rules as a single write, with one message per replica instead of one
 * per record and replica.
 *
 * <ul>
 *   <li>Every item has its own {@link WriteQuorum} over its partition's lists at the batch's placement snapshot
 *       (strict {@code W} of the replica list, and a majority of the pending list while the partition moves),
 *       seeded with the coordinator's durable copy.</li>
 *   <li>Items are grouped by replica node (every node of {@code replicas ∪ pending} but this one, per item) and
 *       each group is sent as {@code ReplicateBatch} calls of at most {@value #MAX_ITEMS_PER_CALL} items and
 *       about {@value #MAX_BYTES_PER_CALL} bytes, at most {@value #CALLS_IN_FLIGHT_PER_REPLICA} in flight per
 *       replica (the replicas in parallel). Each call has the write deadline from when it is sent, as a single
 *       write's call has: a large batch is paced by the replica instead of timing out in its queue.</li>
 *   <li>A reply acknowledges or fails each of its items at that replica; a failed call fails all of its items
 *       there. Each item completes on its own as soon as its quorum is met or out of reach, so one bad partition
 *       (a replica that does not hold it) fails only its items.</li>
 *   <li>An item a replica missed for a reason a later delivery can fix ({@link Failures#shouldHint}) becomes a
 *       hint for that replica, whether or not the item met its quorum, exactly as in the single path.</li>
 *   <li>Every call ends by its deadline, so every item's quorum ends too: an item whose quorum is out of reach
 *       fails with {@link QuorumUnavailableException} (retryable); a replica that reported a newer epoch turns
 *       every failure into {@link StaleEpochException} so the caller refreshes its topology.</li>
 * </ul>
 *
 * <p>Concurrency: replies and call deadlines arrive on transport and scheduler threads. Each item's quorum decides
 * under its own monitor ({@link WriteQuorum}) and exactly one caller reports the outcome
 * ({@link WriteQuorum#claimOutcome}); the futures are completed outside any monitor. The item array is never
 * modified after construction. Thread-safe.
 */
final class BatchWrite {
    /** Items per {@code ReplicateBatch} call, so a call applies in well under its deadline on a loaded replica. */
    static final int MAX_ITEMS_PER_CALL = 64;
    /** Calls in flight per replica; the next call of a replica is sent when one of its calls ends. */
    static final int CALLS_IN_FLIGHT_PER_REPLICA = 4;
    /** About this many bytes per call, far below the node's inbound message limit; a larger single item goes alone. */
    static final long MAX_BYTES_PER_CALL = 1 << 20;

    /** One stamped item: its record is durable on the coordinator. */
    record Item(int partition, StoredRecord record, CompletableFuture<Version> result) {
    }

    private final int self;
    private final List<Item> items;
    private final WriteQuorum[] quorums;
    private final ReplicaPlacement placement;
    private final ReplicationConfig config;
    private final ReplicaTransport transport;
    private final Scheduler scheduler;
    private final HintedHandoff hints;
    private final HybridClock clock;
    private final ReplicationCounters counters;
    private final AtomicReference<StaleEpochException> newerEpoch = new AtomicReference<>();

    BatchWrite(int self, List<Item> items, ReplicaPlacement placement, ReplicationConfig config, ReplicaTransport transport,
               Scheduler scheduler, HintedHandoff hints, HybridClock clock, ReplicationCounters counters) {
        this.self = self;
        this.items = List.copyOf(items);
        this.quorums = new WriteQuorum[this.items.size()];
        this.placement = placement;
        this.config = config;
        this.transport = transport;
        this.scheduler = scheduler;
        this.hints = hints;
        this.clock = clock;
        this.counters = counters;
        for (int i = 0; i < quorums.length; i++) {
            int p = this.items.get(i).partition();
            List<Integer> current = placement.replicas(p);
            quorums[i] = new WriteQuorum(current, placement.pendingReplicas(p), config.writeQuorum().resolve(current.size()));
        }
    }

    /** Counts the coordinator's copies and sends the items to the other replicas. */
    void start() {
        if (items.isEmpty()) {
            return;
        }
        long timeoutNs = config.writeTimeout().toNanos();
        Map<Integer, List<Integer>> byTarget = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            int p = items.get(i).partition();
            Set<Integer> targets = new LinkedHashSet<>(placement.replicas(p));
            targets.addAll(placement.pendingReplicas(p));
            targets.remove(self);
            for (int t : targets) {
                byTarget.computeIfAbsent(t, x -> new ArrayList<>()).add(i);
            }
        }
        // Settle the local acks only after grouping: an item may complete here, but it is still sent to its replicas.
        for (int i = 0; i < items.size(); i++) {
            settle(i, quorums[i].ack(self));
        }
        Caller caller = new Caller(self, placement.epoch());
        for (Map.Entry<Integer, List<Integer>> group : byTarget.entrySet()) {
            Queue<List<Integer>> calls = new ConcurrentLinkedQueue<>(split(group.getValue()));
            for (int lane = 0; lane < CALLS_IN_FLIGHT_PER_REPLICA; lane++) {
                sendNext(group.getKey(), caller, calls, timeoutNs);
            }
        }
    }

    /** Sends the next call of a replica's queue, and the one after it when it ends. */
    private void sendNext(int target, Caller caller, Queue<List<Integer>> calls, long timeoutNs) {
        List<Integer> members = calls.poll();
        if (members != null) {
            send(target, caller, members, timeoutNs).whenComplete((x, e) -> sendNext(target, caller, calls, timeoutNs));
        }
    }

    /** One call; the returned future completes (never exceptionally) once its replies are counted. */
    private CompletableFuture<Void> send(int target, Caller caller, List<Integer> members, long timeoutNs) {
        List<ReplicateItem> batch = new ArrayList<>(members.size());
        for (int i : members) {
            batch.add(new ReplicateItem(items.get(i).partition(), items.get(i).record()));
        }
        CompletableFuture<List<ItemReply>> call;
        try {
            call = transport.replicateBatch(target, caller, batch);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return Timeouts.within(call, timeoutNs, scheduler, target, "replicate batch").handle((replies, error) -> {
            Throwable failure = error;
            if (failure == null && replies.size() != members.size()) {
                failure = new ReplicaUnavailableException(target, "answered " + replies.size() + " items of " + members.size());
            }
            if (failure != null) {
                for (int i : members) {
                    failAt(target, i, failure);
                }
                return null;
            }
            long newest = 0;
            for (int j = 0; j < members.size(); j++) {
                ItemReply r = replies.get(j);
                if (r.error() == null) {
                    newest = Math.max(newest, r.reply().currentVersion().hlc());
                }
            }
            clock.observe(newest);
            for (int j = 0; j < members.size(); j++) {
                int i = members.get(j);
                ItemReply r = replies.get(j);
                if (r.error() == null) {
                    settle(i, quorums[i].ack(target));
                } else {
                    failAt(target, i, r.error());
                }
            }
            return null;
        });
    }

    /** Item {@code i} did not reach {@code target}: hint it if a later delivery can fix that, count the miss. */
    private void failAt(int target, int i, Throwable error) {
        Throwable cause = Failures.unwrap(error);
        Failures.Kind kind = Failures.classify(cause);
        if (kind == Failures.Kind.STALE_EPOCH) {
            newerEpoch.compareAndSet(null, (StaleEpochException) cause);
        }
        Item item = items.get(i);
        if (Failures.shouldHint(kind)) {
            hints.add(new Hint(target, item.partition(), item.record()));
        }
        settle(i, quorums[i].fail(target));
    }

    private void settle(int i, WriteQuorum.State state) {
        if (state == WriteQuorum.State.MET) {
            if (quorums[i].claimOutcome()) {
                // Count before completing, so whoever sees the ack also sees it counted.
                counters.writesAcked.increment();
                items.get(i).result().complete(items.get(i).record().version());
            }
        } else if (state == WriteQuorum.State.FAILED) {
            fail(i);
        }
    }

    private void fail(int i) {
        StaleEpochException stale = newerEpoch.get();
        RuntimeException error = stale != null ? stale : quorums[i].shortfall();
        if (quorums[i].claimOutcome()) {
            counters.writeQuorumFailures.increment();
            items.get(i).result().completeExceptionally(error);
        }
    }

    /** A replica's items as calls within the item and byte caps, in item order. */
    private List<List<Integer>> split(List<Integer> members) {
        List<List<Integer>> out = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long bytes = 0;
        for (int i : members) {
            long size = estimatedBytes(items.get(i).record());
            if (!current.isEmpty() && (current.size() >= MAX_ITEMS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(i);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** An upper estimate of a record's wire size: 4 bytes a float, up to 3 bytes a UTF-16 char, plus overhead. */
    static long estimatedBytes(StoredRecord r) {
        long bytes = 64 + 3L * (r.key().space().length() + r.key().id().length());
        if (!r.isTombstone()) {
            var m = r.memory().orElseThrow();
            bytes += 5L * m.dimension() + 3L * m.content().map(String::length).orElse(0) + 64;
        }
        return bytes;
    }
}
