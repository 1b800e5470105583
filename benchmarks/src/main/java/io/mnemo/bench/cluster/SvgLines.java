package io.mnemo.bench.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal SVG line chart (no scripts, no external resources), in the manner of the client benchmark's bar chart:
 * named series of (x, y) points on linear or log10 y, optional vertical markers with labels (events on a timeline).
 */
final class SvgLines {
    private static final String[] COLORS = {"#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 340;
    private static final int LEFT = 70;
    private static final int RIGHT = 180;
    private static final int TOP = 30;
    private static final int BOTTOM = 45;

    record Series(String name, List<double[]> points, boolean dashed) {
    }

    record Marker(double x, String label) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    SvgLines(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    SvgLines add(String name, List<double[]> points, boolean dashed) {
        series.add(new Series(name, points, dashed));
        return this;
    }

    SvgLines mark(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    String svg() {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (logY && p[1] <= 0) {
                    continue;
                }
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, y(p[1]));
                maxY = Math.max(maxY, y(p[1]));
            }
        }
        for (Marker m : markers) {
            minX = Math.min(minX, m.x());
            maxX = Math.max(maxX, m.x());
        }
        if (minX > maxX) {
            return "<p>(no data to chart)</p>\n";
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        if (logY) {
            minY = Math.floor(minY);
            maxY = Math.ceil(maxY);
        } else {
            minY = 0;
        }
        if (maxY <= minY) {
            maxY = minY + 1;
        }
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double x0 = minX;
        double xs = plotW / (maxX - minX);
        double y0 = minY;
        double ys = plotH / (maxY - minY);
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" font-size=\"11\" font-family=\"sans-serif\">\n");
        s.append(text(LEFT, 16, "start", "<tspan font-weight=\"bold\">" + Results.esc(title) + "</tspan>"));
        s.append(line(LEFT, TOP, LEFT, TOP + plotH, "#333", false))
                .append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#333", false));
        int ticks = logY ? (int) (maxY - minY) : 4;
        for (int t = 0; t <= ticks; t++) {
            double v = minY + (maxY - minY) * t / ticks;
            double py = TOP + plotH - (v - y0) * ys;
            s.append(line(LEFT, py, LEFT + plotW, py, "#eee", false));
            s.append(text(LEFT - 5, py + 4, "end", fmt(logY ? Math.pow(10, v) : v)));
        }
        for (int t = 0; t <= 4; t++) {
            double v = minX + (maxX - minX) * t / 4;
            s.append(text(LEFT + (v - x0) * xs, TOP + plotH + 15, "middle", fmt(v)));
        }
        s.append(text(LEFT + plotW / 2.0, HEIGHT - 8, "middle", Results.esc(xLabel)));
        s.append("<text x=\"14\" y=\"").append(TOP + plotH / 2).append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append(TOP + plotH / 2).append(")\">").append(Results.esc(yLabel)).append("</text>\n");
        for (Marker m : markers) {
            double px = LEFT + (m.x() - x0) * xs;
            s.append(line(px, TOP, px, TOP + plotH, "#999", true));
            s.append(text(px + 3, TOP + 10, "start", Results.esc(m.label())));
        }
        for (int i = 0; i < series.size(); i++) {
            Series se = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : se.points()) {
                if (logY && p[1] <= 0) {
                    continue;
                }
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + (p[0] - x0) * xs, TOP + plotH - (y(p[1]) - y0) * ys));
            }
            s.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\"")
                    .append(se.dashed() ? " stroke-dasharray=\"5,3\"" : "").append(" points=\"").append(pts).append("\"/>\n");
            int ly = TOP + 12 + 16 * i;
            s.append(line(WIDTH - RIGHT + 10, ly - 4, WIDTH - RIGHT + 30, ly - 4, color, se.dashed()));
            s.append(text(WIDTH - RIGHT + 34, ly, "start", Results.esc(se.name())));
        }
        return s.append("</svg>\n").toString();
    }

    private double y(double v) {
        return logY ? Math.log10(v) : v;
    }

    private static String line(double x1, double y1, double x2, double y2, String color, boolean dashed) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n", x1, y1,
                x2, y2, color, dashed ? " stroke-dasharray=\"4,3\"" : "");
    }

    private static String text(double x, double y, String anchor, String body) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor, body);
    }

    private static String fmt(double v) {
        if (v >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, v >= 1 ? "%.1f" : "%.2f", v);
    }
}
