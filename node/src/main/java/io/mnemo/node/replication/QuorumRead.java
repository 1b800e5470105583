package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One read at a consistency level (see {@link Coordinator}). Asks {@code needed} replicas from {@code order},
 * one more whenever one fails, and one more after the hedge delay if still short; completes with the newest
 * answer once {@code needed} replicas answered, or fails with {@link QuorumUnavailableException} when too few
 * are left or the deadline passes. Every replica that answered older (or nothing) gets the newest record by
 * read repair, including replicas whose answer arrives after the read completed.
 *
 * <p>Invariants (under the monitor): {@code next <= order.size()}; {@code inFlight} counts launched replicas
 * that have neither answered nor failed; once {@code done}, {@code newest} is the record the caller received.
 */
final class QuorumRead {
    private final MemoryKey key;
    private final int partition;
    private final Caller caller;
    private final List<Integer> order;
    private final int needed;
    private final int self;
    private final ReplicaHandler local;
    private final ReplicaTransport transport;
    private final Scheduler scheduler;
    private final ReplicationConfig config;
    private final ReplicationCounters counters;
    private final CompletableFuture<ReadResult> result = new CompletableFuture<>();

    private final Map<Integer, Optional<StoredRecord>> answers = new HashMap<>();
    private int next;
    private int inFlight;
    private boolean done;
    private Optional<StoredRecord> newest = Optional.empty();

    QuorumRead(MemoryKey key, int partition, Caller caller, List<Integer> order, int needed, int self, ReplicaHandler local,
               ReplicaTransport transport, Scheduler scheduler, ReplicationConfig config, ReplicationCounters counters) {
        this.key = key;
        this.partition = partition;
        this.caller = caller;
        this.order = List.copyOf(order);
        this.needed = needed;
        this.self = self;
        this.local = local;
        this.transport = transport;
        this.scheduler = scheduler;
        this.config = config;
        this.counters = counters;
    }

    CompletableFuture<ReadResult> start() {
        if (needed > order.size()) {
            counters.readQuorumFailures.increment();
            return CompletableFuture.failedFuture(new QuorumUnavailableException(needed, 0, false,
                    "read needs more replicas than partition " + partition + " has"));
        }
        long timeoutNs = config.readTimeout().toNanos();
        Scheduler.Cancellable deadline = scheduler.schedule(this::expire, timeoutNs);
        result.whenComplete((v, e) -> deadline.cancel());
        long hedgeNs = config.hedgeDelay().toNanos();
        if (hedgeNs > 0 && needed < order.size()) {
            Scheduler.Cancellable hedge = scheduler.schedule(this::hedge, hedgeNs);
            result.whenComplete((v, e) -> hedge.cancel());
        }
        List<Integer> first;
        synchronized (this) {
            first = take(needed);
        }
        first.forEach(this::ask);
        return result;
    }

    /** Takes up to {@code n} replicas not yet asked; call under the monitor. */
    private List<Integer> take(int n) {
        List<Integer> out = new ArrayList<>(n);
        while (out.size() < n && next < order.size()) {
            out.add(order.get(next++));
            inFlight++;
        }
        return out;
    }

    private void ask(int node) {
        if (node == self) {
            Optional<StoredRecord> r;
            try {
                r = local.readForClient(key);
            } catch (RuntimeException e) {
                onFailure(node);
                return;
            }
            onAnswer(node, r);
            return;
        }
        Timeouts.within(transport.read(node, caller, partition, key), config.readTimeout().toNanos(), scheduler, node, "read")
                .whenComplete((r, e) -> {
                    if (e == null) {
                        r.ifPresent(rec -> local.observe(rec.version()));
                        onAnswer(node, r);
                    } else {
                        onFailure(node);
                    }
                });
    }

    private void onAnswer(int node, Optional<StoredRecord> answer) {
        Map<Integer, Optional<StoredRecord>> repairs = new HashMap<>();
        Optional<StoredRecord> winner;
        boolean completeNow = false;
        synchronized (this) {
            inFlight--;
            answers.put(node, answer);
            if (done) {
                if (isOlder(answer, newest)) {
                    repairs.put(node, answer);
                }
            } else if (answers.size() >= needed) {
                done = true;
                completeNow = true;
                for (Optional<StoredRecord> a : answers.values()) {
                    if (isOlder(newest, a)) {
                        newest = a;
                    }
                }
                for (Map.Entry<Integer, Optional<StoredRecord>> e : answers.entrySet()) {
                    if (isOlder(e.getValue(), newest)) {
                        repairs.put(e.getKey(), e.getValue());
                    }
                }
            }
            winner = newest;
        }
        if (completeNow && result.complete(new ReadResult(winner, needed))) {
            counters.readsServed.increment();
        }
        winner.ifPresent(w -> repairs.keySet().forEach(n -> repair(n, w)));
    }

    private void onFailure(int node) {
        List<Integer> more;
        boolean fail = false;
        int answered;
        synchronized (this) {
            inFlight--;
            if (done) {
                return;
            }
            more = take(1);
            answered = answers.size();
            if (answered + inFlight < needed) {
                done = true;
                fail = true;
            }
        }
        if (fail) {
            failWith(answered);
            return;
        }
        more.forEach(this::ask);
    }

    private void hedge() {
        List<Integer> more;
        synchronized (this) {
            if (done) {
                return;
            }
            more = take(1);
        }
        if (!more.isEmpty()) {
            counters.hedgedReads.increment();
        }
        more.forEach(this::ask);
    }

    private void expire() {
        int answered;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            answered = answers.size();
        }
        failWith(answered);
    }

    private void failWith(int answered) {
        if (result.completeExceptionally(new QuorumUnavailableException(needed, answered, true,
                "read of " + key + " reached too few replicas"))) {
            counters.readQuorumFailures.increment();
        }
    }

    private void repair(int node, StoredRecord newestRecord) {
        counters.readRepairs.increment();
        if (node == self) {
            try {
                local.applyLocal(newestRecord);
            } catch (RuntimeException ignored) {
                // Best effort: anti-entropy repairs what read repair could not; the failure is not the read's.
            }
            return;
        }
        transport.replicate(node, caller, partition, newestRecord);
    }

    /** True if {@code a} is older than {@code b} (an absent record is older than any present one). */
    private static boolean isOlder(Optional<StoredRecord> a, Optional<StoredRecord> b) {
        if (b.isEmpty()) {
            return false;
        }
        return a.isEmpty() || b.get().version().isNewerThan(a.get().version());
    }
}
