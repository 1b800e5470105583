package io.mnemo.node.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The hot tier: a Caffeine cache (W-TinyLFU) of decoded live memories, bounded by an estimate of their
 * heap bytes. It is a write-through cache: the warm tier always has every record, so evicting an entry
 * only drops the cached copy.
 *
 * <p><b>Access statistics.</b> A recall updates {@code accessCount} and {@code lastAccess} in the cached
 * entry only and marks it dirty. When a dirty entry is evicted, the eviction listener (which runs inside
 * Caffeine's maintenance, on whatever thread triggered it, and so must not block or lock) parks its
 * memory in {@link #pendingStats}; the store writes parked stats back to the warm tier outside any lock,
 * and a recall that misses the hot tier merges the parked stats first, so no increment is lost while the
 * process lives. Close writes every dirty entry back. A crash loses the increments still only in memory:
 * they are soft, node-local statistics, not versioned data.
 *
 * <p><b>Exactness.</b> Maintenance runs on the calling threads ({@code executor(Runnable::run)}), and every
 * size or count read calls {@link Cache#cleanUp()} first, so counts and weights never include pending work.
 * Hit, miss and eviction counters are the store's own {@link LongAdder}s.
 */
final class HotTier {
    private final Cache<MemoryKey, HotEntry> cache;
    private final boolean enabled;
    private final ConcurrentHashMap<MemoryKey, Memory> pendingStats = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    HotTier(long maxBytes) {
        this.enabled = maxBytes > 0;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((MemoryKey k, HotEntry e) -> e.weight())
                .executor(Runnable::run)
                .evictionListener((MemoryKey k, HotEntry e, RemovalCause cause) -> onEviction(k, e))
                .build();
    }

    private void onEviction(MemoryKey key, HotEntry e) {
        evictions.increment();
        if (key != null && e != null && e.dirty()) {
            pendingStats.merge(key, e.memory(), HotTier::newerStats);
        }
    }

    /** Of two copies of one memory, the one with more accesses (and the later access time). */
    static Memory newerStats(Memory a, Memory b) {
        if (!a.version().equals(b.version())) {
            return a.versionOrNull().compareTo(b.versionOrNull()) >= 0 ? a : b;
        }
        return a.accessCount() >= b.accessCount() ? a : b;
    }

    HotEntry get(MemoryKey key) {
        return cache.getIfPresent(key);
    }

    /** Reads without counting as an access for the eviction policy. */
    HotEntry peek(MemoryKey key) {
        return cache.policy().getIfPresentQuietly(key);
    }

    void put(MemoryKey key, Memory m, boolean dirty) {
        if (enabled) {
            cache.put(key, new HotEntry(m, dirty, weigh(m)));
        }
    }

    void invalidate(MemoryKey key) {
        cache.invalidate(key);
    }

    /** Drops every cached copy matching {@code which}; returns the dirty ones so their stats can be saved. */
    Map<MemoryKey, Memory> invalidateIf(Predicate<MemoryKey> which) {
        Map<MemoryKey, Memory> dirty = new HashMap<>();
        for (MemoryKey k : cache.asMap().keySet()) {
            if (which.test(k)) {
                HotEntry e = cache.asMap().remove(k);
                if (e != null && e.dirty()) {
                    dirty.put(k, e.memory());
                }
            }
        }
        pendingStats.keySet().removeIf(which);
        return dirty;
    }

    /** Removes and returns the parked stats of {@code key}, or null. */
    Memory takePending(MemoryKey key) {
        return pendingStats.remove(key);
    }

    boolean hasPending() {
        return !pendingStats.isEmpty();
    }

    Iterable<MemoryKey> pendingKeys() {
        return pendingStats.keySet();
    }

    /** Every dirty cached memory (for close). */
    Map<MemoryKey, Memory> dirtyEntries() {
        Map<MemoryKey, Memory> out = new HashMap<>();
        cache.asMap().forEach((k, e) -> {
            if (e.dirty()) {
                out.put(k, e.memory());
            }
        });
        return out;
    }

    void recordHit() {
        hits.increment();
    }

    void recordMiss() {
        misses.increment();
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }

    long evictions() {
        cache.cleanUp();
        return evictions.sum();
    }

    long weightedBytes() {
        cache.cleanUp();
        return cache.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L);
    }

    /** Exact per-space entry counts. */
    Map<String, Long> countsBySpace() {
        cache.cleanUp();
        Map<String, Long> out = new HashMap<>();
        for (MemoryKey k : cache.asMap().keySet()) {
            out.merge(k.space(), 1L, Long::sum);
        }
        return out;
    }

    /** Exact per-space entry counts of the keys {@code include} accepts. */
    Map<String, Long> countsBySpace(java.util.function.Predicate<MemoryKey> include) {
        cache.cleanUp();
        Map<String, Long> out = new HashMap<>();
        for (MemoryKey k : cache.asMap().keySet()) {
            if (include.test(k)) {
                out.merge(k.space(), 1L, Long::sum);
            }
        }
        return out;
    }

    long size() {
        cache.cleanUp();
        return cache.asMap().size();
    }

    void clear() {
        cache.invalidateAll();
        cache.cleanUp();
        pendingStats.clear();
    }

    /** An estimate of a memory's heap bytes: object headers, strings, embedding, content. */
    static int weigh(Memory m) {
        long w = 160L + 2L * (m.space().length() + m.id().length()) + 4L * m.dimension();
        String c = m.contentOrNull();
        if (c != null) {
            w += 48L + 2L * c.length();
        }
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    /**
     * A cached memory. Immutable: a recall replaces the entry with one carrying the new statistics.
     *
     * @param memory the memory with its current access statistics
     * @param dirty  true if the statistics are newer than the warm tier's
     * @param weight the entry's weight in bytes
     */
    record HotEntry(Memory memory, boolean dirty, int weight) {
    }
}
