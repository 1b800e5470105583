package io.mnemo.node.query;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Scatters a query's partitions over the cluster and gathers the answers, each partition answered by exactly one
 * replica.
 *
 * <p><b>Plan.</b> Each partition goes to the first replica in its replica list (the coordinator's topology) that
 * is a live member and has not been tried for it yet; the partitions of one node travel in one job. <b>Retry.</b>
 * When a node fails (it left, its job threw, it timed out) or answers only some of its partitions (it does not
 * replicate the others at its epoch, or its budget ran out), the rest go at once to their next untried live
 * replica. <b>Hedge.</b> At {@code hedgeFraction} of the time allowed, the partitions still unanswered are also sent
 * to their next untried replica, so one slow node does not cost the whole answer. <b>Acceptance.</b> An answer is
 * taken only if none of its partitions was answered already (an answer cannot be split: its hits are already
 * merged over its partitions); so every partition is counted at most once whatever arrives late. The gather ends
 * when every partition asked is answered, when nothing is in flight and no replica is left to try, or at the
 * deadline, whichever comes first; what was not answered by then is reported, never waited for.
 *
 * <p>Concurrency: the state below is guarded by {@code this}; jobs are sent and the result completed outside the
 * lock. Invariants: {@code answered} is a subset of {@code asked}; each accepted shard's partitions are disjoint
 * from every other accepted shard's; {@code inFlight >= 0}.
 *
 * @param <S> the kind of answer
 */
final class ScatterGather<S extends Shard> {
    /** Sends one node its share of the query. */
    interface Sender<S> {
        /**
         * Runs the query for {@code partitions} on {@code nodeId}; the future fails if the node does not answer
         * within {@code timeoutNs}.
         */
        CompletableFuture<S> send(String nodeId, int[] partitions, long timeoutNs);
    }

    /**
     * What was gathered.
     *
     * @param shards   the accepted answers (their partitions are disjoint)
     * @param answered partitions answered
     * @param asked    partitions asked
     */
    record Gathered<S>(List<S> shards, int answered, int asked) {
        boolean complete() {
            return answered == asked;
        }
    }

    private final BitSet asked = new BitSet();
    private final int askedCount;
    private final IntFunction<List<String>> replicas;
    private final Predicate<String> live;
    private final Sender<S> sender;
    private final LongSupplier nanoTime;
    private final long deadlineNs;
    private final CompletableFuture<Gathered<S>> result = new CompletableFuture<>();

    // Guarded by this.
    private final BitSet answered = new BitSet();
    private final Map<Integer, Set<String>> tried = new HashMap<>();
    private final List<S> accepted = new ArrayList<>();
    private int inFlight;
    private boolean done;

    private ScatterGather(int[] partitions, IntFunction<List<String>> replicas, Predicate<String> live,
                          Sender<S> sender, long timeoutNs, LongSupplier nanoTime) {
        for (int p : partitions) {
            asked.set(p);
        }
        this.askedCount = asked.cardinality();
        this.replicas = Objects.requireNonNull(replicas, "replicas");
        this.live = Objects.requireNonNull(live, "live");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.deadlineNs = nanoTime.getAsLong() + timeoutNs;
    }

    /**
     * Runs one scatter-gather.
     *
     * @param partitions    the partitions asked (duplicates ignored)
     * @param replicas      a partition's replica node ids, in preference order
     * @param live          whether a node is a live member now
     * @param timeoutNs     the time allowed; the result completes by then
     * @param hedgeFraction when, as a fraction of the time allowed, unanswered partitions are also sent to another
     *                      replica; 1 or more turns hedging off
     */
    static <S extends Shard> CompletableFuture<Gathered<S>> run(int[] partitions, IntFunction<List<String>> replicas,
            Predicate<String> live, Sender<S> sender, long timeoutNs, double hedgeFraction, LongSupplier nanoTime) {
        if (timeoutNs <= 0) {
            throw new IllegalArgumentException("timeoutNs must be positive, got " + timeoutNs);
        }
        ScatterGather<S> g = new ScatterGather<>(partitions, replicas, live, sender, timeoutNs, nanoTime);
        g.start(timeoutNs, hedgeFraction);
        return g.result;
    }

    private void start(long timeoutNs, double hedgeFraction) {
        Map<String, int[]> plan;
        synchronized (this) {
            plan = planLocked(asked);
        }
        launch(plan);
        finishIfDone();
        if (hedgeFraction < 1) {
            CompletableFuture.delayedExecutor((long) (timeoutNs * hedgeFraction), TimeUnit.NANOSECONDS)
                    .execute(this::hedge);
        }
        CompletableFuture.delayedExecutor(timeoutNs, TimeUnit.NANOSECONDS).execute(this::finish);
    }

    /** Assigns each unanswered partition of {@code want} to its next untried live replica; groups by node. */
    private Map<String, int[]> planLocked(BitSet want) {
        Map<String, List<Integer>> byNode = new LinkedHashMap<>();
        for (int p = want.nextSetBit(0); p >= 0; p = want.nextSetBit(p + 1)) {
            if (answered.get(p)) {
                continue;
            }
            Set<String> triedHere = tried.computeIfAbsent(p, x -> new HashSet<>());
            for (String node : replicas.apply(p)) {
                if (!triedHere.contains(node) && live.test(node)) {
                    triedHere.add(node);
                    byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(p);
                    break;
                }
            }
        }
        Map<String, int[]> plan = new LinkedHashMap<>();
        byNode.forEach((node, list) -> plan.put(node, list.stream().mapToInt(Integer::intValue).toArray()));
        inFlight += plan.size();
        return plan;
    }

    private void launch(Map<String, int[]> plan) {
        for (Map.Entry<String, int[]> e : plan.entrySet()) {
            String node = e.getKey();
            int[] parts = e.getValue();
            long remaining = Math.max(1, deadlineNs - nanoTime.getAsLong());
            CompletableFuture<S> f;
            try {
                f = sender.send(node, parts, remaining);
            } catch (RuntimeException ex) {
                f = CompletableFuture.failedFuture(ex);
            }
            f.whenComplete((shard, error) -> onAnswer(parts, shard, error));
        }
    }

    private void onAnswer(int[] parts, S shard, Throwable error) {
        Map<String, int[]> retry;
        synchronized (this) {
            inFlight--;
            if (done) {
                return;
            }
            BitSet mine = new BitSet();
            for (int p : parts) {
                mine.set(p);
            }
            if (error == null && shard != null) {
                BitSet covered = new BitSet();
                for (int p : shard.answered()) {
                    if (mine.get(p)) {
                        covered.set(p);
                    }
                }
                if (!covered.isEmpty() && !covered.intersects(answered)) {
                    answered.or(covered);
                    accepted.add(shard);
                }
            }
            mine.andNot(answered);
            retry = mine.isEmpty() ? Map.of() : planLocked(mine);
        }
        launch(retry);
        finishIfDone();
    }

    private void hedge() {
        Map<String, int[]> plan;
        synchronized (this) {
            if (done) {
                return;
            }
            BitSet open = (BitSet) asked.clone();
            open.andNot(answered);
            plan = planLocked(open);
        }
        launch(plan);
    }

    private void finishIfDone() {
        synchronized (this) {
            if (done || (answered.cardinality() < askedCount && inFlight > 0)) {
                return;
            }
        }
        finish();
    }

    private void finish() {
        Gathered<S> g;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            g = new Gathered<>(List.copyOf(accepted), answered.cardinality(), askedCount);
        }
        result.complete(g);
    }
}
