package io.mnemo.bench.storage;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page for one storage benchmark run: an SVG bar chart of latency percentiles per
 * benchmark (log scale, so hot hits in microseconds and slow paths in milliseconds share one axis), a
 * table of throughput, and the goals table. No scripts, no external resources.
 */
final class StorageChart {
    private static final String[] PERCENTILES = {"p50Us", "p99Us", "p999Us"};
    private static final String[] COLORS = {"#4c78a8", "#f58518", "#e45756"};

    private StorageChart() {
    }

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> result) {
        List<Map<String, Object>> jmh = (List<Map<String, Object>>) result.get("jmh");
        List<Map<String, Object>> goals = (List<Map<String, Object>>) result.get("goals");
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Mnemo storage benchmark</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}")
                .append(".met{color:#2a7} .miss{color:#c33}</style></head><body>\n")
                .append("<h1>Mnemo storage benchmark</h1>\n<p>")
                .append(esc(String.valueOf(result.get("startedAt")))).append(", JDK ").append(esc(String.valueOf(result.get("jdk"))))
                .append(", ").append(result.get("cpus")).append(" CPUs, Zipf exponent ").append(result.get("zipfExponent"))
                .append(", seed ").append(result.get("zipfSeed")).append("</p>\n");
        if (!jmh.isEmpty()) {
            h.append("<h2>Latency percentiles (microseconds, log scale): Mnemo and peers, same run, same data</h2>\n").append(svg(jmh));
            h.append("<h2>Throughput and latency</h2>\n<table><tr><th>benchmark</th><th>system</th><th>tier</th><th>ops/s</th>")
                    .append("<th>mean us</th><th>p50 us</th><th>p99 us</th><th>p99.9 us</th><th>max us</th><th>samples</th></tr>\n");
            for (Map<String, Object> r : jmh) {
                h.append("<tr><td>").append(esc(String.valueOf(r.get("benchmark"))))
                        .append("</td><td>").append(esc(String.valueOf(r.get("system"))))
                        .append("</td><td>").append(esc(String.valueOf(r.get("tier"))))
                        .append("</td><td>").append(r.get("opsPerSec")).append("</td><td>").append(r.get("meanUs"))
                        .append("</td><td>").append(r.get("p50Us")).append("</td><td>").append(r.get("p99Us"))
                        .append("</td><td>").append(r.get("p999Us")).append("</td><td>").append(r.get("maxUs"))
                        .append("</td><td>").append(r.get("samples")).append("</td></tr>\n");
            }
            h.append("</table>\n");
            comparison(h, (List<Map<String, Object>>) result.get("comparison"), (Map<String, Object>) result.get("peers"));
        }
        h.append("<h2>Goals (measured, not asserted)</h2>\n<table><tr><th>goal</th><th>target</th><th>measured</th><th>met</th></tr>\n");
        for (Map<String, Object> g : goals) {
            Object met = g.get("met");
            String cls = Boolean.TRUE.equals(met) ? "met" : Boolean.FALSE.equals(met) ? "miss" : "";
            h.append("<tr><td style=\"text-align:left\">").append(esc(String.valueOf(g.get("goal")))).append("</td><td>")
                    .append(g.get("target")).append("</td><td>").append(g.get("measured")).append("</td><td class=\"").append(cls)
                    .append("\">").append(met).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Iteration and heap</h2>\n<pre>").append(esc(String.valueOf(result.get("iteration")))).append("</pre>\n");
        return h.append("</body></html>\n").toString();
    }

    private static void comparison(StringBuilder h, List<Map<String, Object>> rows, Map<String, Object> peers) {
        h.append("<h2>Mnemo / peer ratios</h2>\n<p>ops/s ratio above 1: Mnemo faster; latency ratio above 1: Mnemo slower.</p>\n")
                .append("<table><tr><th>operation</th><th>Mnemo tier</th><th>peer</th><th>Mnemo ops/s</th><th>peer ops/s</th>")
                .append("<th>ops/s ratio</th><th>Mnemo p50 us</th><th>peer p50 us</th><th>p50 ratio</th>")
                .append("<th>Mnemo p99 us</th><th>peer p99 us</th><th>p99 ratio</th></tr>\n");
        for (Map<String, Object> c : rows == null ? List.<Map<String, Object>>of() : rows) {
            h.append("<tr><td>").append(esc(String.valueOf(c.get("operation")))).append("</td><td>")
                    .append(esc(String.valueOf(c.get("mnemoTier")))).append("</td><td>").append(esc(String.valueOf(c.get("peer"))));
            for (String f : new String[] {"mnemoOpsPerSec", "peerOpsPerSec", "opsPerSecRatio", "mnemoP50Us", "peerP50Us", "p50Ratio",
                "mnemoP99Us", "peerP99Us", "p99Ratio"}) {
                h.append("</td><td>").append(c.get(f));
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Peers</h2>\n<table><tr><th>peer</th><th>status</th><th>setup</th></tr>\n");
        for (Map.Entry<String, Object> e : peers == null ? Map.<String, Object>of().entrySet() : peers.entrySet()) {
            Map<?, ?> p = (Map<?, ?>) e.getValue();
            Object setup = p.containsKey("setup") ? p.get("setup") + (p.containsKey("command") ? " [" + p.get("command") + "]" : "")
                    : p.get("reason");
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(String.valueOf(p.get("status"))))
                    .append("</td><td style=\"text-align:left\">").append(esc(String.valueOf(setup))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String label(Map<String, Object> r) {
        Object system = r.get("system");
        return system == null || StorageBenchmarkRunner.MNEMO.equals(system) ? "mnemo " + r.get("tier") : String.valueOf(system);
    }

    private static String svg(List<Map<String, Object>> rows) {
        int barW = 18;
        int groupW = barW * PERCENTILES.length + 24;
        int left = 60;
        int top = 20;
        int plotH = 260;
        int width = left + groupW * rows.size() + 20;
        int height = top + plotH + 70;
        double minLog = -1;
        double maxLog = 1;
        for (Map<String, Object> r : rows) {
            for (String p : PERCENTILES) {
                double v = Math.max(0.01, ((Number) r.get(p)).doubleValue());
                maxLog = Math.max(maxLog, Math.ceil(Math.log10(v)));
                minLog = Math.min(minLog, Math.floor(Math.log10(v)));
            }
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">%n", width, height));
        for (double e = minLog; e <= maxLog; e++) {
            double y = top + plotH - (e - minLog) / (maxLog - minLog) * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left, width - 10, y, y, left - 4, y + 4, axisLabel(e)));
        }
        for (int g = 0; g < rows.size(); g++) {
            Map<String, Object> r = rows.get(g);
            int x0 = left + 12 + g * groupW;
            for (int i = 0; i < PERCENTILES.length; i++) {
                double v = Math.max(0.01, ((Number) r.get(PERCENTILES[i])).doubleValue());
                double hgt = (Math.log10(v) - minLog) / (maxLog - minLog) * plotH;
                s.append(String.format(Locale.ROOT,
                        "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s %s %s: %s us</title></rect>%n",
                        x0 + i * barW, top + plotH - hgt, barW - 2, hgt, COLORS[i], esc(String.valueOf(r.get("benchmark"))),
                        esc(label(r)), PERCENTILES[i], v));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x0 + barW * PERCENTILES.length / 2, top + plotH + 16, esc(String.valueOf(r.get("benchmark"))),
                    x0 + barW * PERCENTILES.length / 2, top + plotH + 30, esc(label(r))));
        }
        for (int i = 0; i < PERCENTILES.length; i++) {
            s.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    left + i * 80, top + plotH + 44, COLORS[i], left + i * 80 + 14, top + plotH + 53, PERCENTILES[i].replace("Us", "")));
        }
        return s.append("</svg>\n").toString();
    }

    private static String axisLabel(double exponent) {
        double v = Math.pow(10, exponent);
        return v >= 1 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
