package io.mnemo.bench;

import io.mnemo.client.CallOptions;
import io.mnemo.client.Consistency;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings freshly started node JVMs to steady state before a benchmark measures them. A node runs Ignite, gRPC,
 * Netty, protobuf and Chronicle Map; on this 2-core machine its JIT compilers keep compiling for minutes (a
 * profile of a new cluster showed C2 at a third of a node's CPU after two minutes of stores), so a window measured
 * right after start times the compiler, not Mnemo. This runs the operations the benchmarks measure (store,
 * recall at ONE and at QUORUM, and 64-memory {@code storeAll} batches) in a closed loop with a few calls in flight
 * for a fixed time, and reports what it did, including the throughput of each quarter so a reader can see whether
 * it had levelled off.
 */
public final class JitWarmup {
    private static final int BATCH = 64;

    private JitWarmup() {
    }

    /**
     * Runs for {@code length} with {@code inFlight} chains of calls into {@code space} (memories of {@code dim}
     * floats, ids prefixed {@code jit-}); failures are counted, never thrown.
     */
    public static Map<String, Object> run(MnemoClient client, String space, int dim, Duration length, int inFlight,
                                          long seed) throws InterruptedException {
        long startNs = System.nanoTime();
        long endNs = startNs + length.toNanos();
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long[] quarterOps = new long[4];
        CountDownLatch done = new CountDownLatch(inFlight);
        for (int c = 0; c < inFlight; c++) {
            new Chain(client, space, dim, c, new SplittableRandom(seed + c), endNs, ops, errors, done).next(0);
        }
        for (int q = 0; q < 4; q++) {
            long before = ops.get();
            long quarterEnd = startNs + length.toNanos() * (q + 1) / 4;
            long waitNs = quarterEnd - System.nanoTime();
            if (waitNs > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNs);
            }
            quarterOps[q] = ops.get() - before;
        }
        done.await(60, TimeUnit.SECONDS);
        double quarterS = length.toNanos() / 4e9;
        List<Long> perQuarter = new ArrayList<>();
        for (long q : quarterOps) {
            perQuarter.add(Math.round(q / quarterS));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", length.toSeconds());
        m.put("inFlight", inFlight);
        m.put("operations", ops.get());
        m.put("errors", errors.get());
        m.put("opsPerSecondByQuarter", perQuarter);
        m.put("mix", "per chain, repeating: store, recall ONE, recall QUORUM of that id; every 16th step a storeAll of "
                + BATCH);
        System.out.println("JIT warm-up: " + m);
        return m;
    }

    /** One closed-loop chain: each call starts when the previous one ends. */
    private record Chain(MnemoClient client, String space, int dim, int chain, SplittableRandom random, long endNs,
                         AtomicLong ops, AtomicLong errors, CountDownLatch done) {
        void next(long step) {
            if (System.nanoTime() >= endNs) {
                done.countDown();
                return;
            }
            String id = "jit-" + chain + "-" + step / 3;
            CompletableFuture<?> call;
            try {
                if (step % 48 == 47) {
                    List<Memory> batch = new ArrayList<>(BATCH);
                    for (int i = 0; i < BATCH; i++) {
                        batch.add(memory("jit-" + chain + "-b" + step + "-" + i));
                    }
                    call = client.storeAllAsync(batch);
                } else if (step % 3 == 0) {
                    call = client.storeAsync(memory(id), CallOptions.defaults());
                } else {
                    Consistency c = step % 3 == 1 ? Consistency.ONE : Consistency.QUORUM;
                    call = client.recallAsync(space, id, CallOptions.defaults().withConsistency(c));
                }
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((v, e) -> {
                ops.incrementAndGet();
                if (e != null) {
                    errors.incrementAndGet();
                }
                next(step + 1);
            });
        }

        private Memory memory(String memoryId) {
            float[] e = new float[dim];
            for (int i = 0; i < dim; i++) {
                e[i] = (float) random.nextDouble(-1, 1);
            }
            return Memory.builder().space(space).id(memoryId).content("warm-up " + memoryId).embedding(e).confidence(0.5f)
                    .build();
        }
    }
}
