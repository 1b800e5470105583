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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 *       ({@link MoveRule#receivers} of its current list S and pending list T), stream the whole partition from
 *       <em>R</em> distinct replicas of S (R = the read quorum of |S|), applying every record last-writer-wins.
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
 * A write acknowledged before the change began is on W replicas of S; R of S answer each stream and
 * {@code R + W > |S|}, so some stream carries it (a replica fences before its first page, so a write it admitted
 * under the old placement is in its store before the scan starts). A write acknowledged during the change had a
 * joint quorum, so it is on a majority of T. Both hold for every receiver before it confirms, and the change
 * completes only when every receiver confirmed; only then, at a stable placement, does an old owner drop its copy.
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
 * counters (atomics) and the throttle (its own monitor, never held while sleeping or streaming). {@code streamed}
 * and {@code finishedEpoch} are the worker's alone. No lock is held while streaming or confirming.
 */
public final class Rebalancer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    private static final int ATTEMPTS_PER_SOURCE = 3;
    private static final long RETRY_PAUSE_MS = 200;
    private static final long MAX_RETRY_PAUSE_MS = 2000;

    /** Commits this node's confirmation for an ownership epoch; blocks until committed, throws if it was not. */
    @FunctionalInterface
    public interface Confirmer {
        void confirm(long ownershipEpoch) throws Exception;
    }

    /** Counters, for metrics and tests. */
    public record Stats(long partitionsMoving, long partitionsStreamed, long recordsReceived, long bytesReceived,
                        long streamFailures, long confirmations, long partitionsDropped) {
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

    /**
     * A rebalancer for node {@code self}; {@code maxBytesPerSecond} throttles what it receives, over all its streams
     * (0 for no limit), and {@code parallelStreams} (at least 1) partitions are streamed at once. Call
     * {@link #start()} to run it.
     */
    public Rebalancer(int self, TieredStore store, ReplicaHandler handler, PartitionSource source, Confirmer confirmer,
                      Quorum readQuorum, long maxBytesPerSecond, int parallelStreams) {
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
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(parallelStreams, parallelStreams, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "mnemo-rebalance-stream-" + self + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
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
                streamFailures.get(), confirmations.get(), dropped.get());
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
     * could be read this round. Runs on a stream thread.
     */
    private boolean streamPartition(ReplicaPlacement pl, int p) {
        checkCurrent(pl);
        List<Integer> sources = pl.replicas(p);
        int needed = readQuorum.resolve(sources.size());
        long startNs = System.nanoTime();
        store.preparePartition(p);
        long preparedNs = System.nanoTime();
        long[] received = new long[1];
        List<Integer> done = new ArrayList<>();
        int offset = Math.floorMod(self + p, sources.size());
        for (int i = 0; i < sources.size() && done.size() < needed; i++) {
            int src = sources.get((offset + i) % sources.size());
            if (src == self) {
                handler.fence();
                done.add(src);
            } else if (streamFrom(pl, p, src, received)) {
                done.add(src);
            }
        }
        if (done.size() < needed) {
            LOG.warn("node {}: partition {} could be streamed from only {} of the {} old replicas it needs ({}); retrying",
                    self, p, done, needed, sources);
            return false;
        }
        partitionsStreamed.incrementAndGet();
        long nowNs = System.nanoTime();
        LOG.info("node {}: partition {} moved here from replicas {} of {} ({} records, {} ms, files {} ms, placement {})",
                self, p, done, sources, received[0], TimeUnit.NANOSECONDS.toMillis(nowNs - startNs),
                TimeUnit.NANOSECONDS.toMillis(preparedNs - startNs), pl.epoch());
        return true;
    }

    /**
     * Streams all of {@code p} from {@code src}, resuming after breaks, adding the records applied to
     * {@code received[0]}; false if {@code src} fails {@link #ATTEMPTS_PER_SOURCE} times in a row without delivering
     * a chunk.
     */
    private boolean streamFrom(ReplicaPlacement pl, int p, int src, long[] received) {
        Caller caller = new Caller(self, pl.epoch());
        String token = "";
        int attempt = 0;
        while (true) {
            attempt++;
            checkCurrent(pl);
            try (PartitionSource.Stream stream = source.open(src, caller, p, token)) {
                while (true) {
                    PartitionSource.Chunk chunk = stream.next();
                    throttle.acquire(chunk.bytes());
                    for (StoredRecord r : chunk.records()) {
                        handler.requirePartition(p, r.key());
                    }
                    if (!chunk.records().isEmpty()) {
                        for (ApplyOutcome o : handler.applyLocalAll(chunk.records())) {
                            if (!o.ok()) {
                                throw o.error();
                            }
                        }
                    }
                    recordsReceived.addAndGet(chunk.records().size());
                    received[0] += chunk.records().size();
                    bytesReceived.addAndGet(chunk.bytes());
                    token = chunk.resumeToken();
                    attempt = 0;
                    if (chunk.last()) {
                        return true;
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
                    return false;
                }
                LOG.info("node {}: streaming partition {} from node {} broke ({}); resuming", self, p, src, e.toString());
                pause(RETRY_PAUSE_MS * attempt);
            }
        }
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
