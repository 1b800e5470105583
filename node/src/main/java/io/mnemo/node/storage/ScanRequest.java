package io.mnemo.node.storage;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a {@link TieredStore#scan} returns: one space or all, one partition or all, the warm tier (every
 * record) or the hot tier (only what is cached now), with or without tombstones, from the start or from
 * a resume token, and at most {@code pageHint} records per cursor. Immutable.
 */
public final class ScanRequest {
    private final String space;
    private final Tier tier;
    private final int partition; // -1 = all
    private final boolean includeTombstones;
    private final String resumeToken;
    private final int pageHint; // 0 = unbounded

    private ScanRequest(Builder b) {
        this.space = b.space;
        this.tier = b.tier;
        this.partition = b.partition;
        this.includeTombstones = b.includeTombstones;
        this.resumeToken = b.resumeToken;
        this.pageHint = b.pageHint;
    }

    /** Every live record of the node, warm tier. */
    public static ScanRequest all() {
        return builder().build();
    }

    /** Every live record of one space, warm tier. */
    public static ScanRequest space(String space) {
        return builder().space(space).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The space to scan; empty means every space. */
    public Optional<String> space() {
        return Optional.ofNullable(space);
    }

    /** {@link Tier#WARM} (default) for every record, {@link Tier#HOT} for only the cached ones. */
    public Tier tier() {
        return tier;
    }

    /** The one partition to scan (streaming a partition for rebalancing); empty means every partition. */
    public OptionalInt partition() {
        return partition < 0 ? OptionalInt.empty() : OptionalInt.of(partition);
    }

    public boolean includeTombstones() {
        return includeTombstones;
    }

    public Optional<String> resumeToken() {
        return Optional.ofNullable(resumeToken);
    }

    /** The most records one cursor returns before it stops (resume with its token); 0 means no limit. */
    public int pageHint() {
        return pageHint;
    }

    /** Builds a {@link ScanRequest}; each setter validates its value. */
    public static final class Builder {
        private String space;
        private Tier tier = Tier.WARM;
        private int partition = -1;
        private boolean includeTombstones;
        private String resumeToken;
        private int pageHint;

        private Builder() {
        }

        /** Only records of {@code space}; null means every space. */
        public Builder space(String v) {
            if (v != null) {
                SpaceConfig.validateName(v);
            }
            this.space = v;
            return this;
        }

        public Builder tier(Tier v) {
            this.tier = Objects.requireNonNull(v, "tier");
            return this;
        }

        /** Only records of one partition, in [0, partitions). */
        public Builder partition(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("partition must be >= 0, got " + v);
            }
            this.partition = v;
            return this;
        }

        public Builder includeTombstones(boolean v) {
            this.includeTombstones = v;
            return this;
        }

        /** Continue after the position a previous cursor's {@link ScanCursor#resumeToken()} named. */
        public Builder resumeToken(String v) {
            this.resumeToken = v;
            return this;
        }

        /** At most {@code v} records per cursor; 0 means no limit. */
        public Builder pageHint(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("pageHint must be >= 0, got " + v);
            }
            this.pageHint = v;
            return this;
        }

        public ScanRequest build() {
            return new ScanRequest(this);
        }
    }
}
