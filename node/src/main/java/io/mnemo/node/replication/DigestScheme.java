package io.mnemo.node.replication;

import io.mnemo.node.storage.MemoryKey;
import io.mnemo.node.storage.StoredRecord;
import io.mnemo.node.storage.Version;
import io.mnemo.shardmap.PartitionFunction;

/**
 * How anti-entropy summarises a partition (digest format {@value #FORMAT}).
 *
 * <p><b>Key hash.</b> A record's digest key hash is the stable partition hash of {@code (space, id)}
 * ({@link PartitionFunction#hash}) rotated by 32 bits. The partition is chosen from the hash's high 32 bits, so
 * all keys of one partition share a narrow band of them; rotating brings the independent low 32 bits to the top,
 * so equal-width ranges of the rotated hash hold about equal numbers of a partition's keys.
 *
 * <p><b>Buckets.</b> The partition is split into {@value #BUCKETS} equal ranges of the key hash (bucket = top 6
 * bits), which lets a set of differing buckets travel as one {@code long} mask.
 *
 * <p><b>Record hash.</b> Each record contributes two independent 64-bit mixes of (key hash, HLC, writer node id,
 * tombstone flag). A bucket's digest is the pair of their <em>sums</em> mod 2^64 plus the record count: sums are
 * order independent (replicas scan in any order) and, unlike XOR, a record counted twice does not cancel out.
 * Only the version identifies a write (a version is stamped once, by one node), so values are not hashed; local
 * access statistics, which legitimately differ between replicas, are left out.
 */
final class DigestScheme {
    /** The wire's {@code digest_format} of this scheme. */
    static final int FORMAT = 1;
    /** Buckets per partition; one bit each in a {@code long} mask. */
    static final int BUCKETS = 64;
    private static final int BUCKET_SHIFT = 64 - Integer.numberOfTrailingZeros(BUCKETS);

    private DigestScheme() {
    }

    /** The digest key hash of a key. */
    static long keyHash(MemoryKey key) {
        return Long.rotateLeft(PartitionFunction.hash(key.space(), key.id()), 32);
    }

    /** The bucket of a digest key hash, in [0, {@value #BUCKETS}). */
    static int bucketOf(long keyHash) {
        return (int) (keyHash >>> BUCKET_SHIFT);
    }

    /** True if {@code key}'s bucket has its bit set in {@code bucketMask}. */
    static boolean inBuckets(MemoryKey key, long bucketMask) {
        return (bucketMask & (1L << bucketOf(keyHash(key)))) != 0;
    }

    /** The range of bucket {@code b}. */
    static HashRange bucketRange(int b) {
        long start = (long) b << BUCKET_SHIFT;
        long end = b == BUCKETS - 1 ? 0L : (long) (b + 1) << BUCKET_SHIFT;
        return new HashRange(start, end);
    }

    /** First lane of a record's contribution. */
    static long recordHash1(long keyHash, StoredRecord r) {
        return recordHash1(keyHash, r.version(), r.isTombstone());
    }

    /** {@link #recordHash1(long, StoredRecord)} from a record's version and kind alone. */
    static long recordHash1(long keyHash, Version v, boolean tombstone) {
        return mix(keyHash ^ mix(v.hlc() + 0x9E3779B97F4A7C15L) ^ ((long) v.nodeId() << 1) ^ (tombstone ? 1L : 0L));
    }

    /** Second, independent lane of a record's contribution. */
    static long recordHash2(long keyHash, StoredRecord r) {
        return recordHash2(keyHash, r.version(), r.isTombstone());
    }

    /** {@link #recordHash2(long, StoredRecord)} from a record's version and kind alone. */
    static long recordHash2(long keyHash, Version v, boolean tombstone) {
        long h = Long.rotateLeft(keyHash, 17) * 0xC2B2AE3D27D4EB4FL;
        h ^= v.hlc() * 0x165667B19E3779F9L;
        h ^= (v.nodeId() + 1L) * 0x27D4EB2F165667C5L;
        h ^= tombstone ? 0x85EBCA77C2B2AE63L : 0L;
        return mix(h);
    }

    /** MurmurHash3's fmix64 finaliser. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
