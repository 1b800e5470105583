package io.mnemo.shardmap;

/**
 * Sorts (partition, member) pair indices by descending score, equal scores by ascending index, so the
 * visiting order of {@link Matcher} is total and reproducible. A stable bottom-up merge sort over
 * primitive arrays: no boxing for the hundreds of thousands of pairs of a large topology.
 */
final class PairOrder {
    private PairOrder() {
    }

    static int[] descending(double[] scores) {
        int n = scores.length;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] b = new int[n];
        for (int width = 1; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += width << 1) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + (width << 1), n);
                merge(scores, a, b, lo, mid, hi);
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    private static void merge(double[] scores, int[] src, int[] dst, int lo, int mid, int hi) {
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
            // Strictly greater on the right wins; otherwise the left (lower index) goes first: stable.
            if (scores[src[j]] > scores[src[i]]) {
                dst[k++] = src[j++];
            } else {
                dst[k++] = src[i++];
            }
        }
        while (i < mid) {
            dst[k++] = src[i++];
        }
        while (j < hi) {
            dst[k++] = src[j++];
        }
    }
}
