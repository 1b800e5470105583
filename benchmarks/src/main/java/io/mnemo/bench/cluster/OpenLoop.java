package io.mnemo.bench.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop load generator: operation {@code i} is scheduled at {@code t0 + i / rate}, whatever happened to the
 * operations before it, and its latency runs from that scheduled time to its completion. A slow reply therefore
 * never delays the next requests (no coordinated omission): when the system, or this generator's own thread, falls
 * behind, the operations that wait are charged for the wait.
 *
 * <p>One scheduler thread issues the operations; each must return at once with a future (an asynchronous client
 * call, or a blocking call handed to a pool). Completions record into an HdrHistogram {@link Recorder} from any
 * thread. A sampler thread takes the recorder's interval histogram every second, so a run yields a timeline
 * ({@link #intervals()}) and any stretch of it can be summed ({@link #merged}); a failed operation (a timeout, an
 * error) is counted and also recorded at the time it took to fail, so failures never flatter the percentiles.
 * More than {@code maxOutstanding} operations in flight stops issuing: the skipped ones are counted as shed and
 * reported, never hidden.
 *
 * <p>Life cycle: {@link #start()} once, then {@link #stop} (it waits for the operations in flight; idempotent).
 */
final class OpenLoop {
    /** Starts operation {@code i}; must not block. */
    interface Op {
        CompletableFuture<?> start(long i);
    }

    /** One sampler interval: its end in ms after start, the latencies completed in it (ns) and its failures. */
    record Interval(long endMs, Histogram histogram, long errors) {
    }

    static final long MAX_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long SAMPLE_MS = 1_000;

    private final String name;
    private final double rate;
    private final Op op;
    private final int maxOutstanding;
    private final Recorder recorder = new Recorder(1_000, MAX_LATENCY_NS, 3);
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();
    /** Guarded by itself; appended by the sampler thread and by stop(). */
    private final List<Interval> intervals = new ArrayList<>();
    private final ScheduledExecutorService sampler;
    private volatile boolean running;
    private boolean stopped;
    private volatile Throwable firstError;
    private long t0;
    private long lastErrorCount;
    private Thread scheduler;

    OpenLoop(String name, double rate, int maxOutstanding, Op op) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + rate);
        }
        this.name = name;
        this.rate = rate;
        this.op = op;
        this.maxOutstanding = maxOutstanding;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "open-loop-sampler-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts issuing at the rate; the timeline starts now. */
    synchronized OpenLoop start() {
        t0 = System.nanoTime();
        running = true;
        scheduler = new Thread(this::issue, "open-loop-" + name);
        scheduler.setDaemon(true);
        scheduler.start();
        sampler.scheduleAtFixedRate(this::sample, SAMPLE_MS, SAMPLE_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void issue() {
        double periodNs = 1e9 / rate;
        for (long i = 0; running; i++) {
            long intended = t0 + (long) (i * periodNs);
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
                if (!running) {
                    return;
                }
            }
            if (outstanding.get() >= maxOutstanding) {
                shed.incrementAndGet();
                continue;
            }
            outstanding.incrementAndGet();
            issued.incrementAndGet();
            CompletableFuture<?> f;
            try {
                f = op.start(i);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, e) -> {
                long latency = System.nanoTime() - intended;
                outstanding.decrementAndGet();
                if (e != null) {
                    if (firstError == null) {
                        firstError = e;
                    }
                    errors.incrementAndGet();
                }
                recorder.recordValue(Math.min(Math.max(latency, 1_000), MAX_LATENCY_NS));
            });
        }
    }

    private void sample() {
        Histogram h = recorder.getIntervalHistogram();
        long endMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        synchronized (intervals) {
            long e = errors.get();
            intervals.add(new Interval(endMs, h, e - lastErrorCount));
            lastErrorCount = e;
        }
    }

    /** Milliseconds since {@link #start()}. */
    long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /**
     * Stops issuing, waits up to {@code drainSeconds} for the operations in flight, takes the last interval; later
     * calls do nothing.
     */
    synchronized void stop(long drainSeconds) throws InterruptedException {
        if (stopped || scheduler == null) {
            return;
        }
        stopped = true;
        running = false;
        scheduler.join(TimeUnit.SECONDS.toMillis(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        sampler.shutdown();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        sample();
    }

    List<Interval> intervals() {
        synchronized (intervals) {
            return List.copyOf(intervals);
        }
    }

    /** The latencies of the intervals that ended in ({@code fromMs}, {@code toMs}], summed. */
    Histogram merged(long fromMs, long toMs) {
        Histogram sum = new Histogram(1_000, MAX_LATENCY_NS, 3);
        for (Interval in : intervals()) {
            if (in.endMs() > fromMs && in.endMs() <= toMs) {
                sum.add(in.histogram());
            }
        }
        return sum;
    }

    /** Failures in the intervals that ended in ({@code fromMs}, {@code toMs}]. */
    long errors(long fromMs, long toMs) {
        long n = 0;
        for (Interval in : intervals()) {
            if (in.endMs() > fromMs && in.endMs() <= toMs) {
                n += in.errors();
            }
        }
        return n;
    }

    long issued() {
        return issued.get();
    }

    long shed() {
        return shed.get();
    }

    long stillOutstanding() {
        return outstanding.get();
    }

    /** The first failure seen, for the report; null if none. */
    Throwable firstError() {
        return firstError;
    }

    double rate() {
        return rate;
    }
}
