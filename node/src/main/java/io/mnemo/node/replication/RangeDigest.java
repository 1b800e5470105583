package io.mnemo.node.replication;

import java.util.Objects;

/**
 * The digest of the records whose digest key hash falls in {@code range} (see {@link DigestScheme}): two
 * order-independent 64-bit sums and the record count, tombstones included. Immutable.
 */
public record RangeDigest(HashRange range, long sum1, long sum2, long records) {
    public RangeDigest {
        Objects.requireNonNull(range, "range");
        if (records < 0) {
            throw new IllegalArgumentException("records must be >= 0, got " + records);
        }
    }

    /** True if both sides summarise the same records (same range, sums and count). */
    public boolean sameAs(RangeDigest other) {
        return range.equals(other.range) && sum1 == other.sum1 && sum2 == other.sum2 && records == other.records;
    }
}
