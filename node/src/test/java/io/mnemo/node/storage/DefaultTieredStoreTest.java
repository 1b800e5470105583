package io.mnemo.node.storage;

import static io.mnemo.node.storage.StoreFixtures.SPACE;
import static io.mnemo.node.storage.StoreFixtures.memory;
import static io.mnemo.node.storage.StoreFixtures.openWithSpace;
import static io.mnemo.node.storage.StoreFixtures.smallConfig;
import static io.mnemo.node.storage.StoreFixtures.withoutStoreFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DefaultTieredStoreTest {
    @TempDir
    Path dir;

    static List<String> contents() {
        return List.of(
                "short",
                "",
                "x".repeat(10_000),
                "\ud83d\ude00\ud83d\udc4d\ud83c\udffd emoji",
                "\u4e2d\u6587\u5185\u5bb9 \u65e5\u672c\u8a9e \ud55c\uad6d\uc5b4",
                "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 RTL",
                "mixed a\u00e9\u4e2d\ud83d\ude00\u05e9 \u0000 nul",
                "\u00e9".repeat(50_000),
                "y".repeat(100_000));
    }

    @ParameterizedTest
    @MethodSource("contents")
    void store_thenRecallAndReopen_roundTripsContent(String content) {
        StorageConfig cfg = smallConfig(dir).build();
        Memory m = memory("id-" + content.length(), content);
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(m);
            assertThat(s.recall(SPACE, m.id()).map(StoreFixtures::withoutStoreFields)).contains(m);
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            Memory back = s.recall(SPACE, m.id()).orElseThrow();
            assertThat(withoutStoreFields(back)).isEqualTo(m);
            assertThat(back.content()).contains(content);
        }
    }

    @Test
    void store_oneMebibyteContent_roundTripsThroughLargeValueFileAndReopen() {
        StorageConfig cfg = smallConfig(dir).build();
        String big = "\u4e2d".repeat((1 << 20) / 3 - 100) + "end";
        Memory m = memory("big", big);
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(m);
            s.store(memory("big2", "b".repeat(1 << 20)));
            assertThat(s.stats().largeValues()).isEqualTo(2);
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.read(SPACE, "big").orElseThrow().memory().orElseThrow().content()).contains(big);
            assertThat(s.recall(SPACE, "big2").orElseThrow().content().orElseThrow()).hasSize(1 << 20);
            s.store(memory("big", "now small"));
            assertThat(s.stats().largeValues()).isEqualTo(1);
            assertThat(s.recall(SPACE, "big").orElseThrow().content()).contains("now small");
        }
    }

    @Test
    void store_contentOverSpaceLimit_isRefusedNotTruncated() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            s.createSpace(SpaceConfig.builder("tiny").dimension(StoreFixtures.DIM).maxContentBytes(4).build());
            Memory m = Memory.builder("tiny", "a").embedding(StoreFixtures.embedding(1)).content("12345").build();
            assertThatThrownBy(() -> s.store(m)).isInstanceOf(InvalidMemoryException.class)
                    .hasMessageContaining("content").hasMessageContaining("at most 4");
            assertThat(s.read("tiny", "a")).isEmpty();
        }
    }

    @Test
    void store_emptyAndAbsentContent_stayDistinctAfterReopen() {
        StorageConfig cfg = smallConfig(dir).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(memory("empty", ""));
            s.store(memory("absent", null));
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.recall(SPACE, "empty").orElseThrow().content()).contains("");
            assertThat(s.recall(SPACE, "absent").orElseThrow().content()).isEmpty();
        }
    }

    @Test
    void store_unknownSpace_throwsUnknownSpace() {
        try (DefaultTieredStore s = TieredStores.open(smallConfig(dir).build())) {
            assertThatThrownBy(() -> s.store(memory("a", "x"))).isInstanceOf(UnknownSpaceException.class)
                    .hasMessageContaining(SPACE);
        }
    }

    @Test
    void spaces_createdAndDropped_persistAcrossReopen() {
        StorageConfig cfg = smallConfig(dir).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            SpaceConfig q = SpaceConfig.builder("quota-space").dimension(4).quotaBytes(1_000_000).maxContentBytes(100).build();
            assertThat(s.createSpace(q)).isEqualTo(q);
            assertThat(s.createSpace(q)).isEqualTo(q);
            assertThatThrownBy(() -> s.createSpace(SpaceConfig.of("quota-space", 5))).isInstanceOf(InvalidMemoryException.class);
            s.createSpace(SpaceConfig.of("doomed", StoreFixtures.DIM));
            s.store(Memory.builder("doomed", "a").embedding(StoreFixtures.embedding(2)).build());
            assertThat(s.dropSpace("doomed")).isTrue();
            assertThat(s.dropSpace("doomed")).isFalse();
            assertThat(s.counts().warm("doomed")).isZero();
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.listSpaces()).extracting(SpaceConfig::name).containsExactly("quota-space", SPACE);
            assertThat(s.listSpaces().get(0).quotaBytes()).hasValue(1_000_000);
        }
    }

    @Test
    void recall_updatesAccessStatistics_persistedOnClose() {
        StoreFixtures.ManualClock clock = new StoreFixtures.ManualClock(1_000_000);
        StorageConfig cfg = smallConfig(dir).clock(clock).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(memory("a", "x"));
            s.recall(SPACE, "a");
            clock.advanceMillis(5);
            Memory m = s.recall(SPACE, "a").orElseThrow();
            assertThat(m.accessCount()).isEqualTo(2);
            assertThat(m.lastAccessNs()).isEqualTo(1_000_005L * 1_000_000L);
            assertThat(s.read(SPACE, "a").orElseThrow().memory().orElseThrow().accessCount()).isEqualTo(2);
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.read(SPACE, "a").orElseThrow().memory().orElseThrow().accessCount()).isEqualTo(2);
            assertThat(s.recall(SPACE, "a").orElseThrow().accessCount()).isEqualTo(3);
        }
    }

    @Test
    void remove_tombstone_survivesReopenAndBlocksOlderApply() {
        StorageConfig cfg = smallConfig(dir).build();
        Version stored;
        Version removed;
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            stored = s.store(memory("a", "x")).storedVersion();
            WriteResult r = s.remove(SPACE, "a");
            assertThat(r.applied()).isTrue();
            removed = r.storedVersion();
            assertThat(removed.isNewerThan(stored)).isTrue();
            assertThat(s.remove(SPACE, "a").applied()).isFalse();
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.recall(SPACE, "a")).isEmpty();
            StoredRecord t = s.read(SPACE, "a").orElseThrow();
            assertThat(t.isTombstone()).isTrue();
            assertThat(t.version()).isEqualTo(removed);
            assertThat(s.counts().tombstones(SPACE)).isEqualTo(1);
            Memory late = memory("a", "late").toBuilder().version(stored).build();
            assertThat(s.apply(StoredRecord.live(late)).applied()).isFalse();
            assertThat(s.recall(SPACE, "a")).isEmpty();
        }
    }

    @Test
    void collectGarbage_tombstoneOlderThanGrace_isRemovedAndSpaceReported() {
        StoreFixtures.ManualClock clock = new StoreFixtures.ManualClock(10_000_000);
        StorageConfig cfg = smallConfig(dir).clock(clock).tombstoneGracePeriod(Duration.ofMinutes(1)).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(memory("a", "x"));
            s.remove(SPACE, "a");
            s.remove(SPACE, "never-existed");
            assertThat(s.collectGarbage()).isZero();
            clock.advanceMillis(Duration.ofMinutes(2).toMillis());
            s.remove(SPACE, "fresh");
            assertThat(s.collectGarbage()).isEqualTo(2);
            assertThat(s.read(SPACE, "a")).isEmpty();
            assertThat(s.read(SPACE, "fresh").orElseThrow().isTombstone()).isTrue();
            assertThat(s.counts().tombstones(SPACE)).isEqualTo(1);
            assertThat(s.stats().tombstonesCollected()).isEqualTo(2);
        }
    }

    @Test
    void maintenanceLoop_tombstonePastGrace_collectedInBackground() {
        StoreFixtures.ManualClock clock = new StoreFixtures.ManualClock(10_000_000);
        StorageConfig cfg = smallConfig(dir).clock(clock).tombstoneGracePeriod(Duration.ofMinutes(1))
                .maintenanceInterval(Duration.ofMillis(10)).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(memory("a", "x"));
            s.remove(SPACE, "a");
            assertThat(s.read(SPACE, "a").orElseThrow().isTombstone()).isTrue();
            clock.advanceMillis(Duration.ofMinutes(2).toMillis());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (s.stats().tombstonesCollected() < 1) {
                assertThat(System.nanoTime()).as("tombstone collected by the maintenance loop within 20 s").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(s.read(SPACE, "a")).isEmpty();
            assertThat(s.maintenanceFailures()).isZero();
        }
    }

    @Test
    void preparePartition_createsFirstFileOnce_thenWritesAndReopenWork() throws IOException {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            int p = s.partitionOf(SPACE, "a");
            Path partDir = dir.resolve(String.format("p-%04d", p));
            s.preparePartition(p);
            s.preparePartition(p);
            try (var files = Files.list(partDir)) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactly("records-0000.cmap");
            }
            s.store(memory("a", "x"));
            assertThat(s.recall(SPACE, "a").orElseThrow().content()).contains("x");
            assertThatThrownBy(() -> s.preparePartition(-1)).isInstanceOf(IllegalArgumentException.class);
        }
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            assertThat(s.recall(SPACE, "a").orElseThrow().content()).contains("x");
        }
    }

    @Test
    void maintenanceInterval_negative_refusedWithValue() {
        assertThatThrownBy(() -> smallConfig(dir).maintenanceInterval(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maintenanceInterval").hasMessageContaining("-0.005");
    }

    @Test
    void apply_lastWriterWins_byVersionRegardlessOfOrder() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            Memory v1 = memory("k", "one").toBuilder().version(new Version(100L << 16, 1)).build();
            Memory v2 = memory("k", "two").toBuilder().version(new Version(100L << 16, 2)).build();
            assertThat(s.apply(StoredRecord.live(v2)).applied()).isTrue();
            WriteResult old = s.apply(StoredRecord.live(v1));
            assertThat(old.applied()).isFalse();
            assertThat(old.storedVersion()).isEqualTo(v2.versionOrNull());
            assertThat(s.apply(StoredRecord.live(v2)).applied()).isFalse();
            assertThat(s.recall(SPACE, "k").orElseThrow().content()).contains("two");
            WriteResult local = s.store(memory("k", "three"));
            assertThat(local.storedVersion().isNewerThan(v2.versionOrNull())).isTrue();
            assertThat(s.apply(StoredRecord.tombstone(new MemoryKey(SPACE, "k"), new Version(1, 9))).applied()).isFalse();
        }
    }

    @Test
    void applyAll_mixedBatch_sameOutcomesAndStateAsApplyOneByOne() {
        List<StoredRecord> batch = List.of(
                StoredRecord.live(memory("k0", "older").toBuilder().version(new Version(100L << 16, 1)).build()),
                StoredRecord.live(memory("k1", "first").toBuilder().version(new Version(200L << 16, 1)).build()),
                // A recent tombstone: reopening collects tombstones older than the grace period.
                StoredRecord.tombstone(new MemoryKey(SPACE, "k2"), new Version(System.currentTimeMillis() << 16, 1)),
                StoredRecord.live(Memory.builder("nope", "k3").embedding(new float[StoreFixtures.DIM])
                        .version(new Version(220L << 16, 1)).build()),
                StoredRecord.live(Memory.builder(SPACE, "k4").embedding(new float[StoreFixtures.DIM + 1])
                        .version(new Version(230L << 16, 1)).build()),
                StoredRecord.live(memory("k1", "second").toBuilder().version(new Version(240L << 16, 1)).build()),
                StoredRecord.live(memory("k5", "z".repeat(40_000)).toBuilder().version(new Version(250L << 16, 1)).build()),
                StoredRecord.tombstone(new MemoryKey(SPACE, "k0"), new Version(90L << 16, 3)));
        StoredRecord newerK0 = StoredRecord.live(memory("k0", "newer").toBuilder().version(new Version(150L << 16, 2)).build());
        List<Object> oneByOne = new ArrayList<>();
        TierCounts expectedCounts;
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir.resolve("one")).build())) {
            s.apply(newerK0);
            for (StoredRecord r : batch) {
                try {
                    oneByOne.add(s.apply(r));
                } catch (RuntimeException e) {
                    oneByOne.add(e.getClass());
                }
            }
            expectedCounts = s.counts();
        }
        StorageConfig cfg = smallConfig(dir.resolve("all")).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.apply(newerK0);
            List<ApplyOutcome> outcomes = s.applyAll(batch);
            assertThat(outcomes).hasSize(batch.size());
            List<Object> asOne = new ArrayList<>();
            for (ApplyOutcome o : outcomes) {
                asOne.add(o.ok() ? o.result() : o.error().getClass());
            }
            assertThat(asOne).isEqualTo(oneByOne);
            assertThat(asOne.get(0)).isEqualTo(new WriteResult(false, newerK0.version()));
            assertThat(asOne.get(3)).isEqualTo(UnknownSpaceException.class);
            assertThat(asOne.get(4)).isEqualTo(InvalidMemoryException.class);
            assertThat(s.counts()).as("hot tier written through, tallies exact").isEqualTo(expectedCounts);
            assertThat(s.recall(SPACE, "k1").orElseThrow().content()).contains("second");
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.read(SPACE, "k0").orElseThrow().memory().orElseThrow().content()).contains("newer");
            assertThat(s.read(SPACE, "k1").orElseThrow().version()).isEqualTo(new Version(240L << 16, 1));
            assertThat(s.read(SPACE, "k2").orElseThrow().isTombstone()).isTrue();
            assertThat(s.read(SPACE, "k5").orElseThrow().memory().orElseThrow().content()).contains("z".repeat(40_000));
            assertThat(s.read(SPACE, "k4")).isEmpty();
        }
    }

    @Test
    void applyAll_afterClose_throwsStoreClosed() {
        DefaultTieredStore s = openWithSpace(smallConfig(dir).build());
        s.close();
        assertThatThrownBy(() -> s.applyAll(List.of(StoredRecord.live(memory("k", "x").toBuilder()
                .version(new Version(1L << 16, 1)).build())))).isInstanceOf(StoreClosedException.class);
    }

    @Test
    void open_unknownFormatVersion_refusedNamingVersionsAndMigration() throws IOException {
        StorageConfig cfg = smallConfig(dir).build();
        TieredStores.open(cfg).close();
        Path f = dir.resolve("FORMAT");
        Files.writeString(f, Files.readString(f).replace("formatVersion=1", "formatVersion=7"));
        assertThatThrownBy(() -> TieredStores.open(cfg)).isInstanceOf(UnsupportedFormatException.class)
                .hasMessageContaining("format version 7").hasMessageContaining("supports version 1")
                .hasMessageContaining("migrate");
    }

    @Test
    void open_otherPartitionCount_refused() {
        TieredStores.open(smallConfig(dir).build()).close();
        assertThatThrownBy(() -> TieredStores.open(StorageConfig.builder(dir).partitions(8).build()))
                .isInstanceOf(StorageException.class).hasMessageContaining("4 partitions");
    }

    @Test
    void open_whileAnotherStoreHasTheDirectory_refused() {
        StorageConfig cfg = smallConfig(dir).build();
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s).isNotNull();
            assertThatThrownBy(() -> TieredStores.open(cfg)).isInstanceOf(StorageException.class).hasMessageContaining("in use");
        }
    }

    @Test
    void open_withoutCleanMarker_recoversAndReports() throws IOException {
        StorageConfig cfg = smallConfig(dir).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 50; i++) {
                s.store(memory("k" + i, "v" + i));
            }
            s.store(memory("large", "L".repeat(100_000)));
            s.remove(SPACE, "k3");
            assertThat(s.stats().recovery()).isEqualTo(RecoveryReport.CLEAN);
        }
        Files.delete(dir.resolve(ChronicleWarmTier.CLEAN_MARKER));
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            RecoveryReport r = s.stats().recovery();
            assertThat(r.uncleanShutdown()).isTrue();
            assertThat(r.filesRecovered()).isGreaterThanOrEqualTo(5);
            assertThat(s.counts().warm(SPACE)).isEqualTo(50);
            assertThat(s.recall(SPACE, "k7").orElseThrow().content()).contains("v7");
            assertThat(s.recall(SPACE, "large").orElseThrow().content().orElseThrow()).hasSize(100_000);
            assertThat(s.read(SPACE, "k3").orElseThrow().isTombstone()).isTrue();
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThat(s.stats().recovery().uncleanShutdown()).isFalse();
        }
    }

    @Test
    void corruption_flippedByteOnDisk_recallFailsTypedOthersServedScanSkips() throws IOException {
        StorageConfig cfg = smallConfig(dir).build();
        String marker = "UNIQUE-CONTENT-MARKER-7f3a9c";
        int victimPartition;
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 40; i++) {
                s.store(memory("k" + i, "value " + i));
            }
            s.store(memory("victim", marker));
            victimPartition = s.partitionOf(SPACE, "victim");
        }
        Path file = dir.resolve(PartitionStore.dirName(victimPartition)).resolve("records-0000.cmap");
        flipByteOf(file, marker);

        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            assertThatThrownBy(() -> s.recall(SPACE, "victim"))
                    .isInstanceOfSatisfying(CorruptionDetectedException.class, e -> {
                        assertThat(e.file()).isEqualTo(file);
                        assertThat(e.key()).isEqualTo(SPACE + "/victim");
                        assertThat(e.expectedChecksum()).isNotEqualTo(e.actualChecksum());
                    });
            // A digest read checks the header's CRC too: the same typed error, never a version of a broken record.
            assertThatThrownBy(() -> s.readVersion(SPACE, "victim")).isInstanceOf(CorruptionDetectedException.class);
            for (int i = 0; i < 40; i++) {
                assertThat(s.recall(SPACE, "k" + i).orElseThrow().content()).contains("value " + i);
            }
            List<String> ids = new ArrayList<>();
            try (ScanCursor c = s.scan(ScanRequest.space(SPACE))) {
                c.forEachRemaining(r -> ids.add(r.key().id()));
            }
            assertThat(ids).hasSize(40).doesNotContain("victim");
            StoreStats st = s.stats();
            assertThat(st.scanCorruptionsSkipped()).isEqualTo(1);
            assertThat(st.corruptionsDetected()).isEqualTo(3);
            List<String> visited = new ArrayList<>();
            s.forEachVersion(victimPartition, (k, v, tombstone) -> visited.add(k.id()));
            assertThat(visited).doesNotContain("victim");
            assertThat(s.stats().scanCorruptionsSkipped()).isEqualTo(2);
            assertThat(s.stats().corruptionsDetected()).isEqualTo(4);
            s.store(memory("victim", "repaired"));
            assertThat(s.recall(SPACE, "victim").orElseThrow().content()).contains("repaired");
        }
    }

    @Test
    void corruption_scanPolicyFail_throwsFromCursor() throws IOException {
        StorageConfig cfg = smallConfig(dir).scanCorruptionPolicy(ScanCorruptionPolicy.FAIL).build();
        String marker = "ANOTHER-UNIQUE-MARKER-11d0";
        int p;
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(memory("victim", marker));
            p = s.partitionOf(SPACE, "victim");
        }
        flipByteOf(dir.resolve(PartitionStore.dirName(p)).resolve("records-0000.cmap"), marker);
        try (DefaultTieredStore s = TieredStores.open(cfg); ScanCursor c = s.scan(ScanRequest.all())) {
            assertThatThrownBy(c::hasNext).isInstanceOf(CorruptionDetectedException.class);
        }
    }

    private static void flipByteOf(Path file, String unique) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] needle = unique.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, needle);
        assertThat(at).as("record bytes of %s in %s", unique, file).isNotNegative();
        assertThat(indexOf(bytes, needle, at + 1)).as("marker is unique").isNegative();
        bytes[at + needle.length / 2] ^= 0x01;
        Files.write(file, bytes);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        return indexOf(hay, needle, 0);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void hotTier_overBudget_evictsAndRecallPromotesFromWarm() {
        StorageConfig cfg = smallConfig(dir).hotTierMaxBytes(64 << 10).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 100; i++) {
                s.store(memory("k" + i, "c".repeat(2_000)));
            }
            StoreStats st = s.stats();
            assertThat(st.hotBytes()).isLessThanOrEqualTo(64 << 10);
            assertThat(st.hotEvictions()).isGreaterThan(0);
            assertThat(st.hotEntries()).isLessThan(100);
            TierCounts counts = s.counts();
            assertThat(counts.warm(SPACE)).isEqualTo(100);
            assertThat(counts.hot(SPACE)).isEqualTo(st.hotEntries());
            String evicted = null;
            for (int i = 0; i < 100 && evicted == null; i++) {
                try (ScanCursor c = s.scan(ScanRequest.builder().tier(Tier.HOT).build())) {
                    List<String> hotIds = new ArrayList<>();
                    c.forEachRemaining(r -> hotIds.add(r.key().id()));
                    if (!hotIds.contains("k" + i)) {
                        evicted = "k" + i;
                    }
                }
            }
            assertThat(evicted).isNotNull();
            long misses = s.stats().hotMisses();
            assertThat(s.recall(SPACE, evicted)).isPresent();
            assertThat(s.stats().hotMisses()).isEqualTo(misses + 1);
            // W-TinyLFU admits a newcomer once its frequency beats the eviction victim's: recall until cached.
            long hits = s.stats().hotHits();
            for (int i = 0; i < 50 && s.stats().hotHits() == hits; i++) {
                assertThat(s.recall(SPACE, evicted)).isPresent();
            }
            assertThat(s.stats().hotHits()).isGreaterThan(hits);
        }
    }

    @Test
    void hotAdmission_ifCached_neverAddsButKeepsACachedCopyCurrent_andClientReadsPromote() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            Memory a1 = memory("a", "a-one").toBuilder().version(new Version(100L << 16, 1)).build();
            assertThat(s.apply(StoredRecord.live(a1), HotAdmission.IF_CACHED).applied()).isTrue();
            assertThat(s.counts().hot(SPACE)).isZero();
            assertThat(s.counts().warm(SPACE)).isEqualTo(1);

            // An internal read leaves the hot tier alone; a client's read promotes the warm-tier hit.
            long misses = s.stats().hotMisses();
            assertThat(s.read(SPACE, "a").flatMap(StoredRecord::memory).flatMap(Memory::content)).contains("a-one");
            assertThat(s.counts().hot(SPACE)).isZero();
            assertThat(s.stats().hotMisses()).isEqualTo(misses);
            assertThat(s.read(SPACE, "a", HotAdmission.ADMIT).flatMap(StoredRecord::memory).flatMap(Memory::content))
                    .contains("a-one");
            assertThat(s.counts().hot(SPACE)).isEqualTo(1);
            assertThat(s.stats().hotMisses()).isEqualTo(misses + 1);
            long hits = s.stats().hotHits();
            assertThat(s.read(SPACE, "a", HotAdmission.ADMIT)).isPresent();
            assertThat(s.stats().hotHits()).isEqualTo(hits + 1);

            // Now cached: a newer replicated version replaces the copy, so no read sees the old one.
            Memory a2 = memory("a", "a-two").toBuilder().version(new Version(101L << 16, 2)).build();
            assertThat(s.apply(StoredRecord.live(a2), HotAdmission.IF_CACHED).applied()).isTrue();
            assertThat(s.counts().hot(SPACE)).isEqualTo(1);
            assertThat(s.read(SPACE, "a").flatMap(StoredRecord::memory).flatMap(Memory::content)).contains("a-two");
            try (ScanCursor c = s.scan(ScanRequest.builder().tier(Tier.HOT).build())) {
                assertThat(c.next().memory().flatMap(Memory::content)).contains("a-two");
            }

            // A replicated tombstone drops the cached copy; the read answers the tombstone.
            Version gone = new Version(102L << 16, 2);
            assertThat(s.apply(StoredRecord.tombstone(new MemoryKey(SPACE, "a"), gone), HotAdmission.IF_CACHED)
                    .applied()).isTrue();
            assertThat(s.counts().hot(SPACE)).isZero();
            assertThat(s.read(SPACE, "a", HotAdmission.ADMIT).map(StoredRecord::isTombstone)).contains(true);
            assertThat(s.counts().hot(SPACE)).isZero();

            // A batch follows the same rule; ADMIT (the coordinator's own write) caches.
            Memory b = memory("b", "bee").toBuilder().version(new Version(103L << 16, 1)).build();
            Memory c = memory("c", "sea").toBuilder().version(new Version(103L << 16, 1)).build();
            assertThat(s.applyAll(List.of(StoredRecord.live(b)), HotAdmission.IF_CACHED).get(0).ok()).isTrue();
            assertThat(s.applyAll(List.of(StoredRecord.live(c)), HotAdmission.ADMIT).get(0).ok()).isTrue();
            try (ScanCursor cur = s.scan(ScanRequest.builder().tier(Tier.HOT).build())) {
                List<String> hotIds = new ArrayList<>();
                cur.forEachRemaining(r -> hotIds.add(r.key().id()));
                assertThat(hotIds).containsExactly("c");
            }
            assertThat(s.counts().warm(SPACE)).isEqualTo(2);
        }
    }

    @Test
    void readVersion_fromTheWarmHeaderOrTheHotTier_matchesRead_andPromotesNothing() {
        StorageConfig cfg = smallConfig(dir).build();
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            for (int i = 0; i < 30; i++) {
                s.store(memory("k" + i, i % 3 == 0 ? "" : "v" + i));
            }
            for (int i = 0; i < 30; i += 5) {
                s.remove(SPACE, "k" + i);
            }
        }
        try (DefaultTieredStore s = TieredStores.open(cfg)) {
            for (int i = 0; i < 30; i++) {
                StoredRecord r = s.read(SPACE, "k" + i, HotAdmission.IF_CACHED).orElseThrow();
                assertThat(s.readVersion(SPACE, "k" + i)).contains(new HeldVersion(r.version(), r.isTombstone()));
            }
            assertThat(s.readVersion(SPACE, "never-stored")).isEmpty();
            assertThat(s.stats().hotEntries()).as("a digest read promotes nothing").isZero();

            Version recalled = s.read(SPACE, "k1", HotAdmission.ADMIT).orElseThrow().version();
            assertThat(s.stats().hotEntries()).isEqualTo(1);
            assertThat(s.readVersion(SPACE, "k1")).contains(new HeldVersion(recalled, false));
            assertThatThrownBy(() -> s.readVersion("no-such-space", "k1")).isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("no-such-space");
        }
    }

    @Test
    void forEachVersion_visitsEveryRecordsKeyVersionAndKind_asAScanWithTombstonesSeesThem() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            for (int i = 0; i < 60; i++) {
                s.store(memory("k" + i, i % 4 == 0 ? null : "v" + i));
            }
            for (int i = 0; i < 60; i += 7) {
                s.remove(SPACE, "k" + i);
            }
            for (int p = 0; p < s.partitions(); p++) {
                java.util.Map<MemoryKey, String> scanned = new java.util.HashMap<>();
                try (ScanCursor c = s.scan(ScanRequest.builder().partition(p).includeTombstones(true).build())) {
                    c.forEachRemaining(r -> scanned.put(r.key(), r.version() + "/" + r.isTombstone()));
                }
                java.util.Map<MemoryKey, String> visited = new java.util.HashMap<>();
                s.forEachVersion(p, (k, v, tombstone) -> assertThat(visited.put(k, v + "/" + tombstone)).isNull());
                assertThat(visited).isEqualTo(scanned);
            }
            assertThatThrownBy(() -> s.forEachVersion(s.partitions(), (k, v, t) -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition");
        }
    }

    @Test
    void close_twiceAndConcurrently_isIdempotentAndUseAfterCloseThrows() throws Exception {
        DefaultTieredStore s = openWithSpace(smallConfig(dir).build());
        s.store(memory("a", "x"));
        Thread t = new Thread(s::close);
        t.start();
        s.close();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        s.close();
        assertThatThrownBy(() -> s.recall(SPACE, "a")).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> s.store(memory("b", "y"))).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(s::counts).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> s.scan(ScanRequest.all())).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(() -> s.createSpace(SpaceConfig.of("z"))).isInstanceOf(StoreClosedException.class);
        try (DefaultTieredStore again = TieredStores.open(smallConfig(dir).build())) {
            assertThat(again.recall(SPACE, "a")).isPresent();
        }
    }

    @Test
    void dropPartition_removesOnlyThatPartitionsFiles() throws IOException {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            for (int i = 0; i < 40; i++) {
                s.store(memory("k" + i, "v"));
            }
            int p = s.partitionOf(SPACE, "k0");
            long inP = 0;
            try (ScanCursor c = s.scan(ScanRequest.builder().partition(p).build())) {
                while (c.hasNext()) {
                    assertThat(s.partitionOf(SPACE, c.next().key().id())).isEqualTo(p);
                    inP++;
                }
            }
            s.dropPartition(p);
            assertThat(Files.exists(dir.resolve(PartitionStore.dirName(p)))).isFalse();
            assertThat(droppedLeftovers()).isEmpty();
            assertThat(s.recall(SPACE, "k0")).isEmpty();
            assertThat(s.counts().warm(SPACE)).isEqualTo(40 - inP);
            assertThat(s.store(memory("k0", "back")).applied()).isTrue();
            assertThat(s.recall(SPACE, "k0").orElseThrow().content()).contains("back");
            s.dropPartition(p);
            assertThat(s.recall(SPACE, "k0")).isEmpty();
            assertThat(droppedLeftovers()).isEmpty();
            assertThat(s.counts().warm(SPACE)).isEqualTo(40 - inP);
        }
    }

    @Test
    void open_partitionDroppedByADeadProcess_itsRenamedDirectoryIsDeletedAndNeverCounted() throws IOException {
        int p;
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            s.store(memory("k0", "v"));
            s.store(memory("other", "v"));
            p = s.partitionOf(SPACE, "k0");
        }
        // A process killed between moving the partition aside and deleting it leaves the renamed directory.
        Path partitionDir = dir.resolve(PartitionStore.dirName(p));
        Files.move(partitionDir, dir.resolve(PartitionStore.dirName(p) + ChronicleWarmTier.DROPPED_SUFFIX + "1"));
        try (DefaultTieredStore s = TieredStores.open(smallConfig(dir).build())) {
            assertThat(droppedLeftovers()).isEmpty();
            assertThat(s.recall(SPACE, "k0")).isEmpty();
            assertThat(s.partitionsWithFiles()).doesNotContain(p);
            if (s.partitionOf(SPACE, "other") != p) {
                assertThat(s.recall(SPACE, "other")).isPresent();
            }
        }
    }

    private List<Path> droppedLeftovers() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(ChronicleWarmTier.DROPPED_SUFFIX)).toList();
        }
    }

    @Test
    void read_neverSeenKey_isEmptyAndInvalidIdIsTyped() {
        try (DefaultTieredStore s = openWithSpace(smallConfig(dir).build())) {
            assertThat(s.read(SPACE, "nope")).isEqualTo(Optional.empty());
            assertThatThrownBy(() -> s.recall(SPACE, "")).isInstanceOf(InvalidMemoryException.class);
            assertThatThrownBy(() -> s.recall("Bad Space", "x")).isInstanceOf(InvalidMemoryException.class);
        }
    }
}
