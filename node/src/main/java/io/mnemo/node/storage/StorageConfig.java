package io.mnemo.node.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The settings of one node's storage engine. Immutable; built by a validating {@link Builder} whose
 * setters reject bad values (naming the value) and refuse being set twice, and whose {@link Builder#build()}
 * checks settings against each other.
 *
 * <p>Warm-tier sizing ({@code entriesPerSegment}, {@code averageValueBytes}, {@code largeValueThresholdBytes},
 * {@code largeEntriesPerSegment}, {@code largeAverageValueBytes}) is recorded in the data directory's format
 * header when the directory is created; a later open uses the recorded sizing, so the files and their
 * recovery always agree. The other settings apply at every open.
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th></tr>
 * <tr><td>dataDir</td><td>(required)</td></tr>
 * <tr><td>partitions</td><td>256; must equal the cluster's partition count, fixed at creation</td></tr>
 * <tr><td>nodeId</td><td>0; stamped into every version this node writes</td></tr>
 * <tr><td>hotTierMaxBytes</td><td>256 MiB</td></tr>
 * <tr><td>entriesPerSegment</td><td>16384 records per partition segment file</td></tr>
 * <tr><td>averageValueBytes</td><td>4096 (a 768-dim memory with a short content is ~3.2 KB)</td></tr>
 * <tr><td>maxSegmentsPerPartition</td><td>16; past it writes of new keys fail with QuotaExceededException</td></tr>
 * <tr><td>largeValueThresholdBytes</td><td>65536; larger encoded records keep their body in a large-value file</td></tr>
 * <tr><td>largeEntriesPerSegment</td><td>64</td></tr>
 * <tr><td>largeAverageValueBytes</td><td>256 KiB</td></tr>
 * <tr><td>tombstoneGracePeriod</td><td>7 days</td></tr>
 * <tr><td>maintenanceInterval</td><td>1 minute between tombstone collections; ZERO turns the loop off</td></tr>
 * <tr><td>scanCorruptionPolicy</td><td>SKIP</td></tr>
 * <tr><td>clock</td><td>Clock.systemUTC()</td></tr>
 * </table>
 */
public final class StorageConfig {
    private final Path dataDir;
    private final int partitions;
    private final int nodeId;
    private final long hotTierMaxBytes;
    private final int entriesPerSegment;
    private final int averageValueBytes;
    private final int maxSegmentsPerPartition;
    private final int largeValueThresholdBytes;
    private final int largeEntriesPerSegment;
    private final int largeAverageValueBytes;
    private final Duration tombstoneGracePeriod;
    private final Duration maintenanceInterval;
    private final ScanCorruptionPolicy scanCorruptionPolicy;
    private final Clock clock;

    private StorageConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.partitions = b.partitions;
        this.nodeId = b.nodeId;
        this.hotTierMaxBytes = b.hotTierMaxBytes;
        this.entriesPerSegment = b.entriesPerSegment;
        this.averageValueBytes = b.averageValueBytes;
        this.maxSegmentsPerPartition = b.maxSegmentsPerPartition;
        this.largeValueThresholdBytes = b.largeValueThresholdBytes;
        this.largeEntriesPerSegment = b.largeEntriesPerSegment;
        this.largeAverageValueBytes = b.largeAverageValueBytes;
        this.tombstoneGracePeriod = b.tombstoneGracePeriod;
        this.maintenanceInterval = b.maintenanceInterval;
        this.scanCorruptionPolicy = b.scanCorruptionPolicy;
        this.clock = b.clock;
    }

    /** A builder for a store in {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** The default settings for a store in {@code dataDir}. */
    public static StorageConfig defaults(Path dataDir) {
        return builder(dataDir).build();
    }

    /** A builder preset with every setting of this config (for reopening with one change). */
    public Builder toBuilder() {
        Builder b = new Builder(dataDir);
        b.partitions = partitions;
        b.nodeId = nodeId;
        b.hotTierMaxBytes = hotTierMaxBytes;
        b.entriesPerSegment = entriesPerSegment;
        b.averageValueBytes = averageValueBytes;
        b.maxSegmentsPerPartition = maxSegmentsPerPartition;
        b.largeValueThresholdBytes = largeValueThresholdBytes;
        b.largeEntriesPerSegment = largeEntriesPerSegment;
        b.largeAverageValueBytes = largeAverageValueBytes;
        b.tombstoneGracePeriod = tombstoneGracePeriod;
        b.maintenanceInterval = maintenanceInterval;
        b.scanCorruptionPolicy = scanCorruptionPolicy;
        b.clock = clock;
        return b;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int partitions() {
        return partitions;
    }

    public int nodeId() {
        return nodeId;
    }

    public long hotTierMaxBytes() {
        return hotTierMaxBytes;
    }

    public int entriesPerSegment() {
        return entriesPerSegment;
    }

    public int averageValueBytes() {
        return averageValueBytes;
    }

    public int maxSegmentsPerPartition() {
        return maxSegmentsPerPartition;
    }

    public int largeValueThresholdBytes() {
        return largeValueThresholdBytes;
    }

    public int largeEntriesPerSegment() {
        return largeEntriesPerSegment;
    }

    public int largeAverageValueBytes() {
        return largeAverageValueBytes;
    }

    public Duration tombstoneGracePeriod() {
        return tombstoneGracePeriod;
    }

    /** Time between runs of the background maintenance (tombstone collection); ZERO means no background loop. */
    public Duration maintenanceInterval() {
        return maintenanceInterval;
    }

    public ScanCorruptionPolicy scanCorruptionPolicy() {
        return scanCorruptionPolicy;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "StorageConfig[dataDir=" + dataDir + ", partitions=" + partitions + ", nodeId=" + nodeId
                + ", hotTierMaxBytes=" + hotTierMaxBytes + ", entriesPerSegment=" + entriesPerSegment
                + ", averageValueBytes=" + averageValueBytes + ", maxSegmentsPerPartition=" + maxSegmentsPerPartition
                + ", largeValueThresholdBytes=" + largeValueThresholdBytes + ", largeEntriesPerSegment="
                + largeEntriesPerSegment + ", largeAverageValueBytes=" + largeAverageValueBytes
                + ", tombstoneGracePeriod=" + tombstoneGracePeriod + ", maintenanceInterval=" + maintenanceInterval
                + ", scanCorruptionPolicy=" + scanCorruptionPolicy + "]";
    }

    /** Builds a {@link StorageConfig}. Not thread-safe. */
    public static final class Builder {
        private final Path dataDir;
        private int partitions = 256;
        private int nodeId;
        private long hotTierMaxBytes = 256L << 20;
        private int entriesPerSegment = 16_384;
        private int averageValueBytes = 4096;
        private int maxSegmentsPerPartition = 16;
        private int largeValueThresholdBytes = 64 << 10;
        private int largeEntriesPerSegment = 64;
        private int largeAverageValueBytes = 256 << 10;
        private Duration tombstoneGracePeriod = Duration.ofDays(7);
        private Duration maintenanceInterval = Duration.ofMinutes(1);
        private ScanCorruptionPolicy scanCorruptionPolicy = ScanCorruptionPolicy.SKIP;
        private Clock clock = Clock.systemUTC();
        private final Set<String> set = new HashSet<>();

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        }

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        private static int requireRange(String name, long v, long min, long max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + v);
            }
            return (int) v;
        }

        /** The cluster's partition count P, in [1, 65536]. */
        public Builder partitions(int v) {
            once("partitions");
            this.partitions = requireRange("partitions", v, 1, 1 << 16);
            return this;
        }

        /** This node's id, stamped into the versions it writes; in [0, 2^31). */
        public Builder nodeId(int v) {
            once("nodeId");
            this.nodeId = requireRange("nodeId", v, 0, Integer.MAX_VALUE);
            return this;
        }

        /** The hot tier's bound in bytes; 0 disables caching. */
        public Builder hotTierMaxBytes(long v) {
            once("hotTierMaxBytes");
            if (v < 0) {
                throw new IllegalArgumentException("hotTierMaxBytes must be >= 0, got " + v);
            }
            this.hotTierMaxBytes = v;
            return this;
        }

        /** Records per partition segment file, in [16, 2^26]. */
        public Builder entriesPerSegment(int v) {
            once("entriesPerSegment");
            this.entriesPerSegment = requireRange("entriesPerSegment", v, 16, 1 << 26);
            return this;
        }

        /** The average encoded record size Chronicle Map sizes a segment by, in [64, 1 MiB]. */
        public Builder averageValueBytes(int v) {
            once("averageValueBytes");
            this.averageValueBytes = requireRange("averageValueBytes", v, 64, 1 << 20);
            return this;
        }

        /** Segment files a partition may roll over to before writes of new keys are refused, in [1, 4096]. */
        public Builder maxSegmentsPerPartition(int v) {
            once("maxSegmentsPerPartition");
            this.maxSegmentsPerPartition = requireRange("maxSegmentsPerPartition", v, 1, 4096);
            return this;
        }

        /** Encoded records larger than this keep their body in the partition's large-value files; [256, 1 MiB]. */
        public Builder largeValueThresholdBytes(int v) {
            once("largeValueThresholdBytes");
            this.largeValueThresholdBytes = requireRange("largeValueThresholdBytes", v, 256, 1 << 20);
            return this;
        }

        /** Large-value bodies per large-value segment file, in [4, 2^20]. */
        public Builder largeEntriesPerSegment(int v) {
            once("largeEntriesPerSegment");
            this.largeEntriesPerSegment = requireRange("largeEntriesPerSegment", v, 4, 1 << 20);
            return this;
        }

        /** The average large-value body size a large-value file is sized by, in [4 KiB, 16 MiB]. */
        public Builder largeAverageValueBytes(int v) {
            once("largeAverageValueBytes");
            this.largeAverageValueBytes = requireRange("largeAverageValueBytes", v, 4 << 10, 16 << 20);
            return this;
        }

        /** How long a tombstone is kept before garbage collection; at least 1 ms. */
        public Builder tombstoneGracePeriod(Duration v) {
            once("tombstoneGracePeriod");
            if (v == null || v.isNegative() || v.toMillis() < 1) {
                throw new IllegalArgumentException("tombstoneGracePeriod must be >= 1 ms, got " + v);
            }
            this.tombstoneGracePeriod = v;
            return this;
        }

        /** Time between background tombstone collections; {@code Duration.ZERO} turns the loop off, else >= 1 ms. */
        public Builder maintenanceInterval(Duration v) {
            once("maintenanceInterval");
            if (v == null || v.isNegative() || (!v.isZero() && v.toMillis() < 1)) {
                throw new IllegalArgumentException("maintenanceInterval must be ZERO (off) or >= 1 ms, got " + v);
            }
            this.maintenanceInterval = v;
            return this;
        }

        public Builder scanCorruptionPolicy(ScanCorruptionPolicy v) {
            once("scanCorruptionPolicy");
            this.scanCorruptionPolicy = Objects.requireNonNull(v, "scanCorruptionPolicy");
            return this;
        }

        /** The time source for versions, access times and tombstone expiry. */
        public Builder clock(Clock v) {
            once("clock");
            this.clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /** Checks the settings against each other and builds the config. */
        public StorageConfig build() {
            if (largeValueThresholdBytes > largeAverageValueBytes) {
                throw new IllegalArgumentException("largeValueThresholdBytes (" + largeValueThresholdBytes
                        + ") must be <= largeAverageValueBytes (" + largeAverageValueBytes + ")");
            }
            if (averageValueBytes > largeValueThresholdBytes) {
                throw new IllegalArgumentException("averageValueBytes (" + averageValueBytes
                        + ") must be <= largeValueThresholdBytes (" + largeValueThresholdBytes + ")");
            }
            return new StorageConfig(this);
        }
    }
}
