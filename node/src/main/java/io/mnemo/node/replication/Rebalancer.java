package io.mnemo.node.replication;

import io.mnemo.node.config.Quorum;
import io.mnemo.node.replication.ReplicaTransport.Caller;
import io.mnemo.node.storage.ApplyOutcome;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves data on a placement change: streams the partitions this node gains from their old replicas, confirms, and
 * drops the partitions it lost once the change is complete.
 *
 * <h2>What it does with each placement ({@link #onPlacement})</h2>
 * <ul>
 *   <li><b>A change in progress</b> (some partition has a pending list): for every partition this node receives
 *       ({@link MoveRule#receivers} of its current list S and pending list T), read the partition from <em>R</em>
 *       distinct replicas of S (R = the read quorum of |S|), applying every record last-writer-wins: the first in
 *       full (a stream), each further one by bucket digests, fetching only the buckets whose digests differ from what
 *       the first delivered (a full stream when that cannot be done, see {@link #checkByDigest}).
 *       Then confirm, with the placement's epoch, through the {@link Confirmer} (the ownership log's
 *       {@code ConfirmMoves}). A broken stream is resumed from its last token; a replica that keeps failing is
 *       left for the next one of S; when fewer than R answer, the round is retried after a pause. Nothing is
 *       dropped while a change is in progress.</li>
 *   <li><b>A stable placement</b> (nothing pending): every partition that has files here but that this node does
 *       not replicate is dropped, after {@link ReplicaHandler#fence()}.</li>
 * </ul>
 * A newer placement interrupts the work between chunks. A partition already streamed from R replicas of the same
 * source list stays done when the target changes mid-transition (S is kept), so only the new work is done.
 *
 * <h2>Why no acknowledged write is lost</h2>
 * A write acknowledged before the change began is on W replicas of S; R of S are read for each partition and
 * {@code R + W > |S|}, so one of them carries it (a replica fences before its first page, so a write it admitted
 * under the old placement is in its store before the scan starts; a replica checked by digest has fenced at this
 * placement before its digest is taken, and its differing buckets are fetched, see {@link #checkByDigest}). A write
 * acknowledged during the change had a joint quorum, so it is on a majority of T. Both hold for every receiver
 * before it confirms, and the change completes only when every receiver confirmed; only then, at a stable placement,
 * does an old owner drop its copy.
 * Hence after completion every acknowledged write is on a read quorum's worth of T: on W of S it reaches every
 * receiver, and the W copies minus those on leaving nodes plus the receivers are at least W of T when |S| = |T|
 * (and every node of T receives when T is a strict subset of S).
 *
 * <h2>Parallel streams</h2>
 * The partitions a node gains are streamed {@code parallelStreams} at a time, each on its own stream thread; one
 * partition's R sources are read one after the other (the same as before, so the rules above hold per partition and
 * do not depend on the order). Each task first opens (creating) the partition's warm-tier files
 * ({@link TieredStore#preparePartition}), so no chunk waits for a file to be created. The worker waits for every
 * task, records which partitions are done, and confirms only when all of them are; a partition that failed this
 * round is retried in the next. The {@link Throttle} is shared, so the byte rate bound holds across all streams.
 *
 * <h2>Threads</h2>
 * One daemon thread ({@code mnemo-rebalancer-<node>}) runs the placements; {@link #onPlacement} only publishes
 * the newest placement and wakes it. Up to {@code parallelStreams} daemon threads
 * ({@code mnemo-rebalance-stream-<node>}) stream partitions for it; they only apply records and update the
 * counters (atomics) and the throttle (its own monitor, never held while sleeping or streaming). They run at a
 * lower CPU priority when a nice value is given ({@link BackgroundPriority}), so client calls go first on a busy
 * machine. {@code streamed} and {@code finishedEpoch} are the worker's alone. No lock is held while streaming or
 * confirming.
 */
public final class Rebalancer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    private static final int ATTEMPTS_PER_SOURCE = 3;
    private static final long RETRY_PAUSE_MS = 200;
    private static final long MAX_RETRY_PAUSE_MS = 2000;
    /** How long a digest or bucket fetch of a second source may take before that source is streamed in full. */
    private static final long DIGEST_TIMEOUT_MS = 30_000;
    /** More differing buckets than this and a second source is streamed in full (resumable) instead of fetched. */
    private static final int MAX_FETCHED_BUCKETS = DigestScheme.BUCKETS / 4;

    /** Commits this node's confirmation for an ownership epoch; blocks until committed, throws if it was not. */
    @FunctionalInterface
    public interface Confirmer {
        void confirm(long ownershipEpoch) throws Exception;
    }

    /** Counters, for metrics and tests. */
    public record Stats(long partitionsMoving, long partitionsStreamed, long recordsReceived, long bytesReceived,
                        long streamFailures, long confirmations, long partitionsDropped, long digestChecks,
                        long recordsFetched) {
    }

    private final int self;
    private final TieredStore store;
    private final ReplicaHandler handler;
    private final PartitionSource source;
    private final Confirmer confirmer;
    private final Quorum readQuorum;
    private final Throttle throttle;
    private final Thread worker;
    /** Streams partitions for the worker, at most {@code parallelStreams} at once. */
    private final ExecutorService streams;
    private final Object signal = new Object();
    /** The newest placement published; guarded by {@code signal} for waiting, volatile for the abort checks. */
    private volatile ReplicaPlacement latest;
    private volatile boolean closed;
    /** Worker thread only: partition -> the source list it was fully streamed from. */
    private final Map<Integer, List<Integer>> streamed = new HashMap<>();
    /** Worker thread only: the epoch of the last placement whose work is finished (confirmed or dropped). */
    private long finishedEpoch = -1;

    private final AtomicLong moving = new AtomicLong();
    private final AtomicLong partitionsStreamed = new AtomicLong();
    private final AtomicLong recordsReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong streamFailures = new AtomicLong();
    private final AtomicLong confirmations = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong digestChecks = new AtomicLong();
    private final AtomicLong recordsFetched = new AtomicLong();
    /**
     * Source node -> the newest placement epoch at which a stream from it delivered a chunk, so at which it fenced
     * (written by the stream threads; only grows per node).
     */
    private final Map<Integer, Long> fencedAt = new ConcurrentHashMap<>();

    /**
     * A rebalancer for node {@code self}; {@code maxBytesPerSecond} throttles what it receives, over all its streams
     * (0 for no limit), and {@code parallelStreams} (at least 1) partitions are streamed at once. Call
     * {@link #start()} to run it.
     */
    public Rebalancer(int self, TieredStore store, ReplicaHandler handler, PartitionSource source, Confirmer confirmer,
                      Quorum readQuorum, long maxBytesPerSecond, int parallelStreams) {
        this(self, store, handler, source, confirmer, readQuorum, maxBytesPerSecond, parallelStreams, 0);
    }

    /**
     * As above, with the stream threads at nice value {@code streamNice} (0..19; 0 leaves their priority alone, see
     * {@link BackgroundPriority}).
     */
    public Rebalancer(int self, TieredStore store, ReplicaHandler handler, PartitionSource source, Confirmer confirmer,
                      Quorum readQuorum, long maxBytesPerSecond, int parallelStreams, int streamNice) {
        this.self = self;
        this.store = Objects.requireNonNull(store, "store");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.source = Objects.requireNonNull(source, "source");
        this.confirmer = Objects.requireNonNull(confirmer, "confirmer");
        this.readQuorum = Objects.requireNonNull(readQuorum, "readQuorum");
        if (maxBytesPerSecond < 0) {
            throw new IllegalArgumentException("maxBytesPerSecond must be >= 0, got " + maxBytesPerSecond);
        }
        if (parallelStreams < 1) {
            throw new IllegalArgumentException("parallelStreams must be >= 1, got " + parallelStreams);
        }
        this.throttle = new Throttle(maxBytesPerSecond);
        this.worker = new Thread(this::run, "mnemo-rebalancer-" + self);
        this.worker.setDaemon(true);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(parallelStreams, parallelStreams, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), BackgroundPriority.threads("mnemo-rebalance-stream-" + self, streamNice));
        pool.allowCoreThreadTimeOut(true);
        this.streams = pool;
    }

    /** Starts the worker thread. */
    public void start() {
        worker.start();
    }

    /** Publishes a new placement; the worker picks it up (interrupting work for an older one between chunks). */
    public void onPlacement(ReplicaPlacement placement) {
        synchronized (signal) {
            ReplicaPlacement cur = latest;
            if (cur == null || placement.epoch() >= cur.epoch()) {
                latest = placement;
            }
            signal.notifyAll();
        }
    }

    public Stats stats() {
        return new Stats(moving.get(), partitionsStreamed.get(), recordsReceived.get(), bytesReceived.get(),
                streamFailures.get(), confirmations.get(), dropped.get(), digestChecks.get(), recordsFetched.get());
    }

    /** True when the newest placement's work is finished: received and confirmed, or dropped. */
    public boolean isIdle() {
        ReplicaPlacement pl = latest;
        synchronized (signal) {
            return pl == null || finishedEpoch == pl.epoch();
        }
    }

    private void run() {
        long pauseMs = RETRY_PAUSE_MS;
        while (!closed) {
            ReplicaPlacement pl;
            synchronized (signal) {
                while (!closed && (latest == null || latest.epoch() == finishedEpoch)) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                pl = latest;
            }
            if (closed) {
                return;
            }
            try {
                if (work(pl)) {
                    synchronized (signal) {
                        finishedEpoch = pl.epoch();
                    }
                    pauseMs = RETRY_PAUSE_MS;
                } else if (latest == pl) {
                    pause(pauseMs);
                    pauseMs = Math.min(MAX_RETRY_PAUSE_MS, pauseMs * 2);
                }
            } catch (Superseded e) {
                pauseMs = RETRY_PAUSE_MS;
            } catch (RuntimeException e) {
                LOG.error("node {}: rebalancing for epoch {} failed; retrying", self, pl.epoch(), e);
                pause(pauseMs);
                pauseMs = Math.min(MAX_RETRY_PAUSE_MS, pauseMs * 2);
            } catch (Error e) {
                LOG.error("node {}: rebalancer stopped by an error", self, e);
                throw e;
            }
        }
    }

    /** Does {@code pl}'s work; true when finished, false to retry later. */
    private boolean work(ReplicaPlacement pl) {
        List<Integer> gained = new ArrayList<>();
        boolean stable = true;
        for (int p = 0; p < pl.partitions(); p++) {
            List<Integer> pending = pl.pendingReplicas(p);
            if (pending.isEmpty()) {
                continue;
            }
            stable = false;
            if (MoveRule.receivers(pl.replicas(p), pending).contains(self)) {
                gained.add(p);
            }
        }
        if (stable) {
            streamed.clear();
            moving.set(0);
            dropLost(pl);
            return true;
        }
        List<Integer> todo = new ArrayList<>();
        for (int p : gained) {
            if (!pl.replicas(p).equals(streamed.get(p))) {
                todo.add(p);
            }
        }
        moving.set(todo.size());
        if (!todo.isEmpty()) {
            LOG.info("node {}: placement {} moves {} partitions to this node ({} already streamed); streaming",
                    self, pl.epoch(), gained.size(), gained.size() - todo.size());
        }
        if (!streamAll(pl, todo)) {
            return false;
        }
        if (gained.isEmpty()) {
            return true;
        }
        checkCurrent(pl);
        try {
            confirmer.confirm(pl.epoch());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warn("node {}: confirming placement {} failed: {}; retrying", self, pl.epoch(), e.toString());
            return false;
        }
        confirmations.incrementAndGet();
        LOG.info("node {}: confirmed holding {} gained partitions for placement {}", self, gained.size(), pl.epoch());
        return true;
    }

    /**
     * Streams the partitions of {@code todo} on the stream threads and waits for all of them; marks each one done in
     * {@code streamed}. True when all are done. Throws {@link Superseded} when a newer placement arrived (the tasks
     * still running see it at their next chunk and stop; those not started are cancelled).
     */
    private boolean streamAll(ReplicaPlacement pl, List<Integer> todo) {
        List<Future<Boolean>> tasks = new ArrayList<>(todo.size());
        for (int p : todo) {
            tasks.add(streams.submit(() -> streamPartition(pl, p)));
        }
        boolean complete = true;
        RuntimeException stop = null;
        for (int i = 0; i < todo.size(); i++) {
            int p = todo.get(i);
            try {
                if (tasks.get(i).get()) {
                    streamed.put(p, pl.replicas(p));
                    moving.decrementAndGet();
                } else {
                    complete = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                tasks.forEach(t -> t.cancel(true));
                throw new Superseded();
            } catch (CancellationException e) {
                complete = false;
            } catch (ExecutionException e) {
                complete = false;
                Throwable cause = e.getCause();
                if (cause instanceof Error error) {
                    tasks.forEach(t -> t.cancel(false));
                    throw error;
                }
                if (cause instanceof Superseded superseded) {
                    if (stop == null) {
                        tasks.forEach(t -> t.cancel(false));
                    }
                    stop = superseded;
                } else if (stop == null) {
                    LOG.warn("node {}: streaming partition {} failed: {}; retrying", self, p, String.valueOf(cause));
                }
            }
        }
        if (stop != null) {
            throw stop;
        }
        return complete;
    }

    /**
     * Streams {@code p} from a read quorum of its old replicas, after opening its warm-tier files; false if too few
     * could be read this round. The first source is streamed in full; each further one is checked by bucket digests
     * when possible ({@link #checkByDigest}; the second one's digest is asked for while the first streams, if that
     * source is known to have fenced), else streamed in full too. Runs on a stream thread.
     */
    private boolean streamPartition(ReplicaPlacement pl, int p) {
        checkCurrent(pl);
        List<Integer> sources = pl.replicas(p);
        int needed = readQuorum.resolve(sources.size());
        long startNs = System.nanoTime();
        store.preparePartition(p);
        long preparedNs = System.nanoTime();
        Progress progress = new Progress();
        List<Integer> done = new ArrayList<>();
        // The digest of the first source's records, when its stream ran in one go (no resume, so no record twice).
        PartitionDigest streamedDigest = null;
        int offset = Math.floorMod(self + p, sources.size());
        // The second source's digest is asked for while the first streams, when it is known to have fenced already.
        int second = sources.get((offset + 1) % sources.size());
        CompletableFuture<PartitionDigest> early = needed > 1 && second != self && isFenced(second, pl)
                ? source.digest(second, new Caller(self, pl.epoch()), p) : null;
        try {
            for (int i = 0; i < sources.size() && done.size() < needed; i++) {
                int src = sources.get((offset + i) % sources.size());
                if (src == self) {
                    handler.fence();
                    done.add(src);
                } else if (!done.isEmpty() && checkByDigest(pl, p, src, src == second ? early : null, streamedDigest, progress)) {
                    done.add(src);
                } else {
                    PartitionDigest.Builder digest = done.isEmpty() ? new PartitionDigest.Builder() : null;
                    Streamed outcome = streamFrom(pl, p, src, progress, digest);
                    if (outcome != Streamed.FAILED) {
                        done.add(src);
                        if (outcome == Streamed.IN_ONE_GO && digest != null) {
                            streamedDigest = digest.build(p);
                        }
                    }
                }
            }
        } finally {
            if (early != null) {
                early.cancel(true);
            }
        }
        if (done.size() < needed) {
            LOG.warn("node {}: partition {} could be streamed from only {} of the {} old replicas it needs ({}); retrying",
                    self, p, done, needed, sources);
            return false;
        }
        partitionsStreamed.incrementAndGet();
        long nowNs = System.nanoTime();
        LOG.info("node {}: partition {} moved here from replicas {} of {} ({} records, {} ms: files {} ms, waiting for "
                        + "chunks {} ms, applying {} ms, throttled {} ms{}; placement {})",
                self, p, done, sources, progress.records, ms(nowNs - startNs), ms(preparedNs - startNs),
                ms(progress.waitNs), ms(progress.applyNs), ms(progress.throttleNs), progress.checks, pl.epoch());
        return true;
    }

    /**
     * Checks {@code src}'s copy of {@code p} against what this node already received, by bucket digests, and fetches
     * and applies only the buckets that differ; true when that is done.
     *
     * <p><b>Why this keeps every acknowledged write.</b> A full stream carries every write its source admitted under an
     * older placement because the source fences before its first page. The fence is node-wide (one lock for all
     * partitions) and a source refuses callers of older placements once it is at this one, so once any stream from
     * {@code src} at this placement delivered a chunk ({@link #fencedAt}), every write {@code src} admitted under an older
     * placement is in its store, and a digest it computes afterwards covers them. Buckets whose digests are equal hold the
     * same (key, version) pairs on both sides: compared with {@code received}, the digest of the first source's records
     * (all applied here, and a key here only ever moves to a newer version), or else with this node's own digest of the
     * partition; so this node already holds each of {@code src}'s versions or a newer one. The differing buckets are
     * fetched after the digest, hence hold at least what the digest summarised, and are applied last-writer-wins.
     *
     * <p>{@code asked} is {@code src}'s digest when it was asked for already (while the first source streamed; only ever
     * after {@code src} was known to have fenced), else null.
     *
     * <p>False, and the caller streams {@code src} in full, when no chunk from {@code src} at this placement has been
     * seen yet (no known fence), when the source has no digests, fails or does not answer within
     * {@link #DIGEST_TIMEOUT_MS}, or when more than {@link #MAX_FETCHED_BUCKETS} buckets differ (a resumable stream is
     * then as cheap).
     */
    private boolean checkByDigest(ReplicaPlacement pl, int p, int src, CompletableFuture<PartitionDigest> asked,
                                  PartitionDigest received, Progress progress) {
        if (!isFenced(src, pl)) {
            return false;
        }
        Caller caller = new Caller(self, pl.epoch());
        long startNs = System.nanoTime();
        try {
            PartitionDigest theirs = await(asked != null ? asked : source.digest(src, caller, p), src);
            PartitionDigest ours = received != null ? received : handler.localDigest(p);
            long mask = ours.diff(theirs);
            int differing = Long.bitCount(mask);
            if (differing > MAX_FETCHED_BUCKETS) {
                progress.checks += "; node " + src + ": " + differing + " buckets differ, streamed in full";
                return false;
            }
            List<StoredRecord> records = mask == 0 ? List.of() : await(source.fetchBuckets(src, caller, p, mask), src);
            checkCurrent(pl);
            long bytes = 0;
            for (StoredRecord r : records) {
                handler.requirePartition(p, r.key());
                bytes += approxBytes(r);
            }
            long throttleStartNs = System.nanoTime();
            throttle.acquire(bytes);
            long applyStartNs = System.nanoTime();
            apply(records);
            long endNs = System.nanoTime();
            progress.throttleNs += applyStartNs - throttleStartNs;
            progress.applyNs += endNs - applyStartNs;
            progress.records += records.size();
            recordsReceived.addAndGet(records.size());
            bytesReceived.addAndGet(bytes);
            digestChecks.incrementAndGet();
            recordsFetched.addAndGet(records.size());
            progress.checks += "; node " + src + " checked by digest in " + ms(endNs - startNs) + " ms: " + differing
                    + " of " + DigestScheme.BUCKETS + " buckets differed, " + records.size() + " records fetched";
            return true;
        } catch (Superseded e) {
            throw e;
        } catch (RuntimeException e) {
            if (!(e instanceof UnsupportedOperationException)) {
                streamFailures.incrementAndGet();
                LOG.info("node {}: checking partition {} on node {} by digest failed ({}); streaming it in full", self, p,
                        src, e.toString());
            }
            return false;
        }
    }

    /**
     * Streams all of {@code p} from {@code src}, resuming after breaks, and applies it; adds to {@code digest} (if not
     * null) every record received. FAILED if {@code src} fails {@link #ATTEMPTS_PER_SOURCE} times in a row without
     * delivering a chunk; IN_ONE_GO when the stream never had to be resumed (so {@code digest} saw each record once).
     */
    private Streamed streamFrom(ReplicaPlacement pl, int p, int src, Progress progress, PartitionDigest.Builder digest) {
        Caller caller = new Caller(self, pl.epoch());
        String token = "";
        int attempt = 0;
        boolean resumed = false;
        while (true) {
            attempt++;
            checkCurrent(pl);
            resumed |= !token.isEmpty();
            try (PartitionSource.Stream stream = source.open(src, caller, p, token)) {
                while (true) {
                    long waitStartNs = System.nanoTime();
                    PartitionSource.Chunk chunk = stream.next();
                    // A chunk at this placement means the source fenced at it before its first page (see checkByDigest).
                    fencedAt.merge(src, pl.epoch(), Math::max);
                    long throttleStartNs = System.nanoTime();
                    throttle.acquire(chunk.bytes());
                    long applyStartNs = System.nanoTime();
                    for (StoredRecord r : chunk.records()) {
                        handler.requirePartition(p, r.key());
                    }
                    apply(chunk.records());
                    if (digest != null) {
                        for (StoredRecord r : chunk.records()) {
                            digest.add(r);
                        }
                    }
                    long endNs = System.nanoTime();
                    progress.waitNs += throttleStartNs - waitStartNs;
                    progress.throttleNs += applyStartNs - throttleStartNs;
                    progress.applyNs += endNs - applyStartNs;
                    recordsReceived.addAndGet(chunk.records().size());
                    progress.records += chunk.records().size();
                    bytesReceived.addAndGet(chunk.bytes());
                    token = chunk.resumeToken();
                    attempt = 0;
                    if (chunk.last()) {
                        return resumed ? Streamed.RESUMED : Streamed.IN_ONE_GO;
                    }
                    checkCurrent(pl);
                }
            } catch (Superseded e) {
                throw e;
            } catch (RuntimeException e) {
                streamFailures.incrementAndGet();
                if (attempt >= ATTEMPTS_PER_SOURCE) {
                    LOG.warn("node {}: streaming partition {} from node {} failed {} times ({}); trying another replica",
                            self, p, src, attempt, e.toString());
                    return Streamed.FAILED;
                }
                LOG.info("node {}: streaming partition {} from node {} broke ({}); resuming", self, p, src, e.toString());
                pause(RETRY_PAUSE_MS * attempt);
            }
        }
    }

    /** True once a stream from {@code src} at {@code pl} delivered a chunk, so {@code src} has fenced at it. */
    private boolean isFenced(int src, ReplicaPlacement pl) {
        Long fenced = fencedAt.get(src);
        return fenced != null && fenced == pl.epoch();
    }

    /** Applies checked records last-writer-wins; the first one the store refuses fails the call. */
    private void apply(List<StoredRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        for (ApplyOutcome o : handler.applyLocalAll(records)) {
            if (!o.ok()) {
                throw o.error();
            }
        }
    }

    /** Waits for a digest or fetch from {@code src}, at most {@link #DIGEST_TIMEOUT_MS}. */
    private static <T> T await(CompletableFuture<T> f, int src) {
        try {
            return f.get(DIGEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new Superseded();
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ReplicaUnavailableException(src, "no answer within " + DIGEST_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) {
                throw error;
            }
            throw cause instanceof RuntimeException re ? re : new ReplicaUnavailableException(src, String.valueOf(cause));
        }
    }

    /** About a record's size on the wire, for the throttle: key, embedding, content and a header. */
    private static long approxBytes(StoredRecord r) {
        long bytes = 32L + r.key().space().length() + r.key().id().length();
        if (r.memory().isPresent()) {
            bytes += 4L * r.memory().get().dimension();
            String content = r.memory().get().contentOrNull();
            bytes += content == null ? 0 : content.length();
        }
        return bytes;
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }

    /** Drops, at a stable placement, every partition with files here that this node does not replicate. */
    private void dropLost(ReplicaPlacement pl) {
        List<Integer> lost = new ArrayList<>();
        for (int p : store.partitionsWithFiles()) {
            if (p < pl.partitions() && !pl.isReplica(self, p)) {
                lost.add(p);
            }
        }
        if (lost.isEmpty()) {
            return;
        }
        handler.fence();
        for (int p : lost) {
            checkCurrent(pl);
            store.dropPartition(p);
            dropped.incrementAndGet();
        }
        LOG.info("node {}: dropped {} partitions this node no longer replicates at placement {}: {}", self, lost.size(),
                pl.epoch(), lost);
    }

    private void checkCurrent(ReplicaPlacement pl) {
        if (closed || latest != pl) {
            throw new Superseded();
        }
    }

    private void pause(long ms) {
        synchronized (signal) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            ReplicaPlacement at = latest;
            long left;
            while (!closed && latest == at && (left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) > 0) {
                try {
                    signal.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops the worker (a stream in progress is abandoned; the next start resumes the work). Idempotent. */
    @Override
    public void close() {
        synchronized (signal) {
            closed = true;
            signal.notifyAll();
        }
        worker.interrupt();
        streams.shutdownNow();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
            streams.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How a full stream from one source ended. */
    private enum Streamed { FAILED, RESUMED, IN_ONE_GO }

    /** What streaming one partition took, for its log line; one stream thread's own. */
    private static final class Progress {
        long records;
        long waitNs;
        long applyNs;
        long throttleNs;
        String checks = "";
    }

    /** The placement being worked on was replaced (or the rebalancer closed): start over with the newest. */
    private static final class Superseded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Superseded() {
            super(null, null, false, false);
        }
    }

    /**
     * A token bucket over bytes with one second of burst, shared by every stream thread. {@code acquire} takes the
     * bytes under the monitor (the balance may go negative: the debt is what later callers wait for) and sleeps the
     * calling thread outside it until its share of the debt is paid, so the streams together never exceed the rate
     * by more than the burst; 0 bytes per second means no limit.
     */
    static final class Throttle {
        private final long bytesPerSecond;
        /** Guarded by {@code this}; at most {@code bytesPerSecond}. */
        private double tokens;
        /** Guarded by {@code this}. */
        private long lastNs = System.nanoTime();

        Throttle(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
            this.tokens = bytesPerSecond;
        }

        void acquire(long bytes) {
            if (bytesPerSecond <= 0) {
                return;
            }
            long sleepNs;
            synchronized (this) {
                long now = System.nanoTime();
                tokens = Math.min(bytesPerSecond, tokens + (now - lastNs) * (bytesPerSecond / 1e9));
                lastNs = now;
                tokens -= bytes;
                sleepNs = tokens < 0 ? (long) (-tokens / bytesPerSecond * 1e9) : 0;
            }
            if (sleepNs > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(sleepNs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
