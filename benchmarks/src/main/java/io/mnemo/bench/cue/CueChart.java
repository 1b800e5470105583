package io.mnemo.bench.cue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page for one recall-by-cue run (as {@code ClientChart} does for the client benchmark): an SVG
 * bar chart of p50 and p99 latency per data size, cluster against the in-process brute-force scan, and a table with
 * the ratios and the load average. No scripts, no external resources.
 */
final class CueChart {
    private static final int HEIGHT = 280;
    private static final int LEFT = 60;
    private static final int BOTTOM = 40;
    private static final int SLOT = 90;
    private static final String[] COLORS = {"#4c78a8", "#9ecae9", "#f58518", "#ffbf79"};

    private CueChart() {
    }

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> result) {
        List<Map<String, Object>> runs = (List<Map<String, Object>>) result.get("runs");
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Mnemo recall by cue</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}</style>")
                .append("</head><body>\n<h1>Mnemo recall by cue</h1>\n<p>")
                .append(esc(result.get("startedAt"))).append(", JDK ").append(esc(result.get("jdk"))).append(", ")
                .append(result.get("cpus")).append(" CPUs, ").append(result.get("nodes"))
                .append(" node JVMs on 127.0.0.1, RF ").append(result.get("replicationFactor")).append(", dimension ")
                .append(result.get("dimension")).append(", k = ").append(result.get("k")).append(". ")
                .append(esc(result.get("method"))).append(". Load average at start ")
                .append(esc(result.get("loadAverageAtStart"))).append(".</p>\n")
                .append("<h2>Latency (milliseconds)</h2>\n");
        List<Double> values = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Map<String, Object> run : runs) {
            Map<String, Object> c = (Map<String, Object>) run.get("cluster");
            Map<String, Object> b = (Map<String, Object>) run.get("bruteForce");
            String n = size(run.get("memories"));
            values.add(num(c.get("p50Ms")));
            labels.add(n + " cluster p50");
            values.add(num(c.get("p99Ms")));
            labels.add(n + " cluster p99");
            values.add(num(b.get("p50Ms")));
            labels.add(n + " scan p50");
            values.add(num(b.get("p99Ms")));
            labels.add(n + " scan p99");
        }
        h.append(svg(values, labels));
        h.append("<table><tr><th>memories</th><th>cluster p50 ms</th><th>cluster p99 ms</th><th>scan p50 ms</th>")
                .append("<th>scan p99 ms</th><th>ratio p50</th><th>ratio p99</th><th>queries</th><th>incomplete</th>")
                .append("<th>differing from scan</th><th>load avg before / after</th></tr>\n");
        for (Map<String, Object> run : runs) {
            Map<String, Object> c = (Map<String, Object>) run.get("cluster");
            Map<String, Object> b = (Map<String, Object>) run.get("bruteForce");
            h.append("<tr><td>").append(run.get("memories")).append("</td><td>").append(c.get("p50Ms"))
                    .append("</td><td>").append(c.get("p99Ms")).append("</td><td>").append(b.get("p50Ms"))
                    .append("</td><td>").append(b.get("p99Ms")).append("</td><td>").append(run.get("ratioP50"))
                    .append("</td><td>").append(run.get("ratioP99")).append("</td><td>").append(run.get("queries"))
                    .append("</td><td>").append(run.get("incompleteAnswers")).append("</td><td>")
                    .append(run.get("answersDifferingFromBruteForce")).append("</td><td>")
                    .append(esc(run.get("loadAverageBefore"))).append(" / ").append(esc(run.get("loadAverageAfter")))
                    .append("</td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }

    /** Vertical bars on a linear axis from zero, four per data size. */
    private static String svg(List<Double> values, List<String> labels) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        max = max <= 0 ? 1 : max * 1.1;
        int width = LEFT + SLOT * Math.max(1, values.size()) + 20;
        int plotH = HEIGHT - BOTTOM - 10;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(HEIGHT)
                .append("\" font-size=\"11\">\n");
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"10\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>\n");
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" x2=\"").append(width)
                .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>\n");
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int y = HEIGHT - BOTTOM - (int) Math.round(plotH * t / 4.0);
            s.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(y + 4).append("\" text-anchor=\"end\">")
                    .append(String.format(Locale.ROOT, "%.0f", v)).append("</text>\n");
        }
        for (int i = 0; i < values.size(); i++) {
            int barH = (int) Math.round(plotH * values.get(i) / max);
            int x = LEFT + i * SLOT + SLOT / 5;
            int w = SLOT * 3 / 5;
            int y = HEIGHT - BOTTOM - barH;
            s.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w)
                    .append("\" height=\"").append(barH).append("\" fill=\"").append(COLORS[i % COLORS.length])
                    .append("\"/>\n");
            s.append("<text x=\"").append(x + w / 2).append("\" y=\"").append(y - 4).append("\" text-anchor=\"middle\">")
                    .append(String.format(Locale.ROOT, "%.1f", values.get(i))).append("</text>\n");
            s.append("<text x=\"").append(x + w / 2).append("\" y=\"").append(HEIGHT - BOTTOM + 14)
                    .append("\" text-anchor=\"middle\">").append(esc(labels.get(i).split(" ", 2)[0])).append("</text>\n");
            s.append("<text x=\"").append(x + w / 2).append("\" y=\"").append(HEIGHT - BOTTOM + 28)
                    .append("\" text-anchor=\"middle\">").append(esc(labels.get(i).split(" ", 2)[1])).append("</text>\n");
        }
        return s.append("</svg>\n").toString();
    }

    private static String size(Object n) {
        long v = ((Number) n).longValue();
        return v % 1000 == 0 ? (v / 1000) + "K" : Long.toString(v);
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
