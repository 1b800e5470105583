package io.mnemo.node.storage.suite;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statistics the suites report: nearest-rank percentiles over recorded latencies and the least-squares
 * slope of a series. Reports only; a test asserts correctness, never speed.
 */
final class Stats {
    private Stats() {
    }

    /** Latencies in nanoseconds, recorded from one thread or merged after the threads joined. */
    static final class Latencies {
        private long[] values;
        private int size;

        Latencies(int expected) {
            values = new long[Math.max(16, expected)];
        }

        void record(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = nanos;
        }

        void addAll(Latencies other) {
            for (int i = 0; i < other.size; i++) {
                record(other.values[i]);
            }
        }

        int count() {
            return size;
        }

        /** Nearest-rank percentile (p in [0, 100]); 0 if nothing was recorded. */
        long percentile(double p) {
            if (size == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return nearestRank(sorted, p);
        }

        /** count, mean, p50, p90, p95, p99, p99.9, max in microseconds, for printing and JSON. */
        Map<String, Object> summaryMicros() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", size);
            if (size == 0) {
                return m;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            double sum = 0;
            for (long v : sorted) {
                sum += v;
            }
            m.put("meanUs", round(sum / size / 1e3));
            m.put("p50Us", round(nearestRank(sorted, 50) / 1e3));
            m.put("p90Us", round(nearestRank(sorted, 90) / 1e3));
            m.put("p95Us", round(nearestRank(sorted, 95) / 1e3));
            m.put("p99Us", round(nearestRank(sorted, 99) / 1e3));
            m.put("p999Us", round(nearestRank(sorted, 99.9) / 1e3));
            m.put("maxUs", round(sorted[sorted.length - 1] / 1e3));
            return m;
        }
    }

    static long nearestRank(long[] sorted, double p) {
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Least-squares slope of {@code y} against its index 0..n-1. */
    static double slope(double[] y) {
        int n = y.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least two samples, got " + n);
        }
        double meanX = (n - 1) / 2.0;
        double meanY = 0;
        for (double v : y) {
            meanY += v;
        }
        meanY /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - meanX) * (y[i] - meanY);
            den += (i - meanX) * (i - meanX);
        }
        return num / den;
    }

    static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
