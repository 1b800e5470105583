package io.mnemo.bench.shardmap;

import java.util.Arrays;
import java.util.Random;

/** Zipf-distributed key indexes by inverse transform over the cumulative weights {@code 1 / rank^s}. */
final class ZipfSampler {
    private ZipfSampler() {
    }

    /** {@code count} draws in {@code [0, keys)}, rank 0 the most frequent, shuffled so hot keys are not adjacent ids. */
    static int[] draws(int keys, double s, int count, Random random) {
        double[] cumulative = new double[keys];
        double sum = 0;
        for (int i = 0; i < keys; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cumulative[i] = sum;
        }
        int[] permutation = new int[keys];
        for (int i = 0; i < keys; i++) {
            permutation[i] = i;
        }
        for (int i = keys - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
        }
        int[] draws = new int[count];
        for (int i = 0; i < count; i++) {
            int rank = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            draws[i] = permutation[rank >= 0 ? rank : Math.min(keys - 1, -rank - 1)];
        }
        return draws;
    }
}
