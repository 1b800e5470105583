package io.mnemo.node.replication;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A range {@code [start, end)} of 64-bit digest key hashes, compared as unsigned; {@code end == 0} means 2^64
 * (the wire's {@code HashRange}). Immutable.
 */
public record HashRange(long start, long end) {
    /** Every hash. */
    public static final HashRange ALL = new HashRange(0L, 0L);
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    public HashRange {
        if (end != 0 && Long.compareUnsigned(start, end) >= 0) {
            throw new IllegalArgumentException("empty or inverted range [" + Long.toUnsignedString(start) + ", "
                    + Long.toUnsignedString(end) + ")");
        }
    }

    /** True if {@code hash} lies in this range. */
    public boolean contains(long hash) {
        return Long.compareUnsigned(hash, start) >= 0 && (end == 0 || Long.compareUnsigned(hash, end) < 0);
    }

    /** This range cut into {@code parts} contiguous sub-ranges of equal width (the last takes the remainder). */
    public List<HashRange> split(int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be >= 1, got " + parts);
        }
        BigInteger lo = new BigInteger(Long.toUnsignedString(start));
        BigInteger hi = end == 0 ? TWO_64 : new BigInteger(Long.toUnsignedString(end));
        BigInteger width = hi.subtract(lo);
        if (width.compareTo(BigInteger.valueOf(parts)) < 0) {
            throw new IllegalArgumentException("cannot split a range of width " + width + " into " + parts);
        }
        BigInteger step = width.divide(BigInteger.valueOf(parts));
        List<HashRange> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            BigInteger s = lo.add(step.multiply(BigInteger.valueOf(i)));
            BigInteger e = i == parts - 1 ? hi : s.add(step);
            out.add(new HashRange(s.longValue(), e.equals(TWO_64) ? 0L : e.longValue()));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "[" + Long.toHexString(start) + ", " + (end == 0 ? "2^64" : Long.toHexString(end)) + ")";
    }
}
