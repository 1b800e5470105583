package io.mnemo.node.replication;

import java.util.List;

/**
 * One replica's digest of one partition: {@value DigestScheme#BUCKETS} bucket digests in bucket order. Immutable.
 */
public final class PartitionDigest {
    private final int partition;
    private final List<RangeDigest> buckets;

    /**
     * @throws IllegalArgumentException unless {@code buckets} are exactly the scheme's buckets, in order
     */
    public PartitionDigest(int partition, List<RangeDigest> buckets) {
        if (buckets.size() != DigestScheme.BUCKETS) {
            throw new IllegalArgumentException("expected " + DigestScheme.BUCKETS + " buckets, got " + buckets.size());
        }
        for (int b = 0; b < buckets.size(); b++) {
            if (!buckets.get(b).range().equals(DigestScheme.bucketRange(b))) {
                throw new IllegalArgumentException("bucket " + b + " has range " + buckets.get(b).range()
                        + ", expected " + DigestScheme.bucketRange(b));
            }
        }
        this.partition = partition;
        this.buckets = List.copyOf(buckets);
    }

    public int partition() {
        return partition;
    }

    public List<RangeDigest> buckets() {
        return buckets;
    }

    /** Records in the partition, tombstones included. */
    public long records() {
        long n = 0;
        for (RangeDigest d : buckets) {
            n += d.records();
        }
        return n;
    }

    /** A mask with bit {@code b} set for every bucket whose digest differs from {@code other}'s. */
    public long diff(PartitionDigest other) {
        long mask = 0;
        for (int b = 0; b < DigestScheme.BUCKETS; b++) {
            if (!buckets.get(b).sameAs(other.buckets.get(b))) {
                mask |= 1L << b;
            }
        }
        return mask;
    }

    @Override
    public String toString() {
        return "PartitionDigest[partition=" + partition + ", records=" + records() + "]";
    }
}
