package io.mnemo.bench.storage;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A precomputed, seeded sequence of key indexes drawn from a Zipf distribution over {@code [0, n)}, so that a
 * benchmark's hot loop only reads the next array slot (the draw itself is not measured). Ranks are scattered
 * over the key space by a fixed bijection, so the hottest keys are not neighbours in any partition order.
 */
final class ZipfKeys {
    private final int[] sequence;
    private final int mask;

    /**
     * @param n        number of distinct keys
     * @param exponent Zipf exponent s (0.99 is YCSB's default: a few keys take most accesses)
     * @param length   sequence length, a power of two
     * @param seed     RNG seed; printed by the runner so a run can be replayed
     */
    ZipfKeys(int n, double exponent, int length, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        if (Integer.bitCount(length) != 1) {
            throw new IllegalArgumentException("length must be a power of two, got " + length);
        }
        double[] cdf = new double[n];
        double sum = 0;
        for (int rank = 0; rank < n; rank++) {
            sum += 1.0 / Math.pow(rank + 1, exponent);
            cdf[rank] = sum;
        }
        long multiplier = coprimeMultiplier(n);
        SplittableRandom rnd = new SplittableRandom(seed);
        sequence = new int[length];
        for (int i = 0; i < length; i++) {
            double u = rnd.nextDouble() * sum;
            int rank = Arrays.binarySearch(cdf, u);
            if (rank < 0) {
                rank = -rank - 1;
            }
            sequence[i] = (int) ((Math.min(rank, n - 1) * multiplier) % n);
        }
        mask = length - 1;
    }

    /** The key index for step {@code i} (wraps around). */
    int at(int i) {
        return sequence[i & mask];
    }

    /** Share of the sequence taken by the {@code top} most frequent keys, for the report. */
    double topShare(int top) {
        int[] counts = new int[Arrays.stream(sequence).max().orElse(0) + 1];
        for (int k : sequence) {
            counts[k]++;
        }
        Arrays.sort(counts);
        long hits = 0;
        for (int i = counts.length - 1; i >= 0 && i >= counts.length - top; i--) {
            hits += counts[i];
        }
        return (double) hits / sequence.length;
    }

    /** A multiplier coprime to n, so that {@code rank * m mod n} is a bijection of [0, n) that scatters ranks. */
    private static long coprimeMultiplier(int n) {
        if (n == 1) {
            return 1;
        }
        long a = 0x9E3779B1L % n;
        while (a == 0 || gcd(a, n) != 1) {
            a = a + 1 >= n ? 1 : a + 1;
        }
        return a;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
