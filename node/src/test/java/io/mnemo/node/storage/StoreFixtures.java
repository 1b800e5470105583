package io.mnemo.node.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Shared helpers of the storage tests: small configs, a manual clock and memory factories. */
final class StoreFixtures {
    static final String SPACE = "s1";
    static final int DIM = 8;

    private StoreFixtures() {
    }

    /** A small, fast config: 4 partitions, small segments. */
    static StorageConfig.Builder smallConfig(Path dir) {
        return smallConfig(dir, 4);
    }

    /** A small, fast config with {@code partitions} partitions. */
    static StorageConfig.Builder smallConfig(Path dir, int partitions) {
        return StorageConfig.builder(dir)
                .partitions(partitions)
                .entriesPerSegment(512)
                .averageValueBytes(512)
                .largeValueThresholdBytes(16 << 10)
                .largeEntriesPerSegment(16)
                .largeAverageValueBytes(256 << 10);
    }

    static DefaultTieredStore openWithSpace(StorageConfig config) {
        DefaultTieredStore s = TieredStores.open(config);
        s.createSpace(SpaceConfig.of(SPACE, DIM));
        return s;
    }

    static float[] embedding(long seed) {
        Random r = new Random(seed);
        float[] e = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            e[i] = r.nextFloat() * 2 - 1;
        }
        return e;
    }

    static Memory memory(String id, String content) {
        return Memory.builder(SPACE, id).content(content).embedding(embedding(id.hashCode()))
                .createdAtNs(1_000L).lastAccessNs(2_000L).confidence(0.5f).activation(0.25f).decayRate(0.1f).build();
    }

    /** A memory equal to {@code m} apart from the fields the store sets (version, access statistics). */
    static Memory withoutStoreFields(Memory m) {
        return m.toBuilder().version(null).accessCount(0).lastAccessNs(2_000L).build();
    }

    /** A clock tests move by hand. */
    static final class ManualClock extends Clock {
        private final AtomicLong millis;

        ManualClock(long startMillis) {
            this.millis = new AtomicLong(startMillis);
        }

        void advanceMillis(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }
}
