package io.mnemo.node.storage;

import static io.mnemo.node.storage.StoreFixtures.SPACE;
import static io.mnemo.node.storage.StoreFixtures.memory;
import static io.mnemo.node.storage.StoreFixtures.openWithSpace;
import static io.mnemo.node.storage.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScanAndCapacityTest {
    @TempDir
    Path dir;

    private static List<StoredRecord> drain(ScanCursor c) {
        List<StoredRecord> out = new ArrayList<>();
        c.forEachRemaining(out::add);
        return out;
    }

    @Test
    void scan_pagedWithResumeTokens_returnsEveryRecordOnceInPartitionKeyOrder() {
        StorageConfig cfg = smallConfig(dir).build();
        List<String> pagedIds = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 200; i++) {
                s.store(memory("k" + i, "v" + i));
            }
            s.remove(SPACE, "k5");
            String token = null;
            int pages = 0;
            while (true) {
                ScanRequest.Builder b = ScanRequest.builder().space(SPACE).pageHint(17);
                if (token != null) {
                    b.resumeToken(token);
                }
                try (ScanCursor c = s.scan(b.build())) {
                    for (StoredRecord r : drain(c)) {
                        pagedIds.add(r.key().id());
                        partitions.add(s.partitionOf(SPACE, r.key().id()));
                    }
                    token = c.resumeToken();
                    pages++;
                    if (c.isExhausted()) {
                        break;
                    }
                }
            }
            assertThat(pages).isEqualTo(12);
            List<String> oneShot = new ArrayList<>();
            try (ScanCursor c = s.scan(ScanRequest.space(SPACE))) {
                drain(c).forEach(r -> oneShot.add(r.key().id()));
            }
            assertThat(pagedIds).isEqualTo(oneShot);
            try (ScanCursor c = s.scan(ScanRequest.builder().space(SPACE).includeTombstones(true).build())) {
                assertThat(drain(c)).hasSize(200).filteredOn(StoredRecord::isTombstone).hasSize(1);
            }
        }
        assertThat(pagedIds).hasSize(199).doesNotHaveDuplicates().doesNotContain("k5");
        assertThat(partitions).isSorted();
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            String mid;
            try (ScanCursor c = s.scan(ScanRequest.builder().space(SPACE).pageHint(100).build())) {
                drain(c);
                mid = c.resumeToken();
            }
            try (ScanCursor c = s.scan(ScanRequest.builder().space(SPACE).resumeToken(mid).build())) {
                assertThat(drain(c)).extracting(r -> r.key().id()).isEqualTo(pagedIds.subList(100, 199));
            }
        }
    }

    @Test
    void scan_malformedToken_isTyped() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            assertThatThrownBy(() -> s.scan(ScanRequest.builder().resumeToken("garbage").build()))
                    .isInstanceOf(InvalidMemoryException.class).hasMessageContaining("resumeToken");
        }
    }

    @Test
    void scan_duringConcurrentWrites_returnsEveryStableRecordExactlyOnce() throws Exception {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            for (int i = 0; i < 300; i++) {
                s.store(memory("stable-" + i, "v"));
            }
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> writer = pool.submit(() -> {
                    int n = 0;
                    while (!stop.get()) {
                        s.store(memory("churn-" + (n % 150), "w" + n));
                        if (n % 3 == 0) {
                            s.remove(SPACE, "churn-" + ((n + 7) % 150));
                        }
                        s.store(memory("stable-" + (n % 300), "updated " + n));
                        n++;
                    }
                    return null;
                });
                Set<String> seen = new HashSet<>();
                List<String> stableSeen = new ArrayList<>();
                String token = null;
                boolean done = false;
                while (!done) {
                    ScanRequest.Builder b = ScanRequest.builder().space(SPACE).pageHint(25);
                    if (token != null) {
                        b.resumeToken(token);
                    }
                    try (ScanCursor c = s.scan(b.build())) {
                        for (StoredRecord r : drain(c)) {
                            assertThat(seen.add(r.key().id())).as("returned twice: %s", r.key()).isTrue();
                            if (r.key().id().startsWith("stable-")) {
                                stableSeen.add(r.key().id());
                            }
                        }
                        token = c.resumeToken();
                        done = c.isExhausted();
                    }
                }
                stop.set(true);
                writer.get(60, TimeUnit.SECONDS);
                assertThat(stableSeen).hasSize(300);
            } finally {
                stop.set(true);
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void counts_concurrentWritersAndRemovers_areExactAfterward() throws Exception {
        int threads = 4;
        int perThread = 300;
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).hotTierMaxBytes(32 << 10).build())) {
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    fs.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < perThread; i++) {
                            s.store(memory("t" + id + "-" + i, "v" + i));
                            s.store(memory("shared-" + (i % 50), "t" + id));
                            if (i % 4 == 0) {
                                s.remove(SPACE, "t" + id + "-" + i);
                            }
                            s.recall(SPACE, "shared-" + ((i * 7) % 50));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get(90, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            long removedPerThread = (perThread + 3) / 4;
            long expectedLive = threads * (perThread - removedPerThread) + 50;
            TierCounts c = s.counts();
            assertThat(c.warm(SPACE)).isEqualTo(expectedLive);
            assertThat(c.warmTotal()).isEqualTo(expectedLive);
            assertThat(c.tombstones(SPACE)).isEqualTo(threads * removedPerThread);
            long scanned;
            try (ScanCursor cur = s.scan(ScanRequest.space(SPACE))) {
                scanned = drain(cur).size();
            }
            assertThat(scanned).isEqualTo(expectedLive);
            long hotScanned;
            try (ScanCursor cur = s.scan(ScanRequest.builder().tier(Tier.HOT).build())) {
                hotScanned = drain(cur).size();
            }
            assertThat(c.hot(SPACE)).isEqualTo(hotScanned).isEqualTo(s.stats().hotEntries());
        }
    }

    @Test
    void recall_concurrentWithEvictions_losesNoAccessCount() throws Exception {
        int threads = 4;
        int perThread = 500;
        StorageConfig cfg = smallConfig(dir).hotTierMaxBytes(8 << 10).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 40; i++) {
                s.store(memory("hot-" + i, "c".repeat(300)));
            }
            CyclicBarrier start = new CyclicBarrier(threads);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    fs.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < perThread; i++) {
                            assertThat(s.recall(SPACE, "hot-" + ((i * 13 + seed * 7) % 40))).isPresent();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get(90, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(s.stats().hotEvictions()).isPositive();
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            long total = 0;
            for (int i = 0; i < 40; i++) {
                total += s.read(SPACE, "hot-" + i).orElseThrow().memory().orElseThrow().accessCount();
            }
            assertThat(total).isEqualTo((long) threads * perThread);
        }
    }

    @Test
    void capacity_segmentFull_rollsOverAndAllKeysSurviveReopen() {
        StorageConfig cfg = smallConfig(dir, 1).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 1_300; i++) {
                s.store(memory("k" + i, "v" + i));
            }
            assertThat(s.stats().segmentFiles()).isEqualTo(3);
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.counts().warm(SPACE)).isEqualTo(1_300);
            for (int i = 0; i < 1_300; i += 37) {
                assertThat(s.recall(SPACE, "k" + i).orElseThrow().content()).contains("v" + i);
            }
        }
    }

    @Test
    void capacity_maxSegmentsReached_refusesNewKeysWithQuotaError() {
        StorageConfig cfg = smallConfig(dir, 1).maxSegmentsPerPartition(2).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            int stored = 0;
            QuotaExceededException refused = null;
            for (int i = 0; i < 5_000 && refused == null; i++) {
                try {
                    s.store(memory("k" + i, "v" + i));
                    stored++;
                } catch (QuotaExceededException e) {
                    refused = e;
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).contains("maxSegmentsPerPartition=2");
            assertThat(stored).isBetween(1_000, 1_100);
            assertThat(s.counts().warm(SPACE)).isEqualTo(stored);
            assertThat(s.store(memory("k0", "update of an existing key")).applied()).isTrue();
            s.remove(SPACE, "k1");
        }
    }

    @Test
    void quota_spaceQuotaExceeded_refusesWriteNamingLimit() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            s.createSpace(SpaceConfig.builder("capped").dimension(StoreFixtures.DIM).quotaBytes(2_000).build());
            int ok = 0;
            QuotaExceededException refused = null;
            for (int i = 0; i < 100 && refused == null; i++) {
                try {
                    s.store(Memory.builder("capped", "k" + i).embedding(StoreFixtures.embedding(i)).content("x".repeat(100)).build());
                    ok++;
                } catch (QuotaExceededException e) {
                    refused = e;
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.getMessage()).contains("capped").contains("2000");
            assertThat(s.counts().warm("capped")).isEqualTo(ok);
            assertThat(s.stats().liveBytes()).isLessThanOrEqualTo(2_000);
        }
    }

    @Test
    void removedEntries_spaceIsReused_fileDoesNotGrow() {
        StorageConfig cfg = smallConfig(dir, 1).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 400; i++) {
                s.store(memory("a" + i, "x".repeat(200)));
            }
            long fileBytes = s.stats().fileBytes();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 400; i++) {
                    s.remove(SPACE, "a" + i);
                }
                s.collectGarbage();
                for (int i = 0; i < 400; i++) {
                    s.store(memory("a" + i, "y".repeat(200)));
                }
            }
            StoreStats st = s.stats();
            assertThat(st.fileBytes()).isEqualTo(fileBytes);
            assertThat(st.segmentFiles()).isEqualTo(1);
            assertThat(st.liveBytes()).isPositive();
            assertThat(st.fragmentation()).isBetween(0.0, 1.0);
        }
    }
}
