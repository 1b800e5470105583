package io.mnemo.node.replication;

import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReplicaTransport} decorator that injects network faults, for tests and the in-process chaos
 * backend (in the spirit of JGroups' DISCARD and DELAY layers). Every decision comes from one seeded
 * {@link RandomGenerator}, so a run is described by its seed (logged at construction) and its {@link Faults}.
 *
 * <ul>
 *   <li><b>Partitions</b>: {@link #block} cuts one direction of a link, {@link #partition} both directions
 *       between two groups, {@link #isolate} one node from all; {@link #heal} restores everything. A request
 *       on a cut link fails at once; a response on a cut return link is lost (the request was applied).</li>
 *   <li><b>Drops</b>: a dropped request never reaches the target; a dropped response was applied but the
 *       caller never learns it. Either way the caller's future fails after a random delay, as a timeout would.</li>
 *   <li><b>Delays and reordering</b>: a delayed message waits a random time up to {@code maxDelayNs}; a
 *       reordered one waits an extra {@code maxDelayNs}, so later messages overtake it.</li>
 *   <li><b>Duplicates</b>: the request is delivered a second time later; the second answer is discarded.</li>
 * </ul>
 *
 * <p>Thread-safe: the random generator is used under its own monitor (only to draw numbers); links are a
 * concurrent set; the fault rates are one volatile immutable {@link Faults}.
 */
public final class FaultyTransport implements ReplicaTransport {
    private static final Logger LOG = LoggerFactory.getLogger(FaultyTransport.class);

    private final ReplicaTransport delegate;
    private final Scheduler scheduler;
    private final long seed;
    private final RandomGenerator random;
    private final Set<Long> blocked = ConcurrentHashMap.newKeySet();
    private volatile Faults faults = Faults.NONE;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder delayed = new LongAdder();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder refusedByPartition = new LongAdder();

    /** Wraps {@code delegate}; decisions come from a generator seeded with {@code seed}. */
    public FaultyTransport(ReplicaTransport delegate, Scheduler scheduler, long seed) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.seed = seed;
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        LOG.info("FaultyTransport seed={}", seed);
    }

    public long seed() {
        return seed;
    }

    /** Sets the fault rates for messages sent from now on. */
    public void setFaults(Faults value) {
        this.faults = Objects.requireNonNull(value, "faults");
    }

    /** Cuts the link {@code from -> to} (one way). */
    public void block(int from, int to) {
        blocked.add(link(from, to));
    }

    /** Cuts every link between {@code a} and {@code b}, both ways. */
    public void partition(Set<Integer> a, Set<Integer> b) {
        for (int x : a) {
            for (int y : b) {
                block(x, y);
                block(y, x);
            }
        }
    }

    /** Cuts {@code node} from every node in {@code others}, both ways. */
    public void isolate(int node, Set<Integer> others) {
        partition(Set.of(node), others);
    }

    /** Restores every link and turns every fault off. */
    public void heal() {
        blocked.clear();
        faults = Faults.NONE;
    }

    /** True if {@code from -> to} is cut. */
    public boolean isBlocked(int from, int to) {
        return blocked.contains(link(from, to));
    }

    /** Counts of injected faults, for test reports. */
    public String report() {
        return "seed=" + seed + " dropped=" + dropped.sum() + " delayed=" + delayed.sum() + " duplicated="
                + duplicated.sum() + " refusedByPartition=" + refusedByPartition.sum();
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | (to & 0xFFFF_FFFFL);
    }

    /** The fate of one message, drawn at send time. */
    private record Fate(boolean dropRequest, boolean dropResponse, boolean duplicate, long requestDelayNs,
                        long responseDelayNs, long duplicateDelayNs) {
    }

    private Fate draw(Faults f) {
        synchronized (random) {
            boolean dropReq = random.nextDouble() < f.dropRequest();
            boolean dropResp = random.nextDouble() < f.dropResponse();
            boolean dup = random.nextDouble() < f.duplicate();
            long reqDelay = delay(f);
            long respDelay = delay(f);
            long dupDelay = f.maxDelayNs() > 0 ? random.nextLong(f.maxDelayNs() + 1) : 0;
            return new Fate(dropReq, dropResp, dup, reqDelay, respDelay, dupDelay);
        }
    }

    private long delay(Faults f) {
        if (f.maxDelayNs() <= 0 || random.nextDouble() >= f.delay()) {
            return 0;
        }
        long d = random.nextLong(f.maxDelayNs() + 1);
        if (random.nextDouble() < f.reorder()) {
            d += f.maxDelayNs();
        }
        return d;
    }

    private void later(long delayNs, Runnable task) {
        if (delayNs <= 0) {
            task.run();
        } else {
            delayed.increment();
            scheduler.schedule(task, delayNs);
        }
    }

    private <T> CompletableFuture<T> inject(int from, int target, Supplier<CompletableFuture<T>> send) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (isBlocked(from, target)) {
            refusedByPartition.increment();
            result.completeExceptionally(new ReplicaUnavailableException(target, "link " + from + "->" + target + " is cut"));
            return result;
        }
        Fate fate = draw(faults);
        if (fate.dropRequest()) {
            dropped.increment();
            scheduler.schedule(() -> result.completeExceptionally(
                    new ReplicaUnavailableException(target, "request dropped")), fate.requestDelayNs());
            return result;
        }
        later(fate.requestDelayNs(), () -> {
            if (isBlocked(from, target)) {
                refusedByPartition.increment();
                result.completeExceptionally(new ReplicaUnavailableException(target, "link cut while in flight"));
                return;
            }
            CompletableFuture<T> sent;
            try {
                sent = send.get();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            sent.whenComplete((value, error) -> {
                if (isBlocked(target, from) || fate.dropResponse()) {
                    dropped.increment();
                    scheduler.schedule(() -> result.completeExceptionally(
                            new ReplicaUnavailableException(target, "response lost")), fate.responseDelayNs());
                } else if (error != null) {
                    later(fate.responseDelayNs(), () -> result.completeExceptionally(error));
                } else {
                    later(fate.responseDelayNs(), () -> result.complete(value));
                }
            });
        });
        if (fate.duplicate()) {
            duplicated.increment();
            scheduler.schedule(() -> {
                if (!isBlocked(from, target)) {
                    send.get();
                }
            }, fate.duplicateDelayNs());
        }
        return result;
    }

    @Override
    public CompletableFuture<ReplicateReply> replicate(int target, Caller from, int partition, StoredRecord record) {
        return inject(from.nodeId(), target, () -> delegate.replicate(target, from, partition, record));
    }

    /** A batch is one message: it is dropped, delayed, duplicated or cut as a whole, like a single replicate. */
    @Override
    public CompletableFuture<List<ItemReply>> replicateBatch(int target, Caller from, List<ReplicateItem> items) {
        return inject(from.nodeId(), target, () -> delegate.replicateBatch(target, from, items));
    }

    @Override
    public CompletableFuture<Optional<StoredRecord>> read(int target, Caller from, int partition, MemoryKey key) {
        return inject(from.nodeId(), target, () -> delegate.read(target, from, partition, key));
    }

    @Override
    public CompletableFuture<ReadReply> readVersion(int target, Caller from, int partition, MemoryKey key) {
        return inject(from.nodeId(), target, () -> delegate.readVersion(target, from, partition, key));
    }

    @Override
    public CompletableFuture<PartitionDigest> digest(int target, Caller from, int partition) {
        return inject(from.nodeId(), target, () -> delegate.digest(target, from, partition));
    }

    @Override
    public CompletableFuture<List<StoredRecord>> fetchBuckets(int target, Caller from, int partition, long bucketMask) {
        return inject(from.nodeId(), target, () -> delegate.fetchBuckets(target, from, partition, bucketMask));
    }

    @Override
    public CompletableFuture<HintReply> deliverHints(int target, Caller from, List<Hint> hints) {
        return inject(from.nodeId(), target, () -> delegate.deliverHints(target, from, hints));
    }

    @Override
    public CompletableFuture<PingReply> ping(int target, Caller from, long hlc) {
        return inject(from.nodeId(), target, () -> delegate.ping(target, from, hlc));
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * Fault rates, each a probability in [0, 1] per message, and the largest injected delay.
     *
     * @param dropRequest  the request is lost
     * @param dropResponse the response is lost (the request was applied)
     * @param duplicate    the request is delivered twice
     * @param delay        the request (and, independently, the response) is delayed
     * @param reorder      a delayed message is delayed an extra {@code maxDelayNs}
     * @param maxDelayNs   the largest delay of one step
     */
    public record Faults(double dropRequest, double dropResponse, double duplicate, double delay, double reorder,
                         long maxDelayNs) {
        /** No faults. */
        public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);

        public Faults {
            for (double p : new double[] {dropRequest, dropResponse, duplicate, delay, reorder}) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("a probability must be in [0, 1], got " + p);
                }
            }
            if (maxDelayNs < 0) {
                throw new IllegalArgumentException("maxDelayNs must be >= 0, got " + maxDelayNs);
            }
        }
    }
}
