package io.mnemo.node.replication;

import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import java.util.ArrayList;
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

    /**
     * Sums records into bucket digests as {@link DigestScheme} does, for a digest of records seen one by one (the
     * rebalancer's digest of a stream it applied). A key added twice counts twice. Not thread-safe.
     */
    static final class Builder {
        private final long[] sum1 = new long[DigestScheme.BUCKETS];
        private final long[] sum2 = new long[DigestScheme.BUCKETS];
        private final long[] count = new long[DigestScheme.BUCKETS];

        void add(StoredRecord r) {
            add(r.key(), r.version(), r.isTombstone());
        }

        /** Adds a record known by its key, version and kind (a store's {@code forEachVersion}). */
        void add(MemoryKey key, Version version, boolean tombstone) {
            long kh = DigestScheme.keyHash(key);
            int b = DigestScheme.bucketOf(kh);
            sum1[b] += DigestScheme.recordHash1(kh, version, tombstone);
            sum2[b] += DigestScheme.recordHash2(kh, version, tombstone);
            count[b]++;
        }

        PartitionDigest build(int partition) {
            List<RangeDigest> buckets = new ArrayList<>(DigestScheme.BUCKETS);
            for (int b = 0; b < DigestScheme.BUCKETS; b++) {
                buckets.add(new RangeDigest(DigestScheme.bucketRange(b), sum1[b], sum2[b], count[b]));
            }
            return new PartitionDigest(partition, buckets);
        }
    }

    @Override
    public String toString() {
        return "PartitionDigest[partition=" + partition + ", records=" + records() + "]";
    }
}
