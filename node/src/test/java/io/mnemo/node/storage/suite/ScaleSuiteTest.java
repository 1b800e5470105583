package io.mnemo.node.storage.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mnemo.node.storage.InvalidMemoryException;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.StoreStats;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Tier;
import io.mnemo.node.storage.TieredStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 000's seven large-scale tests of the warm tier, on a real store with 768-dim embeddings: 10K round
 * trip, 100K with latency percentiles, 1M iteration, content size extremes with removal and refill, leak
 * detection by RSS regression, cliff detection across scales, and 100K with concurrent readers and writers.
 *
 * <p>They assert correctness (exact counts, every checked record intact, no gross leak, no gross cliff) and
 * report speed: every figure is printed and written as JSON to {@code <build dir>/scale/<test>.json}.
 * Tagged {@code slow}: excluded from the default build, run with {@code ./mvnw -Pslow verify}. Seeds for
 * the random choices are fixed and printed.
 */
@Tag("slow")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ScaleSuiteTest {
    private static final int DIM = 768;
    private static final long SEED = 0x5EED_018L;

    /** Seed 000 content mix: 89% ~100 B, 10% ~1 KB, 1% ~5 KB. */
    private static int zipfLikeSize(int i) {
        if (i % 100 == 0) {
            return 5_000;
        }
        return i % 10 == 0 ? 1_000 : 100;
    }

    /**
     * 32 partitions, other settings default: creating a partition's files dominates opening a store, and the
     * per-operation costs measured here do not depend on the partition count. The 1M test uses the default 256.
     */
    private static StorageConfig.Builder scaleConfig(Path dataDir) {
        return StorageConfig.builder(dataDir).partitions(32);
    }

    private static String id(String prefix, int i) {
        return String.format("%s-%07d", prefix, i);
    }

    /** Seed 000 test 1: 10K memories, Zipf-like content sizes, batch and recall latency percentiles, all verified. */
    @Test
    void tenThousand_roundTrip_everyMemoryIntact() throws Exception {
        ScaleReport report = new ScaleReport("scale-10k-round-trip");
        int n = 10_000;
        long rss0 = ProcessMemory.rssBytes();
        try (SuiteStore s = SuiteStore.open("s10k", DIM, d -> scaleConfig(d).build())) {
            TieredStore store = s.store();
            Stats.Latencies batches = new Stats.Latencies(10);
            long t0 = System.nanoTime();
            for (int b = 0; b < 10; b++) {
                long bt = System.nanoTime();
                for (int i = b * 1_000; i < (b + 1) * 1_000; i++) {
                    store.store(s.payload(id("ep", i), i, zipfLikeSize(i)));
                }
                batches.record(System.nanoTime() - bt);
            }
            double storeSec = (System.nanoTime() - t0) / 1e9;
            report.put("memories", n).put("storeSeconds", Stats.round(storeSec)).put("storeOpsPerSec", Math.round(n / storeSec))
                    .put("batchOf1000Latency", batches.summaryMicros());
            assertEquals(n, store.counts().warm(SuiteStore.SPACE), "warm count");

            Stats.Latencies recall = new Stats.Latencies(n);
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int k = 0; k < n; k++) {
                int i = k < n / 2 ? rnd.nextInt(n) : k;
                long rt = System.nanoTime();
                Memory m = store.recall(SuiteStore.SPACE, id("ep", i)).orElseThrow(() -> new AssertionError(id("ep", i) + " missing"));
                recall.record(System.nanoTime() - rt);
                assertEquals(i, Payloads.assertIntact(m), id("ep", i));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, Payloads.assertIntact(store.read(SuiteStore.SPACE, id("ep", i)).orElseThrow().memory().orElseThrow()));
            }
            report.put("recallLatency", recall.summaryMicros()).put("seed", SEED)
                    .put("rssGrowthMiB", ProcessMemory.mib(ProcessMemory.rssBytes() - rss0)).put("stats", statsMap(store.stats()));
            StoreInvariants.checkCountsAndRecords(store);
        }
        report.write();
    }

    /** Seed 000 test 2: 100K stores with per-operation percentiles, early vs late, iteration and random access. */
    @Test
    void hundredThousand_latencyPercentiles_iterationExact() throws Exception {
        ScaleReport report = new ScaleReport("scale-100k-percentiles");
        int n = 100_000;
        long rss0 = ProcessMemory.rssBytes();
        try (SuiteStore s = SuiteStore.open("s100k", DIM, d -> scaleConfig(d).build())) {
            TieredStore store = s.store();
            Stats.Latencies all = new Stats.Latencies(n);
            Stats.Latencies early = new Stats.Latencies(n / 10);
            Stats.Latencies late = new Stats.Latencies(n / 10);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Memory m = s.payload(id("ep", i), i, 100);
                long st = System.nanoTime();
                store.store(m);
                long d = System.nanoTime() - st;
                all.record(d);
                if (i < n / 10) {
                    early.record(d);
                } else if (i >= n - n / 10) {
                    late.record(d);
                }
                if (i > 0 && i % 20_000 == 0) {
                    System.out.printf("  stored %d (%.0f ops/s, RSS %.0f MiB)%n", i, i / ((System.nanoTime() - t0) / 1e9),
                            ProcessMemory.mib(ProcessMemory.rssBytes()));
                }
            }
            double storeSec = (System.nanoTime() - t0) / 1e9;
            report.put("memories", n).put("storeOpsPerSec", Math.round(n / storeSec)).put("storeLatency", all.summaryMicros())
                    .put("storeP999OverP50", Stats.round((double) all.percentile(99.9) / Math.max(1, all.percentile(50))))
                    .put("storeLateP99OverEarlyP99", Stats.round((double) late.percentile(99) / Math.max(1, early.percentile(99))));
            assertEquals(n, store.counts().warm(SuiteStore.SPACE), "warm count");

            long it0 = System.nanoTime();
            long seen = scanCountingIntact(store, 997);
            report.put("iterationMs", (System.nanoTime() - it0) / 1_000_000).put("iterated", seen);
            assertEquals(n, seen, "iteration must return every memory exactly once");

            Stats.Latencies recall = new Stats.Latencies(1_000);
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int k = 0; k < 1_000; k++) {
                int i = rnd.nextInt(n);
                long rt = System.nanoTime();
                Memory m = store.recall(SuiteStore.SPACE, id("ep", i)).orElseThrow();
                recall.record(System.nanoTime() - rt);
                assertEquals(i, Payloads.assertIntact(m));
            }
            long growth = ProcessMemory.rssBytes() - rss0;
            report.put("randomRecallLatency", recall.summaryMicros()).put("rssGrowthMiB", ProcessMemory.mib(growth))
                    .put("rssBytesPerMemory", growth / n).put("heapUsedAfterGcMiB", ProcessMemory.mib(ProcessMemory.heapUsedAfterGc()))
                    .put("stats", statsMap(store.stats()));
        }
        report.write();
    }

    /** Seed 000 test 3: 1M memories behind a small hot tier; a full iteration returns exactly 1M, intact samples. */
    @Test
    void oneMillion_iterateAll_countExact() throws Exception {
        ScaleReport report = new ScaleReport("scale-1m-iteration");
        int n = Integer.getInteger("mnemo.scale.iterationCount", 1_000_000);
        long rss0 = ProcessMemory.rssBytes();
        try (SuiteStore s = SuiteStore.open("s1m", DIM, d -> StorageConfig.builder(d).hotTierMaxBytes(16L << 20).build())) {
            TieredStore store = s.store();
            Stats.Latencies sampled = new Stats.Latencies(n / 1_000);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Memory m = s.payload(id("ep", i), i, 64);
                long st = System.nanoTime();
                store.store(m);
                if (i % 1_000 == 0) {
                    sampled.record(System.nanoTime() - st);
                }
                if (i > 0 && i % 100_000 == 0) {
                    System.out.printf("  stored %d (%.0f ops/s, RSS %.0f MiB)%n", i, i / ((System.nanoTime() - t0) / 1e9),
                            ProcessMemory.mib(ProcessMemory.rssBytes()));
                }
            }
            double storeSec = (System.nanoTime() - t0) / 1e9;
            report.put("memories", n).put("storeOpsPerSec", Math.round(n / storeSec)).put("storeLatencySampled", sampled.summaryMicros());
            assertEquals(n, store.counts().warm(SuiteStore.SPACE), "warm count");

            long h0 = System.nanoTime();
            int hot = SuiteStore.scanAll(store, ScanRequest.builder().tier(Tier.HOT), 0).size();
            report.put("hotIterationMs", (System.nanoTime() - h0) / 1_000_000).put("hotEntries", hot);

            long it0 = System.nanoTime();
            long seen = scanCountingIntact(store, 1_000);
            long itMs = (System.nanoTime() - it0) / 1_000_000;
            report.put("iterationMs", itMs).put("iterated", seen)
                    .put("iterationItemsPerSec", Math.round(seen * 1000.0 / Math.max(1, itMs)));
            assertEquals(n, seen, "iteration must return every memory exactly once");
            for (int i : new int[] {0, n / 2, n - 1}) {
                assertEquals(i, Payloads.assertIntact(store.recall(SuiteStore.SPACE, id("ep", i)).orElseThrow()));
            }
            report.put("rssMiB", ProcessMemory.mib(ProcessMemory.rssBytes()))
                    .put("rssGrowthMiB", ProcessMemory.mib(ProcessMemory.rssBytes() - rss0))
                    .put("heapUsedAfterGcMiB", ProcessMemory.mib(ProcessMemory.heapUsedAfterGc())).put("stats", statsMap(store.stats()));
        }
        report.write();
    }

    /**
     * Seed 000 test 4: 20K memories from absent and empty content up to 1 MiB (the default limit; one byte more is
     * refused), half removed, 10K new stored into the freed space, every survivor compared whole. Reports
     * live/used/file bytes and fragmentation per phase; asserts the refill reused freed space (used bytes do not
     * grow past the first phase's by more than a quarter).
     */
    @Test
    void sizeExtremes_removeHalfAndRefill_everySizeClassIntact() throws Exception {
        ScaleReport report = new ScaleReport("scale-size-extremes");
        int n = 20_000;
        try (SuiteStore s = SuiteStore.open("sext", DIM, d -> scaleConfig(d).build())) {
            TieredStore store = s.store();
            Map<String, Memory> expected = new LinkedHashMap<>();
            Map<String, Integer> classes = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String cls;
                String content;
                if (i % 2_000 == 1) {
                    cls = "mib";
                    content = Payloads.content("mib-" + i, i, 1 << 20);
                } else if (i % 100 == 0) {
                    cls = "huge";
                    content = Payloads.content("huge-" + i, i, 100_000);
                } else if (i % 25 == 0) {
                    cls = "large";
                    content = Payloads.content("large-" + i, i, 10_000);
                } else if (i % 20 == 0) {
                    cls = "medium";
                    content = Payloads.content("medium-" + i, i, 1_000);
                } else if (i % 10 == 0) {
                    cls = "small";
                    content = Payloads.content("small-" + i, i, 100);
                } else if (i % 5 == 1 && i % 3 == 0) {
                    cls = "absent";
                    content = null;
                } else if (i % 5 < 2) {
                    cls = "empty";
                    content = "";
                } else {
                    cls = "tiny";
                    content = "t".repeat(i % 10 + 1);
                }
                String id = cls + "-" + i;
                Memory m = Payloads.withContent(SuiteStore.SPACE, id, i, content, DIM);
                store.store(m);
                expected.put(id, m);
                classes.merge(cls, 1, Integer::sum);
            }
            InvalidMemoryException tooBig = assertThrows(InvalidMemoryException.class,
                    () -> store.store(Payloads.withContent(SuiteStore.SPACE, "too-big", 1, "x".repeat((1 << 20) + 1), DIM)));
            assertEquals("content", tooBig.field());
            StoreStats first = store.stats();
            report.put("sizeClasses", classes).put("afterStore", statsMap(first));
            assertEquals(n, store.counts().warm(SuiteStore.SPACE));

            List<String> ids = new ArrayList<>(expected.keySet());
            int removed = 0;
            for (int i = 0; i < ids.size(); i += 2) {
                assertTrue(store.remove(SuiteStore.SPACE, ids.get(i)).applied(), ids.get(i));
                expected.remove(ids.get(i));
                removed++;
            }
            StoreStats afterRemove = store.stats();
            report.put("removed", removed).put("afterRemove", statsMap(afterRemove));
            assertEquals(n - removed, store.counts().warm(SuiteStore.SPACE), "count after removing half");
            assertEquals(removed, store.counts().tombstones(SuiteStore.SPACE), "tombstones after removing half");

            for (int i = 0; i < n / 2; i++) {
                Memory m = s.payload("new-" + i, n + i, 64 + 4 * (i % 20) * 10);
                store.store(m);
                expected.put(m.id(), m);
            }
            StoreStats afterRefill = store.stats();
            report.put("afterRefill", statsMap(afterRefill));
            assertEquals(n - removed + n / 2, store.counts().warm(SuiteStore.SPACE), "count after refill");

            for (Map.Entry<String, Memory> e : expected.entrySet()) {
                Memory got = store.recall(SuiteStore.SPACE, e.getKey()).orElseThrow(() -> new AssertionError(e.getKey() + " missing"));
                Payloads.assertSameWrite(e.getValue(), got);
            }
            for (int i = 0; i < ids.size(); i += 2) {
                assertTrue(store.recall(SuiteStore.SPACE, ids.get(i)).isEmpty(), ids.get(i) + " was removed");
            }
            StoreInvariants.checkCountsAndRecords(store);
            assertTrue(afterRefill.usedBytes() <= first.usedBytes() * 1.25,
                    "removed space was not reused: used bytes " + afterRefill.usedBytes() + " after refill vs " + first.usedBytes()
                            + " after the first phase, though the refill wrote far less than it removed");
        }
        report.write();
    }

    /**
     * Seed 000 test 5: ten cycles of 10K stores and removes after two warm-up cycles. Linear regression over
     * the samples; fails only on a clear leak: RSS outside the committed heap (mapped files, native memory), or
     * heap after GC, growing by more than 5% of the baseline per cycle. Raw RSS is reported too (it also moves
     * with heap sizing).
     */
    @Test
    void storeRemoveCycles_rssDoesNotTrendUp() throws Exception {
        if (!ProcessMemory.rssAvailable()) {
            System.out.println("no /proc/self/status: RSS leak detection skipped on this platform");
            return;
        }
        ScaleReport report = new ScaleReport("scale-leak-detection");
        int cycles = 10;
        int perCycle = 10_000;
        try (SuiteStore s = SuiteStore.open("sleak", DIM,
                d -> scaleConfig(d).tombstoneGracePeriod(Duration.ofMillis(1)).maintenanceInterval(Duration.ofMillis(50)).build())) {
            TieredStore store = s.store();
            // Two warm-up cycles (JIT, heap sizing, first use of every partition) are not sampled.
            runCycle(s, store, -2, perCycle);
            runCycle(s, store, -1, perCycle);
            double[] rss = new double[cycles];
            double[] heap = new double[cycles];
            double[] offHeap = new double[cycles];
            for (int c = 0; c < cycles; c++) {
                runCycle(s, store, c, perCycle);
                heap[c] = ProcessMemory.mib(ProcessMemory.heapUsedAfterGc());
                long rssBytes = ProcessMemory.rssBytes();
                rss[c] = ProcessMemory.mib(rssBytes);
                // RSS outside the committed heap: mapped files, native memory. Heap growth is judged by heap-after-GC.
                offHeap[c] = ProcessMemory.mib(rssBytes - ProcessMemory.heapCommitted());
                System.out.printf("  cycle %d: RSS %.1f MiB (%.1f outside the heap), heap after GC %.1f MiB, %s%n",
                        c, rss[c], offHeap[c], heap[c], store.counts());
                assertEquals(0, store.counts().warm(SuiteStore.SPACE), "cycle " + c + " removed everything it stored");
            }
            double slope = Stats.slope(rss);
            double offHeapSlope = Stats.slope(offHeap);
            double heapSlope = Stats.slope(heap);
            double baseline = rss[0];
            report.put("cycles", cycles).put("memoriesPerCycle", perCycle).put("rssMiB", rss).put("rssOutsideHeapMiB", offHeap)
                    .put("heapAfterGcMiB", heap).put("rssSlopeMiBPerCycle", Stats.round(slope))
                    .put("rssOutsideHeapSlopeMiBPerCycle", Stats.round(offHeapSlope)).put("heapSlopeMiBPerCycle", Stats.round(heapSlope))
                    .put("rssSlopeShareOfBaseline", Stats.round(slope / baseline)).put("stats", statsMap(store.stats()));
            report.write();
            assertTrue(offHeapSlope < 0.05 * baseline, String.format("RSS outside the heap grows %.1f MiB per cycle of %d stores+removes"
                    + " (baseline RSS %.0f MiB): a native leak, or removed space that is never reused. Samples: %s",
                    offHeapSlope, perCycle, baseline, Arrays.toString(offHeap)));
            assertTrue(heapSlope < 0.05 * Math.max(heap[0], 64),
                    String.format("heap after GC grows %.1f MiB per cycle: a leak. Samples: %s", heapSlope, Arrays.toString(heap)));
        }
    }

    private static void runCycle(SuiteStore s, TieredStore store, int cycle, int n) {
        for (int i = 0; i < n; i++) {
            store.store(s.payload("iter" + cycle + "-mem" + i, (cycle + 2L) * n + i, 100));
        }
        for (int i = 0; i < n; i++) {
            assertTrue(store.remove(SuiteStore.SPACE, "iter" + cycle + "-mem" + i).applied());
        }
    }

    /**
     * Seed 000 test 6: store, recall and iterate at growing scales (1K..200K; up to 1M with
     * {@code -Dmnemo.scale.cliffMax=1000000}) and look for super-linear jumps in the per-operation cost. Reports
     * every figure; fails only on a gross cliff (per-op store or per-item scan time more than 10x the previous
     * scale's).
     */
    @Test
    void growingScales_noGrossPerOperationCliff() throws Exception {
        ScaleReport report = new ScaleReport("scale-cliff-detection");
        int max = Integer.getInteger("mnemo.scale.cliffMax", 200_000);
        List<Integer> scales = new ArrayList<>(List.of(1_000, 10_000, 50_000, 100_000, 200_000, 500_000, 1_000_000));
        scales.removeIf(x -> x > max);
        List<Map<String, Object>> rows = new ArrayList<>();
        double prevStoreNs = -1;
        double prevScanNs = -1;
        System.out.printf("%-9s %12s %12s %12s %12s %10s%n", "scale", "store ns/op", "recall p99us", "scan ns/item", "scan ms", "RSS MiB");
        for (int n : scales) {
            long rss0 = ProcessMemory.rssBytes();
            try (SuiteStore s = SuiteStore.open("scliff" + n, DIM, d -> scaleConfig(d).build())) {
                TieredStore store = s.store();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    store.store(s.payload(id("ep", i), i, 64));
                }
                double storeNs = (System.nanoTime() - t0) / (double) n;
                Stats.Latencies recall = new Stats.Latencies(1_000);
                SplittableRandom rnd = new SplittableRandom(SEED + n);
                for (int k = 0; k < Math.min(1_000, n); k++) {
                    int i = rnd.nextInt(n);
                    long rt = System.nanoTime();
                    Memory m = store.recall(SuiteStore.SPACE, id("ep", i)).orElseThrow();
                    recall.record(System.nanoTime() - rt);
                    assertEquals(i, Payloads.tokenOf(m));
                }
                long it0 = System.nanoTime();
                long seen = scanCountingIntact(store, 10_007);
                long scanNanos = System.nanoTime() - it0;
                assertEquals(n, seen, "iteration at scale " + n);
                double scanNs = scanNanos / (double) n;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("scale", n);
                row.put("storeNsPerOp", Math.round(storeNs));
                row.put("recall", recall.summaryMicros());
                row.put("scanNsPerItem", Math.round(scanNs));
                row.put("scanMs", scanNanos / 1_000_000);
                row.put("rssGrowthMiB", ProcessMemory.mib(ProcessMemory.rssBytes() - rss0));
                rows.add(row);
                System.out.printf("%-9d %12.0f %12.1f %12.0f %12d %10.1f%n", n, storeNs, recall.percentile(99) / 1e3, scanNs,
                        scanNanos / 1_000_000, ProcessMemory.mib(ProcessMemory.rssBytes() - rss0));
                if (prevStoreNs > 0 && storeNs > 10 * prevStoreNs) {
                    report.put("rows", rows).write();
                    fail(String.format("store cliff at %d memories: %.0f ns/op vs %.0f ns/op at the previous scale (>10x)",
                            n, storeNs, prevStoreNs));
                }
                if (prevScanNs > 0 && scanNs > 10 * prevScanNs) {
                    report.put("rows", rows).write();
                    fail(String.format("iteration cliff at %d memories: %.0f ns/item vs %.0f ns/item at the previous scale (>10x)",
                            n, scanNs, prevScanNs));
                }
                prevStoreNs = storeNs;
                prevScanNs = scanNs;
            }
        }
        report.put("rows", rows).write();
    }

    /**
     * Seed 000 test 7: 100K memories, then 10 writers (1000 new memories each), 10 readers (1000 random recalls
     * each, all of which must succeed intact) and a scanner (every pre-existing memory exactly once) at once.
     */
    @Test
    void hundredThousand_concurrentReadersWritersScanner_exactCount() throws Exception {
        ScaleReport report = new ScaleReport("scale-100k-concurrent");
        int initial = 100_000;
        int writers = 10;
        int readers = 10;
        int ops = 1_000;
        try (SuiteStore s = SuiteStore.open("s100kc", DIM, d -> scaleConfig(d).build())) {
            TieredStore store = s.store();
            for (int i = 0; i < initial; i++) {
                store.store(s.payload(id("initial", i), i, 100));
            }
            AtomicLong reads = new AtomicLong();
            List<Workers.Task> tasks = new ArrayList<>();
            Stats.Latencies[] readLat = new Stats.Latencies[readers];
            for (int w = 0; w < writers; w++) {
                tasks.add(t -> {
                    for (int i = 0; i < ops; i++) {
                        store.store(s.payload("writer" + t + "-mem" + i, ConcurrencySuiteTest.token(t + 1, i), 100));
                    }
                });
            }
            for (int r = 0; r < readers; r++) {
                tasks.add(t -> {
                    int reader = t - writers;
                    readLat[reader] = new Stats.Latencies(ops);
                    SplittableRandom rnd = new SplittableRandom(SEED + t);
                    for (int i = 0; i < ops; i++) {
                        int k = rnd.nextInt(initial);
                        long t0 = System.nanoTime();
                        Memory m = store.recall(SuiteStore.SPACE, id("initial", k)).orElseThrow(
                                () -> new AssertionError(id("initial", k) + " missing during concurrent writes"));
                        readLat[reader].record(System.nanoTime() - t0);
                        assertEquals(k, Payloads.assertIntact(m));
                        reads.incrementAndGet();
                    }
                });
            }
            tasks.add(t -> {
                Set<String> seen = new HashSet<>();
                for (StoredRecord r : SuiteStore.scanAll(store, ScanRequest.builder().space(SuiteStore.SPACE), 4_096)) {
                    if (!seen.add(r.key().id())) {
                        fail("scan during writes returned " + r.key() + " twice");
                    }
                }
                for (int i = 0; i < initial; i++) {
                    if (!seen.contains(id("initial", i))) {
                        fail("scan during writes missed " + id("initial", i));
                    }
                }
            });
            long t0 = System.nanoTime();
            Workers.run("scale-concurrent", tasks, Duration.ofMinutes(5));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Stats.Latencies all = new Stats.Latencies(readers * ops);
            for (Stats.Latencies l : readLat) {
                all.addAll(l);
            }
            report.put("initial", initial).put("writes", writers * ops).put("reads", reads.get()).put("concurrentPhaseMs", ms)
                    .put("readLatency", all.summaryMicros()).put("stats", statsMap(store.stats()));
            assertEquals(readers * ops, reads.get());
            assertEquals(initial + writers * ops, store.counts().warm(SuiteStore.SPACE), "count after concurrent operations");
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < ops; i++) {
                    assertEquals(ConcurrencySuiteTest.token(w + 1, i),
                            Payloads.assertIntact(store.recall(SuiteStore.SPACE, "writer" + w + "-mem" + i).orElseThrow()));
                }
            }
        }
        report.write();
    }

    /** Scans the suite space, checking every {@code every}-th record whole; returns the count, failing on a duplicate. */
    private static long scanCountingIntact(TieredStore store, int every) {
        Set<String> ids = new HashSet<>();
        long n = 0;
        try (ScanCursor c = store.scan(ScanRequest.space(SuiteStore.SPACE))) {
            while (c.hasNext()) {
                StoredRecord r = c.next();
                if (!ids.add(r.key().id())) {
                    fail("iteration returned " + r.key() + " twice");
                }
                if (n++ % every == 0) {
                    Payloads.assertIntact(r.memory().orElseThrow());
                }
            }
            assertTrue(c.isExhausted(), "an unbounded scan must end exhausted");
        }
        return n;
    }

    static Map<String, Object> statsMap(StoreStats st) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("liveMiB", ProcessMemory.mib(st.liveBytes()));
        m.put("usedMiB", ProcessMemory.mib(st.usedBytes()));
        m.put("fileMiB", ProcessMemory.mib(st.fileBytes()));
        m.put("usedBytes", st.usedBytes());
        m.put("fragmentation", Stats.round(st.fragmentation() * 100) / 100);
        m.put("segmentFiles", st.segmentFiles());
        m.put("largeValues", st.largeValues());
        m.put("tombstonesCollected", st.tombstonesCollected());
        m.put("hotEntries", st.hotEntries());
        m.put("hotMiB", ProcessMemory.mib(st.hotBytes()));
        m.put("hotHits", st.hotHits());
        m.put("hotMisses", st.hotMisses());
        m.put("hotEvictions", st.hotEvictions());
        return m;
    }
}
