package io.mnemo.bench.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Shared pieces of the cluster benchmarks' output: percentiles, ratios, the load average, JSON and chart files. */
final class Results {
    /** Percentiles reported for every measured operation, with their JSON names. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9};
    static final String[] NAMES = {"p50Us", "p90Us", "p99Us", "p999Us"};

    private Results() {
    }

    /** p50/p90/p99/p99.9/max/mean in microseconds and the sample count of {@code h} (nanoseconds). */
    static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        for (int i = 0; i < PERCENTILES.length; i++) {
            p.put(NAMES[i], us(h.getValueAtPercentile(PERCENTILES[i])));
        }
        p.put("maxUs", us(h.getMaxValue()));
        p.put("meanUs", us((long) h.getMean()));
        return p;
    }

    /** {@code a / b} per percentile and max (above 1: {@code a} slower). */
    static Map<String, Object> ratios(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : List.of("p50Us", "p90Us", "p99Us", "p999Us", "maxUs")) {
            double x = num(a.get(k));
            double y = num(b.get(k));
            r.put(k.replace("Us", ""), y > 0 ? round2(x / y) : null);
        }
        return r;
    }

    /** The three load averages of {@code /proc/loadavg}, or an empty list where there is none. */
    static List<Double> loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * The kernel's memory pressure (PSI, {@code /proc/pressure/memory}): the share of the last 10 s and 60 s in which
     * some task, and all tasks, stalled waiting for memory (a page cache being evicted and refaulted shows here);
     * empty where the kernel has no PSI.
     */
    static Map<String, Object> memoryPressure() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/memory"))) {
                String[] f = line.trim().split("\\s+");
                m.put(f[0] + "Avg10", Double.parseDouble(f[1].substring("avg10=".length())));
                m.put(f[0] + "Avg60", Double.parseDouble(f[2].substring("avg60=".length())));
            }
        } catch (IOException | RuntimeException e) {
            m.clear();
        }
        return m;
    }

    static double us(long ns) {
        return Math.round(ns / 10.0) / 100.0;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Writes {@code <prefix>-<utc time>.json}, {@code <prefix>-latest.json} and {@code <prefix>-latest.html}. */
    static void write(Path out, String prefix, Map<String, Object> result, String html) throws IOException {
        Files.createDirectories(out);
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Files.writeString(out.resolve(prefix + "-" + stamp + ".json"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve(prefix + "-latest.json"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve(prefix + "-latest.html"), html, StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath() + "/" + prefix + "-" + stamp + ".json and " + prefix
                + "-latest.{json,html}");
    }

    static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
