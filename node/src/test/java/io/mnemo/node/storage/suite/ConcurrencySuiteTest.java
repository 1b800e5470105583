package io.mnemo.node.storage.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.Version;
import io.mnemo.node.storage.WriteResult;
import io.mnemo.node.storage.suite.StoreInvariantsExtension.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Concurrent access to one real store (hot tier over Chronicle Map files), after seed 004 ("warm tier
 * concurrent access tests"): many writers, many readers, mixed load, a hot spot, writer-writer races on one
 * key, failures in the middle of work, each started by a barrier and bounded by a deadline. Every record is
 * a self-checking {@link Payloads payload}, so a torn or mixed record fails wherever it is read, and the
 * {@link StoreInvariantsExtension} checks counts, scans, hot/warm agreement and a clean reopen after each
 * test. Latencies are printed, never asserted.
 *
 * <p>The failure tests (seed 004's "panic recovery") live in {@link FailureDuringWorkTest}; the
 * property-based workload test in {@link ConcurrentWorkloadProperties}.
 */
@ExtendWith(StoreInvariantsExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrencySuiteTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    static long token(int worker, int seq) {
        return ((long) worker << 32) | (seq & 0xFFFF_FFFFL);
    }

    /** Seed 004 test 1: many threads store distinct memories; every one reads back byte-identical, once. */
    @Test
    void concurrentStores_tenThreads_everyMemoryReadsBackIdentical(Stores stores) throws Exception {
        SuiteStore s = stores.open(768);
        TieredStore store = s.store();
        int threads = 10;
        int perThread = 100;
        Memory[][] written = new Memory[threads][perThread];
        Version[][] versions = new Version[threads][perThread];

        Workers.run("store", threads, DEADLINE, t -> {
            for (int i = 0; i < perThread; i++) {
                Memory m = s.payload("thread-" + t + "-ep-" + i, token(t, i), 64 + 97 * t + 13 * i);
                WriteResult r = store.store(m);
                assertTrue(r.applied(), "a store of a new key must apply: " + r);
                written[t][i] = m;
                versions[t][i] = r.storedVersion();
            }
        });

        for (int t = 0; t < threads; t++) {
            for (int i = 1; i < perThread; i++) {
                assertTrue(versions[t][i].isNewerThan(versions[t][i - 1]),
                        "thread " + t + ": a later store got an older or equal version: " + versions[t][i - 1] + " then " + versions[t][i]);
            }
        }
        assertEquals(threads * perThread, store.counts().warm(SuiteStore.SPACE), "warm count after the stores");

        Map<MemoryKey, StoredRecord> scanned = new HashMap<>();
        for (StoredRecord r : SuiteStore.scanAll(store, ScanRequest.builder().space(SuiteStore.SPACE), 128)) {
            assertTrue(scanned.put(r.key(), r) == null, "scan returned " + r.key() + " twice");
        }
        assertEquals(threads * perThread, scanned.size(), "scan size");
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                Memory expected = written[t][i];
                StoredRecord r = scanned.get(expected.key());
                assertTrue(r != null, expected.id() + " missing from the scan");
                assertEquals(versions[t][i], r.version(), expected.id() + ": scanned version");
                Payloads.assertSameWrite(expected, r.memory().orElseThrow());
                Memory recalled = store.recall(SuiteStore.SPACE, expected.id()).orElseThrow(
                        () -> new AssertionError(expected.id() + " not recallable"));
                Payloads.assertSameWrite(expected, recalled);
                assertEquals(token(t, i), Payloads.assertIntact(recalled));
            }
        }
    }

    /**
     * Seed 004 test 2, hardened: 20 readers recall 100 keys while two writers keep rewriting them with contents
     * of changing length. Every read must be one whole write (no torn mix of content and embedding) and
     * linearizable: never older than a write acknowledged before the read started, never older than what the
     * same reader saw before. Run with a small hot tier (constant eviction and promotion) and a large one.
     */
    @ParameterizedTest(name = "hot tier {0} bytes")
    @ValueSource(longs = {48L << 10, 64L << 20})
    void concurrentReaders_whileKeysAreRewritten_seeWholeCurrentWrites(long hotBytes, Stores stores) throws Exception {
        SuiteStore s = stores.open(256, d -> SuiteStore.small(d).hotTierMaxBytes(hotBytes).build());
        TieredStore store = s.store();
        int keys = 100;
        int readers = 20;
        int writers = 2;
        // Seed 004's 10 passes; fewer with a small hot tier, where each recall that evicts also writes back access stats.
        int iterations = hotBytes < (1L << 20) ? 4 : 10;
        AtomicReferenceArray<Version> acked = new AtomicReferenceArray<>(keys);
        for (int k = 0; k < keys; k++) {
            acked.set(k, store.store(s.payload("ep-" + k, token(0, k), 64 + k * 10)).storedVersion());
        }
        AtomicBoolean readersDone = new AtomicBoolean();
        AtomicLong readersLeft = new AtomicLong(readers);
        AtomicLong rewrites = new AtomicLong();
        Stats.Latencies[] latencies = new Stats.Latencies[readers];
        List<Workers.Task> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w + 1;
            tasks.add(ignored -> {
                for (int round = 0; round < 1_000 && !readersDone.get(); round++) {
                    for (int j = 0; j < keys; j++) {
                        int k = (j + writer * 37) % keys;
                        int size = (round + writer) % 2 == 0 ? 64 : 200 + k * 40;
                        WriteResult r = store.store(s.payload("ep-" + k, token(writer, round * keys + k), size));
                        acked.accumulateAndGet(k, r.storedVersion(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                        rewrites.incrementAndGet();
                    }
                }
            });
        }
        for (int r = 0; r < readers; r++) {
            int reader = r;
            latencies[reader] = new Stats.Latencies(iterations * keys);
            tasks.add(ignored -> {
                Version[] seen = new Version[keys];
                try {
                    for (int iteration = 0; iteration < iterations; iteration++) {
                        for (int j = 0; j < keys; j++) {
                            int k = (j + reader * 7) % keys;
                            Version floor = acked.get(k);
                            long t0 = System.nanoTime();
                            Memory m = (iteration + j) % 4 == 0
                                    ? store.read(SuiteStore.SPACE, "ep-" + k).flatMap(StoredRecord::memory).orElse(null)
                                    : store.recall(SuiteStore.SPACE, "ep-" + k).orElse(null);
                            latencies[reader].record(System.nanoTime() - t0);
                            if (m == null) {
                                fail("reader " + reader + ": ep-" + k + " vanished (it is never removed)");
                            }
                            Payloads.assertIntact(m);
                            Version v = m.version().orElseThrow(() -> new AssertionError("a read memory must carry its version"));
                            if (v.compareTo(floor) < 0) {
                                fail("reader " + reader + ": ep-" + k + " read version " + v + " older than " + floor
                                        + ", acknowledged before the read began (stale read)");
                            }
                            if (seen[k] != null && v.compareTo(seen[k]) < 0) {
                                fail("reader " + reader + ": ep-" + k + " went back in time: " + seen[k] + " then " + v);
                            }
                            seen[k] = v;
                        }
                    }
                } finally {
                    if (readersLeft.decrementAndGet() == 0) {
                        readersDone.set(true);
                    }
                }
            });
        }
        Workers.run("read-rewrite", tasks, DEADLINE);

        Stats.Latencies all = new Stats.Latencies(readers * iterations * keys);
        for (Stats.Latencies l : latencies) {
            all.addAll(l);
        }
        System.out.printf("reader parallelism (hot %d B): %d reads during %d rewrites, latency %s, stats %s%n",
                hotBytes, all.count(), rewrites.get(), all.summaryMicros(), store.stats());
        for (int k = 0; k < keys; k++) {
            Memory m = store.recall(SuiteStore.SPACE, "ep-" + k).orElseThrow();
            Payloads.assertIntact(m);
            assertEquals(acked.get(k), m.versionOrNull(), "ep-" + k + ": recall after the writers finished must return the newest write");
        }
        assertEquals(keys, store.counts().warm(SuiteStore.SPACE), "warm count");
    }

    /**
     * Seed 004 test 3: writers (new keys and overwrites), readers, paged scanners and a stats poller together,
     * bounded by a deadline (a hang fails with a thread dump). Reads of keys that always exist must all
     * succeed; a scan running during the writes must return every pre-existing key exactly once; the final
     * count is exact.
     */
    @Test
    void mixedReadersWritersScanners_noDeadlock_exactCounts(Stores stores) throws Exception {
        SuiteStore s = stores.open(128, d -> SuiteStore.small(d).hotTierMaxBytes(256L << 10).build());
        TieredStore store = s.store();
        int initial = 1_000;
        for (int i = 0; i < initial; i++) {
            store.store(s.payload("ep-" + i, token(0, i), 64 + (i % 10) * 40));
        }
        int writers = 5;
        int perWriter = 100;
        AtomicLong writes = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicLong scans = new AtomicLong();
        AtomicBoolean writersDone = new AtomicBoolean();
        AtomicLong writersLeft = new AtomicLong(writers);
        List<Workers.Task> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w + 1;
            tasks.add(ignored -> {
                try {
                    for (int i = 0; i < perWriter; i++) {
                        store.store(s.payload("writer-" + writer + "-ep-" + i, token(writer, i), 64 + 50 * writer));
                        store.store(s.payload("ep-" + ((writer * perWriter + i) % initial), token(writer, 1_000_000 + i), 300));
                        writes.incrementAndGet();
                    }
                } finally {
                    if (writersLeft.decrementAndGet() == 0) {
                        writersDone.set(true);
                    }
                }
            });
        }
        for (int r = 0; r < 10; r++) {
            int reader = r;
            tasks.add(ignored -> {
                for (int iteration = 0; iteration < 50; iteration++) {
                    String id = "ep-" + (reader * 50 + iteration) % initial;
                    Memory m = store.recall(SuiteStore.SPACE, id).orElseThrow(
                            () -> new AssertionError(id + " vanished during concurrent writes"));
                    Payloads.assertIntact(m);
                    reads.incrementAndGet();
                }
            });
        }
        for (int c = 0; c < 2; c++) {
            tasks.add(ignored -> {
                do {
                    Set<String> seen = new HashSet<>();
                    for (StoredRecord r : SuiteStore.scanAll(store, ScanRequest.builder().space(SuiteStore.SPACE), 64)) {
                        if (!seen.add(r.key().id())) {
                            fail("a scan during writes returned " + r.key() + " twice");
                        }
                        Payloads.assertIntact(r.memory().orElseThrow());
                    }
                    for (int i = 0; i < initial; i++) {
                        if (!seen.contains("ep-" + i)) {
                            fail("a scan during writes missed ep-" + i + ", which existed for the whole scan");
                        }
                    }
                    scans.incrementAndGet();
                } while (!writersDone.get());
            });
        }
        tasks.add(ignored -> {
            long last = 0;
            do {
                long warm = store.counts().warm(SuiteStore.SPACE);
                if (warm < last || warm < initial || warm > initial + writers * perWriter) {
                    fail("warm count " + warm + " out of [" + Math.max(last, initial) + ", " + (initial + writers * perWriter) + "]");
                }
                last = warm;
                store.stats();
            } while (!writersDone.get());
        });
        long t0 = System.nanoTime();
        Workers.run("mixed", tasks, DEADLINE);
        System.out.printf("mixed load: %d writes, %d reads, %d full scans in %d ms%n",
                writes.get(), reads.get(), scans.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

        assertEquals(writers * perWriter, writes.get(), "writes");
        assertEquals(10 * 50, reads.get(), "reads of keys that always exist must all succeed");
        assertEquals(initial + writers * perWriter, store.counts().warm(SuiteStore.SPACE), "final warm count");
    }

    /**
     * Seed 004 test 4: 50 threads on the same 10 of 100 keys. Phase one only recalls, and each key's access
     * count must then account for every recall (no lost increments); phase two mixes recalls and stores, and
     * each key must end as exactly the write with the newest version, intact.
     */
    @Test
    void hotSpot_fiftyThreadsOnTenKeys_exactAccessCountsAndNewestWriteWins(Stores stores) throws Exception {
        SuiteStore s = stores.open(128);
        TieredStore store = s.store();
        for (int i = 0; i < 100; i++) {
            store.store(s.payload("ep-" + i, token(0, i), 64 + i * 5));
        }
        int threads = 50;
        int iterations = 20;
        Stats.Latencies[] lat = new Stats.Latencies[threads];
        long phase0 = System.nanoTime();
        Workers.run("hot-recall", threads, DEADLINE, t -> {
            lat[t] = new Stats.Latencies(iterations);
            for (int it = 0; it < iterations; it++) {
                long t0 = System.nanoTime();
                Memory m = store.recall(SuiteStore.SPACE, "ep-" + it % 10).orElseThrow();
                lat[t].record(System.nanoTime() - t0);
                Payloads.assertIntact(m);
            }
        });
        Stats.Latencies all = new Stats.Latencies(threads * iterations);
        for (Stats.Latencies l : lat) {
            all.addAll(l);
        }
        System.out.printf("hot-spot recall latency: %s, phase took %d ms%n", all.summaryMicros(), (System.nanoTime() - phase0) / 1_000_000);
        long recallsPerKey = (long) threads * iterations / 10;
        for (int k = 0; k < 10; k++) {
            long count = store.recall(SuiteStore.SPACE, "ep-" + k).orElseThrow().accessCount();
            // The memory a recall returns may or may not include its own increment; either way none is lost.
            assertTrue(count == recallsPerKey || count == recallsPerKey + 1,
                    "ep-" + k + ": accessCount " + count + " after " + (recallsPerKey + 1) + " recalls (lost or extra increments)");
        }
        for (int k = 10; k < 100; k++) {
            assertEquals(0, store.read(SuiteStore.SPACE, "ep-" + k).orElseThrow().memory().orElseThrow().accessCount(),
                    "ep-" + k + " was never recalled");
        }

        Map<Integer, ConcurrentLinkedQueue<Long>> applied = new ConcurrentHashMap<>();
        Map<Long, Version> versionOfToken = new ConcurrentHashMap<>();
        long phase1 = System.nanoTime();
        Workers.run("hot-mixed", threads, DEADLINE, t -> {
            for (int it = 0; it < 2 * iterations; it++) {
                int k = (it + 3 * t) % 10;
                if (it % 4 == 0) {
                    long tok = token(t + 1, it);
                    WriteResult r = store.store(s.payload("ep-" + k, tok, it % 2 == 0 ? 64 : 2_000));
                    if (r.applied()) {
                        versionOfToken.put(tok, r.storedVersion());
                        applied.computeIfAbsent(k, x -> new ConcurrentLinkedQueue<>()).add(tok);
                    }
                } else {
                    Payloads.assertIntact(store.recall(SuiteStore.SPACE, "ep-" + k).orElseThrow());
                }
            }
        });
        System.out.printf("hot-spot mixed phase: %d applied stores in %d ms%n",
                versionOfToken.size(), (System.nanoTime() - phase1) / 1_000_000);
        for (int k = 0; k < 10; k++) {
            long winner = -1;
            Version newest = Version.ZERO;
            for (long tok : applied.getOrDefault(k, new ConcurrentLinkedQueue<>())) {
                Version v = versionOfToken.get(tok);
                assertFalse(v.equals(newest), "ep-" + k + ": two applied writes share version " + v);
                if (v.isNewerThan(newest)) {
                    newest = v;
                    winner = tok;
                }
            }
            assertTrue(winner >= 0, "ep-" + k + ": no store applied");
            StoredRecord r = store.read(SuiteStore.SPACE, "ep-" + k).orElseThrow();
            assertEquals(newest, r.version(), "ep-" + k + ": final version must be the newest applied write's");
            assertEquals(winner, Payloads.assertIntact(r.memory().orElseThrow()), "ep-" + k + ": final content is not the newest write");
        }
        assertEquals(100, store.counts().warm(SuiteStore.SPACE), "warm count");
    }

    /** Seed 004 test 5: 20 writers, released together, store 50 distinct keys each; nothing overwrites anything. */
    @Test
    void writerWriter_distinctKeys_noWriteLandsOnAnother(Stores stores) throws Exception {
        SuiteStore s = stores.open(128);
        TieredStore store = s.store();
        int threads = 20;
        int perThread = 50;
        Workers.run("writers", threads, DEADLINE, t -> {
            for (int i = 0; i < perThread; i++) {
                assertTrue(store.store(s.payload("w" + t + "-m" + i, token(t, i), 64 + (t + i) * 30)).applied());
            }
        });
        List<StoredRecord> all = SuiteStore.scanAll(store, ScanRequest.builder().space(SuiteStore.SPACE), 0);
        assertEquals(threads * perThread, all.size(), "every write must be retrievable");
        for (StoredRecord r : all) {
            Memory m = r.memory().orElseThrow();
            long tok = Payloads.assertIntact(m);
            assertEquals(m.id(), "w" + (tok >>> 32) + "-m" + (tok & 0xFFFF_FFFFL), "content of another write under " + m.id());
        }
    }

    /**
     * Writer-writer races on the same keys: 20 writers hit 3 keys at once, half with locally stamped stores and
     * removes, half applying replicated writes with explicit versions that interleave with the local clock. Each
     * key must end as exactly the write (or tombstone) with the newest version, never a mix, and every write's
     * outcome must be consistent with last-writer-wins.
     */
    @Test
    void writerWriter_sameKey_newestVersionWinsWhole(Stores stores) throws Exception {
        SuiteStore s = stores.open(128);
        TieredStore store = s.store();
        int keys = 3;
        int threads = 20;
        int perThread = 60;
        long baseHlc = store.store(s.payload("clock-probe", 1, 64)).storedVersion().hlc();
        record Outcome(int key, long token, Version own, boolean remove) {
        }
        ConcurrentLinkedQueue<Outcome> appliedWrites = new ConcurrentLinkedQueue<>();
        Workers.run("same-key", threads, DEADLINE, t -> {
            SplittableRandom rnd = new SplittableRandom(t * 7919L);
            for (int i = 0; i < perThread; i++) {
                int k = i % keys;
                String id = "contended-" + k;
                long tok = token(t + 1, i);
                Memory m = s.payload(id, tok, 64 + rnd.nextInt(3_000));
                if (t % 2 == 0) {
                    boolean remove = rnd.nextInt(10) == 0;
                    WriteResult r = remove ? store.remove(SuiteStore.SPACE, id) : store.store(m);
                    if (r.applied()) {
                        appliedWrites.add(new Outcome(k, tok, r.storedVersion(), remove));
                    }
                } else {
                    // Spread over ~0.5 s of the HLC's physical part so replicated writes interleave with stamped ones.
                    Version own = new Version(baseHlc + rnd.nextLong(500L << 16), 1_000 + t);
                    WriteResult r = store.apply(StoredRecord.live(m.toBuilder().version(own).build()));
                    if (r.applied()) {
                        assertEquals(own, r.storedVersion(), id + ": an applied write must report its own version");
                        appliedWrites.add(new Outcome(k, tok, own, false));
                    } else {
                        assertTrue(r.storedVersion().compareTo(own) >= 0,
                                id + ": write " + own + " refused although the store holds only " + r.storedVersion());
                    }
                }
            }
        });
        for (int k = 0; k < keys; k++) {
            Outcome newest = null;
            Set<Version> versions = new HashSet<>();
            for (Outcome o : appliedWrites) {
                if (o.key() != k) {
                    continue;
                }
                assertTrue(versions.add(o.own()), "contended-" + k + ": two applied writes share version " + o.own());
                if (newest == null || o.own().isNewerThan(newest.own())) {
                    newest = o;
                }
            }
            assertTrue(newest != null, "contended-" + k + ": nothing applied");
            StoredRecord r = store.read(SuiteStore.SPACE, "contended-" + k).orElseThrow();
            assertEquals(newest.own(), r.version(), "contended-" + k + ": final version is not the newest applied write's");
            if (newest.remove()) {
                assertTrue(r.isTombstone(), "contended-" + k + ": newest write was a remove but the key is live: " + r);
                assertEquals(Optional.empty(), store.recall(SuiteStore.SPACE, "contended-" + k), "recall of a removed key");
            } else {
                assertFalse(r.isTombstone(), "contended-" + k + ": newest write was a store but the key is a tombstone");
                assertEquals(newest.token(), Payloads.assertIntact(r.memory().orElseThrow()),
                        "contended-" + k + ": final content is not the newest write's");
                Memory recalled = store.recall(SuiteStore.SPACE, "contended-" + k).orElseThrow();
                assertEquals(newest.token(), Payloads.assertIntact(recalled), "contended-" + k + ": recall disagrees with read");
            }
        }
    }
}
