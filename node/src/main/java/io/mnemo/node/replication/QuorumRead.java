package io.mnemo.node.replication;

import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.replication.ReplicaTransport.ReadReply;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One read at a consistency level (see {@link Coordinator}), made of digest reads: of the replicas it asks, one is
 * asked for its record (the first of {@code order}, which is this node when it is a replica) and the others only for
 * the version they hold ({@link ReplicaTransport#readVersion}). A quorum read thus moves one record, decodes it once
 * and promotes it into one hot tier, however many replicas it asks.
 *
 * <p><b>Asking.</b> {@code needed} replicas from {@code order} at first, one more whenever one fails while answers
 * are short, and one more after the hedge delay if the read is still open. An extra replica is asked for the record
 * when no answer carried one yet and, after a failure, no replica asked for it is still out (a hedge asks for it
 * whenever none answered with it: the one asked is the slow one), or when the answers are all in and only the record
 * is missing; otherwise it is asked for its version.
 *
 * <p><b>Completing.</b> Once {@code needed} replicas answered, the newest version among the answers wins (absent is
 * older than any version; a tombstone is a version). With a record of that version in hand the read completes with
 * it. Otherwise a version-only answer announced it, and the record is fetched from that replica in a second call (a
 * full read; counted once per read as a digest fetch). A fetch that fails, or returns a record older than announced,
 * moves on to another replica that announced the version, then to a replica not yet asked, asked for its record. The
 * read never completes with a record older than a version an answer announced: it fails with
 * {@link QuorumUnavailableException} when no replica is left to ask or the deadline passes.
 *
 * <p><b>Read repair.</b> Every replica whose answer was older than the result (or nothing) gets the result's record,
 * including replicas whose answer arrives after the read completed.
 *
 * <p>Invariants (under the monitor): {@code next <= order.size()}; {@code inFlight} counts asked replicas that have
 * neither answered nor failed, {@code recordsInFlight <= inFlight} those of them asked for the record; {@code newest}
 * is the newest version of {@code answers} and {@code record}, and {@code record} the newest record in hand; at most
 * one fetch is out ({@code fetching}); once {@code served}, {@code record} is what the caller got and never changes.
 * Decisions are taken under the monitor into a {@link Plan}, carried out (calls, completion, repairs) after it.
 */
final class QuorumRead {
    /** What a replica is asked for. */
    private enum Role { RECORD, VERSION }

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

    /** The version each replica that answered holds (empty: none); a fetched record replaces its replica's entry. */
    private final Map<Integer, Optional<Version>> answers = new HashMap<>();
    private final Set<Integer> fetchedFrom = new HashSet<>();
    private int next;
    private int inFlight;
    private int recordsInFlight;
    private boolean recordAnswered;
    private boolean fetching;
    private int fetchesFailed;
    private boolean done;
    private Optional<Version> newest = Optional.empty();
    private Optional<StoredRecord> record = Optional.empty();
    private boolean served;

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
        Plan plan = new Plan();
        synchronized (this) {
            take(Role.RECORD, plan);
            for (int i = 1; i < needed; i++) {
                take(Role.VERSION, plan);
            }
        }
        run(plan);
        return result;
    }

    /** Plans to ask the next replica not yet asked, if any, for {@code role}; call under the monitor. */
    private boolean take(Role role, Plan plan) {
        if (next >= order.size()) {
            return false;
        }
        int node = order.get(next++);
        inFlight++;
        if (role == Role.RECORD) {
            recordsInFlight++;
            plan.askRecord.add(node);
        } else {
            plan.askVersion.add(node);
        }
        return true;
    }

    private void ask(int node, Role role) {
        if (node == self) {
            ReadReply r;
            try {
                r = role == Role.RECORD ? ReadReply.of(local.readForClient(key)) : local.versionLocal(key);
            } catch (RuntimeException e) {
                onFailure(role);
                return;
            }
            onAnswer(node, role, r);
            return;
        }
        CompletableFuture<ReadReply> call = role == Role.RECORD
                ? transport.read(node, caller, partition, key).thenApply(ReadReply::of)
                : transport.readVersion(node, caller, partition, key);
        Timeouts.within(call, config.readTimeout().toNanos(), scheduler, node, "read").whenComplete((r, e) -> {
            if (e == null) {
                r.version().ifPresent(local::observe);
                onAnswer(node, role, r);
            } else {
                onFailure(role);
            }
        });
    }

    private void onAnswer(int node, Role role, ReadReply answer) {
        Plan plan = new Plan();
        synchronized (this) {
            inFlight--;
            if (role == Role.RECORD) {
                recordsInFlight--;
            }
            if (done) {
                if (served && isOlder(answer.version(), record.map(StoredRecord::version))) {
                    plan.winner = record;
                    plan.repairs.add(node);
                }
            } else {
                answers.put(node, answer.version());
                // A replica asked for its version may answer with its record all the same (an older build).
                recordAnswered |= role == Role.RECORD || answer.record().isPresent();
                absorb(answer);
                decide(plan);
            }
        }
        run(plan);
    }

    private void onFailure(Role role) {
        Plan plan = new Plan();
        synchronized (this) {
            inFlight--;
            if (role == Role.RECORD) {
                recordsInFlight--;
            }
            if (done) {
                return;
            }
            if (answers.size() < needed) {
                take(!recordAnswered && recordsInFlight == 0 ? Role.RECORD : Role.VERSION, plan);
            }
            decide(plan);
        }
        run(plan);
    }

    private void fetch(int node) {
        CompletableFuture<Optional<StoredRecord>> call;
        if (node == self) {
            try {
                call = CompletableFuture.completedFuture(local.readForClient(key));
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
        } else {
            call = Timeouts.within(transport.read(node, caller, partition, key), config.readTimeout().toNanos(), scheduler,
                    node, "read");
        }
        call.whenComplete((r, e) -> onFetched(node, r, e));
    }

    /** A fetch's outcome: the record (empty if the replica has none now), or the fetch's {@code error}. */
    private void onFetched(int node, Optional<StoredRecord> fetched, Throwable error) {
        if (error == null && node != self) {
            fetched.ifPresent(r -> local.observe(r.version()));
        }
        Plan plan = new Plan();
        synchronized (this) {
            fetching = false;
            if (done) {
                return;
            }
            if (error == null && !isOlder(fetched.map(StoredRecord::version), answers.get(node))) {
                ReadReply reply = ReadReply.of(fetched);
                answers.put(node, reply.version());
                absorb(reply);
            } else {
                fetchesFailed++;
            }
            decide(plan);
        }
        run(plan);
    }

    private void hedge() {
        Plan plan = new Plan();
        boolean asked;
        synchronized (this) {
            if (done) {
                return;
            }
            asked = take(!recordAnswered || answers.size() >= needed ? Role.RECORD : Role.VERSION, plan);
        }
        if (asked) {
            counters.hedgedReads.increment();
        }
        run(plan);
    }

    private void expire() {
        String why;
        int reached;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            why = answers.size() < needed ? tooFew() : notFetched();
            reached = answers.size() - fetchesFailed;
        }
        failWith(reached, why);
    }

    /** Takes the read's next step after an event, under the monitor, while not done. */
    private void decide(Plan plan) {
        if (answers.size() < needed) {
            if (answers.size() + inFlight < needed) {
                fail(plan, answers.size(), tooFew());
            }
            return;
        }
        if (newest.isEmpty() || record.map(r -> r.version().equals(newest.get())).orElse(false)) {
            done = true;
            served = true;
            plan.complete = true;
            plan.winner = record;
            for (Map.Entry<Integer, Optional<Version>> e : answers.entrySet()) {
                if (isOlder(e.getValue(), newest)) {
                    plan.repairs.add(e.getKey());
                }
            }
            return;
        }
        if (fetching) {
            return;
        }
        // The newest version came in a version-only answer: fetch the record from a replica that announced it.
        for (int node : order) {
            if (newest.equals(answers.get(node)) && fetchedFrom.add(node)) {
                fetching = true;
                plan.fetchFrom = node;
                plan.countFetch = fetchedFrom.size() == 1;
                return;
            }
        }
        // None of them could send it: ask a replica not yet asked for its record, unless one asked for it is still out.
        if (recordsInFlight == 0) {
            take(Role.RECORD, plan);
        }
        if (inFlight == 0) {
            fail(plan, answers.size() - fetchesFailed, notFetched());
        }
    }

    private void fail(Plan plan, int reached, String why) {
        done = true;
        plan.failure = why;
        plan.reached = Math.max(0, reached);
    }

    private String tooFew() {
        return "read of " + key + " reached too few replicas";
    }

    private String notFetched() {
        return "read of " + key + " could not fetch version " + newest.map(Version::toString).orElse("none")
                + " from the replicas that announced it";
    }

    /** Takes an answer's version and record (if it carries one) into {@code newest} and {@code record}. */
    private void absorb(ReadReply answer) {
        if (isOlder(newest, answer.version())) {
            newest = answer.version();
        }
        if (answer.record().isPresent() && isOlder(record.map(StoredRecord::version), answer.version())) {
            record = answer.record();
        }
    }

    /** Carries out what a decision planned, outside the monitor. */
    private void run(Plan plan) {
        if (plan.countFetch) {
            counters.digestFetches.increment();
        }
        if (plan.complete) {
            // Counted before completing, so whoever sees the result also sees it counted (only one decision completes).
            counters.readsServed.increment();
            result.complete(new ReadResult(plan.winner, needed));
        }
        if (plan.failure != null) {
            failWith(plan.reached, plan.failure);
        }
        plan.winner.ifPresent(w -> plan.repairs.forEach(n -> repair(n, w)));
        plan.askRecord.forEach(n -> ask(n, Role.RECORD));
        plan.askVersion.forEach(n -> ask(n, Role.VERSION));
        if (plan.fetchFrom >= 0) {
            fetch(plan.fetchFrom);
        }
    }

    /** Fails the read; called once, by the decision that set {@code done}. */
    private void failWith(int reached, String why) {
        counters.readQuorumFailures.increment();
        result.completeExceptionally(new QuorumUnavailableException(needed, reached, true, why));
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

    /** True if {@code a} is older than {@code b} (no version is older than any version). */
    private static boolean isOlder(Optional<Version> a, Optional<Version> b) {
        if (b.isEmpty()) {
            return false;
        }
        return a.isEmpty() || b.get().isNewerThan(a.get());
    }

    /** What one event decided: replicas to ask, a fetch, the outcome and repairs; carried out by {@link #run}. */
    private static final class Plan {
        final List<Integer> askRecord = new ArrayList<>(1);
        final List<Integer> askVersion = new ArrayList<>(2);
        int fetchFrom = -1;
        boolean countFetch;
        boolean complete;
        Optional<StoredRecord> winner = Optional.empty();
        final List<Integer> repairs = new ArrayList<>(2);
        String failure;
        int reached;
    }
}
