package io.mnemo.node.storage.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.StoreStats;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Tier;
import io.mnemo.node.storage.TierCounts;
import io.mnemo.node.storage.TieredStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The structural invariants of a quiescent store (no writes in flight), checked after every suite test:
 *
 * <ul>
 *   <li>scans return each key at most once, and the live warm scan, the tombstone scan and the hot scan
 *       have exactly the sizes {@link TieredStore#counts()} reports, in total and per space;</li>
 *   <li>every live record reads back ({@code read}) with the same version and the same write, and every
 *       self-checking payload is intact;</li>
 *   <li>every hot-tier entry is the current warm record (same version, same write): a stale cached copy
 *       would make recall return an older write than the store holds;</li>
 *   <li>stats are sane: fragmentation in [0, 1], used bytes within file bytes;</li>
 *   <li>after a clean close and reopen the store reports no recovery and holds exactly the same live records.</li>
 * </ul>
 */
final class StoreInvariants {
    private StoreInvariants() {
    }

    /** Checks every invariant, then reopens the store and checks that it reopened clean with the same records. */
    static void check(SuiteStore s) {
        Map<MemoryKey, StoredRecord> live = checkCountsAndRecords(s.store());
        TieredStore reopened = s.reopen();
        StoreStats stats = reopened.stats();
        assertFalse(stats.recovery().uncleanShutdown(), "a clean close must not look like a crash on reopen: " + stats.recovery());
        Map<MemoryKey, StoredRecord> after = checkCountsAndRecords(reopened);
        assertEquals(live.keySet(), after.keySet(), "live keys changed across a clean close and reopen");
        for (Map.Entry<MemoryKey, StoredRecord> e : live.entrySet()) {
            StoredRecord b = after.get(e.getKey());
            assertEquals(e.getValue().version(), b.version(), e.getKey() + ": version changed across reopen");
            Payloads.assertSameWrite(e.getValue().memory().orElseThrow(), b.memory().orElseThrow());
        }
    }

    /** Checks counts against scans and records against reads; returns the live records by key. */
    static Map<MemoryKey, StoredRecord> checkCountsAndRecords(TieredStore store) {
        TierCounts counts = store.counts();
        List<StoredRecord> warm = SuiteStore.scanAll(store, ScanRequest.builder(), 0);
        List<StoredRecord> withTombstones = SuiteStore.scanAll(store, ScanRequest.builder().includeTombstones(true), 0);
        List<StoredRecord> hot = SuiteStore.scanAll(store, ScanRequest.builder().tier(Tier.HOT), 0);

        Map<MemoryKey, StoredRecord> live = byKey(warm, "live warm scan");
        Map<MemoryKey, StoredRecord> all = byKey(withTombstones, "warm scan with tombstones");
        Map<MemoryKey, StoredRecord> cached = byKey(hot, "hot scan");

        long tombstones = withTombstones.stream().filter(StoredRecord::isTombstone).count();
        for (StoredRecord r : warm) {
            assertFalse(r.isTombstone(), r + ": a scan without tombstones returned a tombstone");
        }
        assertEquals(counts.warmTotal(), warm.size(), "counts().warmTotal vs live warm scan size");
        assertEquals(counts.tombstonesTotal(), tombstones, "counts().tombstonesTotal vs tombstones in the scan");
        assertEquals(warm.size() + tombstones, withTombstones.size(), "live + tombstones vs the scan with tombstones");
        assertEquals(counts.hotTotal(), hot.size(), "counts().hotTotal vs hot scan size");
        assertTrue(counts.hotTotal() <= counts.warmTotal(), "more hot than warm memories: " + counts);

        Map<String, long[]> perSpace = new HashMap<>();
        for (StoredRecord r : withTombstones) {
            long[] c = perSpace.computeIfAbsent(r.key().space(), k -> new long[3]);
            c[r.isTombstone() ? 2 : 1]++;
        }
        for (StoredRecord r : hot) {
            perSpace.computeIfAbsent(r.key().space(), k -> new long[3])[0]++;
        }
        for (Map.Entry<String, long[]> e : perSpace.entrySet()) {
            String space = e.getKey();
            assertEquals(e.getValue()[0], counts.hot(space), space + ": hot count vs hot scan");
            assertEquals(e.getValue()[1], counts.warm(space), space + ": warm count vs warm scan");
            assertEquals(e.getValue()[2], counts.tombstones(space), space + ": tombstone count vs scan");
        }
        for (String space : counts.spaces().keySet()) {
            TierCounts.SpaceCounts c = counts.spaces().get(space);
            if (!perSpace.containsKey(space) && (c.hot() != 0 || c.warm() != 0 || c.tombstones() != 0)) {
                fail(space + ": counts report " + c + " but no scan returned a record of it");
            }
        }

        for (StoredRecord r : all.values()) {
            Optional<StoredRecord> read = store.read(r.key().space(), r.key().id());
            assertTrue(read.isPresent(), r.key() + ": scanned but read() finds nothing");
            assertEquals(r.version(), read.get().version(), r.key() + ": scan and read disagree on the version");
            assertEquals(r.isTombstone(), read.get().isTombstone(), r.key() + ": scan and read disagree on liveness");
            if (!r.isTombstone()) {
                Memory m = r.memory().orElseThrow();
                Payloads.assertSameWrite(m, read.get().memory().orElseThrow());
                if (m.contentOrNull() != null && m.contentOrNull().startsWith("mnemo:")) {
                    Payloads.assertIntact(m);
                }
            }
        }
        for (StoredRecord h : cached.values()) {
            StoredRecord w = live.get(h.key());
            if (w == null) {
                fail(h.key() + ": cached in the hot tier but not live in the warm tier: " + h);
            }
            assertEquals(w.version(), h.version(), h.key() + ": the hot tier caches a different version than the warm tier holds");
            Payloads.assertSameWrite(w.memory().orElseThrow(), h.memory().orElseThrow());
        }

        StoreStats stats = store.stats();
        assertTrue(stats.fragmentation() >= 0 && stats.fragmentation() <= 1, "fragmentation out of [0, 1]: " + stats);
        assertTrue(stats.liveBytes() >= 0 && stats.usedBytes() >= 0, "negative byte counts: " + stats);
        assertTrue(stats.usedBytes() <= stats.fileBytes(), "used bytes exceed file bytes: " + stats);
        return live;
    }

    private static Map<MemoryKey, StoredRecord> byKey(List<StoredRecord> records, String what) {
        Map<MemoryKey, StoredRecord> m = new HashMap<>(records.size() * 2);
        for (StoredRecord r : records) {
            StoredRecord prev = m.put(r.key(), r);
            if (prev != null) {
                fail(what + " returned " + r.key() + " twice: " + prev + " and " + r);
            }
        }
        return m;
    }
}
