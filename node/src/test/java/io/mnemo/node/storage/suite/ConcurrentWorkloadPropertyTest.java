package io.mnemo.node.storage.suite;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.Version;
import io.mnemo.node.storage.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Seed 004 test 7: arbitrary concurrent workloads (stores, removes, recalls and replicated applies with
 * explicit versions, over a few keys, from two to four threads released together) checked against a
 * reference model. The model is last-writer-wins per key: after the threads join, each key holds exactly
 * the applied write with the newest version (a live memory equal to that write, or a tombstone), which is
 * the outcome of any linearization of the writes. During the run, every recall returns absent or one whole
 * write of that key, never older than a write of that key the same thread had already seen acknowledged.
 * jqwik prints the seed and the (shrunk) workload of a failure; rerun with {@code @Property(seed = ...)}.
 */
class ConcurrentWorkloadPropertyTest {
    private static final int KEYS = 5;
    private static final int DIM = 16;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    enum Kind { STORE, REMOVE, RECALL, APPLY }

    /**
     * One operation of one thread.
     *
     * @param kind    what to do
     * @param key     which of the {@value #KEYS} keys
     * @param size    content bytes; below 64 the content is one of the small forms (absent, empty, short)
     * @param offset  for APPLY: where its explicit version falls, in HLC units after the workload's base
     */
    record Op(Kind kind, int key, int size, long offset) {
    }

    /** One applied write: its key, the token identifying it (-1 for a remove) and its own version. */
    private record Applied(int key, long token, Version version) {
    }

    @Property(tries = 30)
    void concurrentWorkload_finalStateIsNewestWritePerKey(@ForAll("workloads") List<List<Op>> threads) throws Exception {
        try (SuiteStore s = SuiteStore.open("property", DIM, d -> SuiteStore.small(d, 4).hotTierMaxBytes(8L << 10).build())) {
            TieredStore store = s.store();
            long baseHlc = store.store(s.payload("base", 1, 64)).storedVersion().hlc();
            Map<Long, Memory> written = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<Applied> applied = new ConcurrentLinkedQueue<>();
            AtomicReferenceArray<Version> ackedFloor = new AtomicReferenceArray<>(KEYS);

            Workers.run("workload", threads.size(), DEADLINE, t -> {
                List<Op> ops = threads.get(t);
                for (int i = 0; i < ops.size(); i++) {
                    Op op = ops.get(i);
                    String id = "k" + op.key();
                    long token = ConcurrencySuiteTest.token(t + 1, i);
                    Version floor = ackedFloor.get(op.key());
                    switch (op.kind()) {
                        case STORE -> {
                            Memory m = memory(id, token, op.size());
                            written.put(token, m);
                            WriteResult r = store.store(m);
                            if (r.applied()) {
                                applied.add(new Applied(op.key(), token, r.storedVersion()));
                            }
                            raise(ackedFloor, op.key(), r.storedVersion());
                        }
                        case REMOVE -> {
                            WriteResult r = store.remove(SuiteStore.SPACE, id);
                            if (r.applied()) {
                                applied.add(new Applied(op.key(), -1, r.storedVersion()));
                            }
                            raise(ackedFloor, op.key(), r.storedVersion());
                        }
                        case APPLY -> {
                            Version own = new Version(baseHlc + op.offset(), 10_000 + t * 1_000 + i);
                            Memory m = memory(id, token, op.size()).toBuilder().version(own).build();
                            written.put(token, m);
                            WriteResult r = store.apply(StoredRecord.live(m));
                            if (r.applied()) {
                                check(own.equals(r.storedVersion()), id + ": applied " + own + " but reports " + r.storedVersion());
                                applied.add(new Applied(op.key(), token, own));
                            } else {
                                check(r.storedVersion().compareTo(own) >= 0,
                                        id + ": " + own + " refused though the store holds only " + r.storedVersion());
                            }
                            raise(ackedFloor, op.key(), r.storedVersion());
                        }
                        case RECALL -> {
                            Optional<Memory> got = store.recall(SuiteStore.SPACE, id);
                            if (got.isPresent()) {
                                Memory m = got.get();
                                Memory expected = written.get(m.createdAtNs());
                                check(expected != null && expected.id().equals(id),
                                        id + ": recall returned a memory no thread wrote to this key: " + m);
                                Payloads.assertSameWrite(expected, m);
                                check(m.versionOrNull() != null && (floor == null || m.versionOrNull().compareTo(floor) >= 0),
                                        id + ": recall returned " + m.versionOrNull() + ", older than " + floor
                                                + " acknowledged before the recall began");
                            }
                        }
                        default -> throw new AssertionError(op);
                    }
                }
            });

            for (int k = 0; k < KEYS; k++) {
                String id = "k" + k;
                Applied newest = null;
                for (Applied a : applied) {
                    if (a.key() != k) {
                        continue;
                    }
                    check(newest == null || !a.version().equals(newest.version()), id + ": two applied writes share " + a.version());
                    if (newest == null || a.version().isNewerThan(newest.version())) {
                        newest = a;
                    }
                }
                Optional<StoredRecord> stored = store.read(SuiteStore.SPACE, id);
                Optional<Memory> recalled = store.recall(SuiteStore.SPACE, id);
                if (newest == null) {
                    check(stored.isEmpty() || stored.get().isTombstone(), id + ": nothing applied but the store holds " + stored);
                    check(recalled.isEmpty(), id + ": nothing applied but recall returns " + recalled);
                    continue;
                }
                check(stored.isPresent(), id + ": applied writes but read() finds nothing");
                check(newest.version().equals(stored.get().version()),
                        id + ": the store holds " + stored.get().version() + ", the newest applied write is " + newest.version());
                if (newest.token() < 0) {
                    check(stored.get().isTombstone() && recalled.isEmpty(), id + ": newest write is a remove but the key is live");
                } else {
                    Memory expected = written.get(newest.token());
                    Payloads.assertSameWrite(expected, stored.get().memory().orElseThrow(
                            () -> new AssertionError(id + ": newest write is a store but the key is a tombstone")));
                    Payloads.assertSameWrite(expected, recalled.orElseThrow(() -> new AssertionError(id + ": not recallable")));
                }
            }
            StoreInvariants.checkCountsAndRecords(store);
        }
    }

    @Provide
    Arbitrary<List<List<Op>>> workloads() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(
                Tuple.of(5, Kind.STORE), Tuple.of(2, Kind.REMOVE), Tuple.of(4, Kind.RECALL), Tuple.of(3, Kind.APPLY));
        Arbitrary<Integer> sizes = Arbitraries.frequency(
                Tuple.of(1, 0), Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(6, 100), Tuple.of(2, 3_000))
                .flatMap(size -> size < 3 ? Arbitraries.just(size) : Arbitraries.integers().between(64, size));
        Arbitrary<Op> op = Combinators.combine(kinds, Arbitraries.integers().between(0, KEYS - 1), sizes,
                Arbitraries.longs().between(0, 300L << 16)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(40).list().ofMinSize(2).ofMaxSize(4);
    }

    /** A write of {@code id} identified by {@code token}; sizes 0, 1, 2 give absent, empty and one-char content. */
    private static Memory memory(String id, long token, int size) {
        switch (size) {
            case 0:
                return Payloads.withContent(SuiteStore.SPACE, id, token, null, DIM);
            case 1:
                return Payloads.withContent(SuiteStore.SPACE, id, token, "", DIM);
            case 2:
                return Payloads.withContent(SuiteStore.SPACE, id, token, "x", DIM);
            default:
                return Payloads.memory(SuiteStore.SPACE, id, token, size, DIM);
        }
    }

    private static void raise(AtomicReferenceArray<Version> floor, int key, Version v) {
        floor.accumulateAndGet(key, v, (a, b) -> a == null || b.isNewerThan(a) ? b : a);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message);
        }
    }
}
