package io.mnemo.shardmap;

/**
 * Maps a memory's {@code (space, id)} to a partition in {@code [0, partitions)}.
 *
 * <p>The hash is part of the on-disk and on-wire contract: data files are organised by partition and
 * clients route by it, so it must never change between JVMs, platforms or Mnemo versions. It is
 * 64-bit FNV-1a over the UTF-8 bytes of the space, one separator byte {@code 0x00} (which cannot
 * appear in a space name), and the UTF-8 bytes of the id, finished with the MurmurHash3 fmix64
 * avalanche so that the low bits are well mixed, then reduced to a partition by Lemire's
 * multiply-shift (unbiased for any partition count, no division). A golden-file test pins the
 * values. The UTF-8 encoding is done in place, so the hot path allocates nothing.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PartitionFunction {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /**
     * The name of this hash and reduction, carried in topologies on the wire so that a client refuses a
     * cluster that partitions differently. Changes only with a new function, never for this one.
     */
    public static final String ID = "fnv1a64-fmix64-lemire";

    /** The default partition count of a cluster. */
    public static final int DEFAULT_PARTITIONS = 256;
    /** The largest partition count supported. */
    public static final int MAX_PARTITIONS = 1 << 16;

    private final int partitions;

    private PartitionFunction(int partitions) {
        this.partitions = partitions;
    }

    /**
     * Returns the partition function for a fixed partition count.
     *
     * @throws IllegalArgumentException if {@code partitions} is not in {@code [1, 65536]}
     */
    public static PartitionFunction of(int partitions) {
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException(
                    "partitions must be in [1, " + MAX_PARTITIONS + "], got " + partitions);
        }
        return new PartitionFunction(partitions);
    }

    /** The partition count P. */
    public int partitions() {
        return partitions;
    }

    /** The partition of a memory. Neither argument may be null. */
    public int partitionOf(String space, String id) {
        return reduce(hash(space, id), partitions);
    }

    /** The stable 64-bit hash of {@code (space, id)}; exposed for tests and diagnostics. */
    public static long hash(String space, String id) {
        long h = FNV_OFFSET;
        h = utf8Fnv(h, space);
        h = (h ^ 0x00) * FNV_PRIME;
        h = utf8Fnv(h, id);
        return fmix64(h);
    }

    static int reduce(long hash, int partitions) {
        // Lemire's fast range reduction on the high 32 bits: (h32 * n) >>> 32 lies in [0, n).
        long high = hash >>> 32;
        return (int) ((high * partitions) >>> 32);
    }

    private static long utf8Fnv(long h, String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i++);
            if (c < 0x80) {
                h = (h ^ c) * FNV_PRIME;
            } else if (c < 0x800) {
                h = (h ^ (0xC0 | (c >> 6))) * FNV_PRIME;
                h = (h ^ (0x80 | (c & 0x3F))) * FNV_PRIME;
            } else if (Character.isHighSurrogate(c) && i < n && Character.isLowSurrogate(s.charAt(i))) {
                int cp = Character.toCodePoint(c, s.charAt(i++));
                h = (h ^ (0xF0 | (cp >> 18))) * FNV_PRIME;
                h = (h ^ (0x80 | ((cp >> 12) & 0x3F))) * FNV_PRIME;
                h = (h ^ (0x80 | ((cp >> 6) & 0x3F))) * FNV_PRIME;
                h = (h ^ (0x80 | (cp & 0x3F))) * FNV_PRIME;
            } else if (Character.isSurrogate(c)) {
                // Unpaired surrogate: String.getBytes(UTF_8) encodes it as '?', and so do we.
                h = (h ^ '?') * FNV_PRIME;
            } else {
                h = (h ^ (0xE0 | (c >> 12))) * FNV_PRIME;
                h = (h ^ (0x80 | ((c >> 6) & 0x3F))) * FNV_PRIME;
                h = (h ^ (0x80 | (c & 0x3F))) * FNV_PRIME;
            }
        }
        return h;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    @Override
    public String toString() {
        return "PartitionFunction[partitions=" + partitions + "]";
    }
}
