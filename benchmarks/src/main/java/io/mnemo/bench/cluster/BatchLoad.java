package io.mnemo.bench.cluster;

import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.StoreResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * Loads memories {@code 0..n-1} with {@code storeAll} batches, a few in flight ({@link #load}), or with single stores
 * ({@link #loadSingly}), then stores the items that failed again (a store is idempotent) for up to
 * {@value #RETRY_ROUNDS} rounds; reports the rate, first-round failures and what failed in the end. One load per
 * instance; the single-store callbacks record failures under a lock.
 */
final class BatchLoad {
    private static final int CHUNK = 500;
    private static final int IN_FLIGHT = 2;
    private static final int RETRY_ROUNDS = 3;

    private record Sent(List<Memory> batch, CompletableFuture<List<StoreResult>> results) {
    }

    private final List<Memory> failedItems = new ArrayList<>();
    private final Object lock = new Object();
    private String firstFailure;

    private BatchLoad() {
    }

    /**
     * Stores {@code memory.apply(i)} for i in [0, n).
     *
     * @throws IllegalStateException if more than {@code maxFailures} still failed after the retries (the message
     *                               carries the first failure)
     */
    static Map<String, Object> load(MnemoClient client, long n, LongFunction<Memory> memory, long maxFailures) {
        return new BatchLoad().run(client, n, memory, maxFailures);
    }

    private Map<String, Object> run(MnemoClient client, long n, LongFunction<Memory> memory, long maxFailures) {
        long start = System.nanoTime();
        Deque<Sent> pending = new ArrayDeque<>();
        long reported = 0;
        for (long from = 0; from < n; from += CHUNK) {
            List<Memory> chunk = new ArrayList<>(CHUNK);
            for (long i = from; i < Math.min(n, from + CHUNK); i++) {
                chunk.add(memory.apply(i));
            }
            pending.add(new Sent(chunk, client.storeAllAsync(chunk)));
            if (pending.size() >= IN_FLIGHT) {
                collect(pending.poll());
            }
            if (from * 10 / n > reported) {
                reported = from * 10 / n;
                System.out.printf("loaded %d of %d (%.0f/s)%n", from, n, from / ((System.nanoTime() - start) / 1e9));
            }
        }
        while (!pending.isEmpty()) {
            collect(pending.poll());
        }
        double firstRoundS = (System.nanoTime() - start) / 1e9;
        int firstRoundFailed = failedItems.size();
        for (int round = 0; round < RETRY_ROUNDS && !failedItems.isEmpty(); round++) {
            List<Memory> again = new ArrayList<>(failedItems);
            failedItems.clear();
            for (int from = 0; from < again.size(); from += CHUNK) {
                List<Memory> chunk = again.subList(from, Math.min(again.size(), from + CHUNK));
                collect(new Sent(chunk, client.storeAllAsync(chunk)));
            }
        }
        return summary(n, start, firstRoundS, firstRoundFailed, maxFailures, "storeAll batches of " + CHUNK + ", " + IN_FLIGHT
                + " in flight; failed items stored again up to " + RETRY_ROUNDS + " rounds");
    }

    private Map<String, Object> summary(long n, long start, double firstRoundS, int firstRoundFailed, long maxFailures,
                                        String method) {
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("loaded %d memories in %.1f s (%.0f/s); %d failed in the first round, %d after retries%s%n", n, s,
                n / s, firstRoundFailed, failedItems.size(), firstFailure == null ? "" : " (first failure: " + firstFailure + ")");
        if (failedItems.size() > maxFailures) {
            throw new IllegalStateException(failedItems.size() + " of " + n + " memories could not be stored; first failure: "
                    + firstFailure);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memories", n);
        m.put("seconds", Results.round2(s));
        m.put("memoriesPerSec", Math.round(n / s));
        m.put("firstRoundSeconds", Results.round2(firstRoundS));
        m.put("firstRoundFailed", firstRoundFailed);
        m.put("failedAfterRetries", failedItems.size());
        m.put("firstFailure", firstFailure);
        m.put("method", method);
        return m;
    }

    /**
     * Stores {@code memory.apply(i)} for i in [0, n) with single {@code store} calls, {@code inFlight} at a time (for
     * builds whose batch path is slower than single stores); failed items are stored again like {@link #load}'s.
     */
    static Map<String, Object> loadSingly(MnemoClient client, long n, LongFunction<Memory> memory, long maxFailures,
                                          int inFlight) throws InterruptedException {
        return new BatchLoad().runSingly(client, n, memory, maxFailures, inFlight);
    }

    private Map<String, Object> runSingly(MnemoClient client, long n, LongFunction<Memory> memory, long maxFailures,
                                          int inFlight) throws InterruptedException {
        long start = System.nanoTime();
        java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(inFlight);
        long reported = 0;
        for (long i = 0; i < n; i++) {
            permits.acquire();
            Memory m = memory.apply(i);
            client.storeAsync(m, JoinBenchmark.callOptions()).whenComplete((v, e) -> {
                if (e != null) {
                    synchronized (lock) {
                        failedItems.add(m);
                        firstFailure = firstFailure == null ? e.toString() : firstFailure;
                    }
                }
                permits.release();
            });
            if (i * 10 / n > reported) {
                reported = i * 10 / n;
                System.out.printf("loaded %d of %d (%.0f/s)%n", i, n, i / ((System.nanoTime() - start) / 1e9));
            }
        }
        permits.acquire(inFlight);
        double firstRoundS = (System.nanoTime() - start) / 1e9;
        int firstRoundFailed = failedItems.size();
        for (int round = 0; round < RETRY_ROUNDS && !failedItems.isEmpty(); round++) {
            List<Memory> again = new ArrayList<>(failedItems);
            failedItems.clear();
            for (int from = 0; from < again.size(); from += CHUNK) {
                List<Memory> chunk = again.subList(from, Math.min(again.size(), from + CHUNK));
                collect(new Sent(chunk, client.storeAllAsync(chunk)));
            }
        }
        return summary(n, start, firstRoundS, firstRoundFailed, maxFailures,
                "single store calls, " + inFlight + " in flight; failed items stored again with storeAll up to " + RETRY_ROUNDS
                        + " rounds");
    }

    private void collect(Sent sent) {
        List<StoreResult> results;
        try {
            results = sent.results().join();
        } catch (RuntimeException e) {
            failedItems.addAll(sent.batch());
            firstFailure = firstFailure == null ? e.toString() : firstFailure;
            return;
        }
        for (StoreResult r : results) {
            if (!r.isStored()) {
                failedItems.add(sent.batch().get(r.index()));
                if (firstFailure == null) {
                    firstFailure = r.error().map(Throwable::toString).orElse("unknown");
                }
            }
        }
    }
}
