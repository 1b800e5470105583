package io.mnemo.bench.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cluster latency benchmark's human-readable output: a markdown table for the README and a self-contained HTML
 * page with p50 and p99 against rate per system and operation (SVG, log scale) and the full table.
 */
final class ClusterReport {
    /** The goals: replicated store p99 under 2 ms, recall at ONE from the local owner p99 under 0.5 ms. */
    private static final Map<String, Double> GOAL_P99_MS = Map.of("store", 2.0, "recall-one", 0.5);

    private ClusterReport() {
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> result) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) result.get("phases");
        StringBuilder md = new StringBuilder();
        md.append("Load average (1/5/15 min): start ").append(result.get("loadAverageStart")).append(", end ")
                .append(result.get("loadAverageEnd")).append("\n\n");
        md.append("| rate/s | operation | Mnemo p50 / p90 / p99 / p99.9 / max (ms) | Redis p50 / p90 / p99 / p99.9 / max (ms) "
                + "| Mnemo/Redis p50 / p99 / p99.9 | p99 goal | errors M/R | load 1m |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rows) {
            if (!"mnemo".equals(r.get("system"))) {
                continue;
            }
            String op = (String) r.get("op");
            Map<String, Object> peer = peer(rows, op, r.get("rate"));
            Map<String, Object> lat = (Map<String, Object>) r.get("latency");
            md.append("| ").append(r.get("rate")).append(" | ").append(label(op)).append(" | ").append(five(lat)).append(" | ");
            if (peer != null) {
                Map<String, Object> pl = (Map<String, Object>) peer.get("latency");
                Map<String, Object> ratio = Results.ratios(lat, pl);
                md.append(five(pl)).append(" | ").append(ratio.get("p50")).append(" / ").append(ratio.get("p99"))
                        .append(" / ").append(ratio.get("p999")).append(" | ");
            } else {
                md.append("n/a | n/a | ");
            }
            Double goal = GOAL_P99_MS.get(op);
            double p99 = Results.num(lat.get("p99Us")) / 1000;
            md.append(goal == null ? "-" : (p99 < goal ? "< " + goal + " ms: met" : "< " + goal + " ms: **not met**"))
                    .append(" | ").append(r.get("errors")).append(" / ").append(peer == null ? "-" : peer.get("errors"))
                    .append(" | ").append(r.get("loadAverage1m")).append(" |\n");
        }
        return md.toString();
    }

    private static String label(String op) {
        switch (op) {
            case "store":
                return "store (RF 3, W 2) vs SET+WAIT 1";
            case "recall-one":
                return "recall ONE (local owner) vs GET";
            case "recall-quorum":
                return "recall QUORUM (R 2) vs GET";
            default:
                return op;
        }
    }

    private static Map<String, Object> peer(List<Map<String, Object>> rows, String op, Object rate) {
        String peerOp = "store".equals(op) ? "store" : "recall";
        for (Map<String, Object> r : rows) {
            if ("redis".equals(r.get("system")) && peerOp.equals(r.get("op")) && rate.equals(r.get("rate"))) {
                return r;
            }
        }
        return null;
    }

    private static String five(Map<String, Object> lat) {
        StringBuilder s = new StringBuilder();
        for (String k : List.of("p50Us", "p90Us", "p99Us", "p999Us", "maxUs")) {
            if (s.length() > 0) {
                s.append(" / ");
            }
            s.append(ms(Results.num(lat.get(k))));
        }
        return s.toString();
    }

    private static String ms(double us) {
        double v = us / 1000;
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v);
    }

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> result) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) result.get("phases");
        Map<String, List<double[]>> p50 = new LinkedHashMap<>();
        Map<String, List<double[]>> p99 = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            String name = r.get("system") + " " + r.get("op");
            Map<String, Object> lat = (Map<String, Object>) r.get("latency");
            double rate = Results.num(r.get("rate"));
            p50.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {rate, Results.num(lat.get("p50Us")) / 1000});
            p99.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {rate, Results.num(lat.get("p99Us")) / 1000});
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Mnemo cluster benchmark</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}</style>")
                .append("</head><body>\n<h1>Mnemo cluster benchmark: 3 nodes (RF 3, W 2, R 2) vs Redis primary + 2 replicas</h1>\n")
                .append("<p>").append(Results.esc(result.get("startedAt"))).append(", JDK ").append(Results.esc(result.get("jdk")))
                .append(", ").append(result.get("cpus")).append(" CPUs, load average at start ")
                .append(result.get("loadAverageStart")).append(", at end ").append(result.get("loadAverageEnd"))
                .append(".</p>\n<p>").append(Results.esc(result.get("method"))).append(".</p>\n");
        SvgLines c99 = new SvgLines("p99 latency by rate", "operations per second", "ms (log scale)", true);
        SvgLines c50 = new SvgLines("p50 latency by rate", "operations per second", "ms (log scale)", true);
        p99.forEach((name, pts) -> c99.add(name, pts, name.startsWith("redis")));
        p50.forEach((name, pts) -> c50.add(name, pts, name.startsWith("redis")));
        h.append(c99.svg()).append(c50.svg());
        h.append("<h2>Table</h2>\n<pre>").append(Results.esc(markdown(result))).append("</pre>\n");
        return h.append("</body></html>\n").toString();
    }
}
