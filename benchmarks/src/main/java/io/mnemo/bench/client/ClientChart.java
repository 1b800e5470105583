package io.mnemo.bench.client;

import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page for one client benchmark run: an SVG bar chart of recall-by-id latency (p50 and p99,
 * raw stub against the client), the ratios, and the storeAll throughput. No scripts, no external resources.
 */
final class ClientChart {
    private static final int WIDTH = 520;
    private static final int HEIGHT = 260;
    private static final int LEFT = 60;
    private static final int BOTTOM = 40;

    private ClientChart() {
    }

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> result) {
        Map<String, Object> recall = (Map<String, Object>) result.get("recall");
        Map<String, Object> raw = (Map<String, Object>) recall.get("raw");
        Map<String, Object> client = (Map<String, Object>) recall.get("client");
        Map<String, Object> store = (Map<String, Object>) result.get("storeAll");
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Mnemo client benchmark</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}</style>")
                .append("</head><body>\n<h1>Mnemo client benchmark</h1>\n<p>")
                .append(esc(result.get("startedAt"))).append(", JDK ").append(esc(result.get("jdk"))).append(", ")
                .append(result.get("cpus")).append(" CPUs, ").append(result.get("nodes"))
                .append(" node JVMs on 127.0.0.1. ").append(esc(result.get("method"))).append(".</p>\n")
                .append("<h2>Recall by id, same node and keys (microseconds)</h2>\n");
        double[] values = {num(raw.get("p50Us")), num(client.get("p50Us")), num(raw.get("p99Us")), num(client.get("p99Us"))};
        String[] labels = {"raw p50", "client p50", "raw p99", "client p99"};
        String[] colors = {"#4c78a8", "#f58518", "#4c78a8", "#f58518"};
        h.append(svg(values, labels, colors));
        h.append("<table><tr><th></th><th>p50 us</th><th>p99 us</th><th>mean us</th><th>max us</th></tr>\n");
        row(h, "raw stub", raw);
        row(h, "MnemoClient", client);
        h.append("<tr><th>client / raw</th><td>").append(recall.get("ratioP50")).append("</td><td>")
                .append(recall.get("ratioP99")).append("</td><td></td><td></td></tr>\n</table>\n<p>")
                .append(recall.get("samplesEach")).append(" samples each, ").append(recall.get("keys"))
                .append(" keys, node ").append(esc(recall.get("node"))).append("</p>\n");
        h.append("<h2>storeAll</h2>\n<p>").append(store.get("stored")).append(" of ").append(store.get("memories"))
                .append(" memories (dimension ").append(store.get("dimension")).append(") in ").append(store.get("seconds"))
                .append(" s: <b>").append(store.get("memoriesPerSec")).append(" memories/s</b></p>\n");
        return h.append("</body></html>\n").toString();
    }

    private static void row(StringBuilder h, String name, Map<String, Object> p) {
        h.append("<tr><th>").append(name).append("</th><td>").append(p.get("p50Us")).append("</td><td>")
                .append(p.get("p99Us")).append("</td><td>").append(p.get("meanUs")).append("</td><td>")
                .append(p.get("maxUs")).append("</td></tr>\n");
    }

    /** Vertical bars on a linear axis from zero. */
    private static String svg(double[] values, String[] labels, String[] colors) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        max = max <= 0 ? 1 : max * 1.1;
        int plotH = HEIGHT - BOTTOM - 10;
        int slot = (WIDTH - LEFT) / values.length;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" font-size=\"12\">\n");
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"10\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>\n");
        s.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" x2=\"").append(WIDTH)
                .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\" stroke=\"#333\"/>\n");
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int y = HEIGHT - BOTTOM - (int) Math.round(plotH * t / 4.0);
            s.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(y + 4).append("\" text-anchor=\"end\">")
                    .append(String.format(Locale.ROOT, "%.0f", v)).append("</text>\n");
        }
        for (int i = 0; i < values.length; i++) {
            int barH = (int) Math.round(plotH * values[i] / max);
            int x = LEFT + i * slot + slot / 5;
            int w = slot * 3 / 5;
            int y = HEIGHT - BOTTOM - barH;
            s.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w)
                    .append("\" height=\"").append(barH).append("\" fill=\"").append(colors[i]).append("\"/>\n");
            s.append("<text x=\"").append(x + w / 2).append("\" y=\"").append(y - 4).append("\" text-anchor=\"middle\">")
                    .append(String.format(Locale.ROOT, "%.0f", values[i])).append("</text>\n");
            s.append("<text x=\"").append(x + w / 2).append("\" y=\"").append(HEIGHT - BOTTOM + 16)
                    .append("\" text-anchor=\"middle\">").append(labels[i]).append("</text>\n");
        }
        return s.append("</svg>\n").toString();
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
