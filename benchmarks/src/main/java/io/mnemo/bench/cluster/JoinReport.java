package io.mnemo.bench.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The join benchmark's human-readable output: a markdown summary for the README and an HTML page with two timelines
 * (client latency per second; every node's record count of the loaded space) marked with the join's events.
 */
final class JoinReport {
    /** The client phases of the markdown table, in order, and their labels. */
    private static final Map<String, String> PHASE_LABELS = Map.of("before", "before node 4 starts",
            "starting", "node 4 starting (until AddMember)", "during", "during the move (AddMember to finished)",
            "startAndMove", "start and move together (earlier reports' \"during\")", "after", "after the move");

    private JoinReport() {
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> result) {
        Map<String, Object> args = (Map<String, Object>) result.get("args");
        Map<String, Object> load = (Map<String, Object>) result.get("load");
        Map<String, Object> join = (Map<String, Object>) result.get("join");
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "N = %s memories (768 floats + 200 B content, RF 3) loaded into 3 nodes at %s/s; "
                + "workload %s ops/s open loop (half recalls of loaded memories at the default read quorum, half stores "
                + "into another space). Load average: start %s, end %s.%n%n", args.get("n"),
                load == null ? "?" : load.get("memoriesPerSec"), args.get("rateOpsPerSec"), result.get("loadAverageStart"),
                result.get("loadAverageEnd")));
        if (join == null) {
            return md.append("(the join did not run)\n").toString();
        }
        Map<String, Object> done = (Map<String, Object>) join.get("completion");
        Map<String, Object> add = (Map<String, Object>) join.getOrDefault("addMember", Map.of("outcome", "not called"));
        if (join.containsKey("error")) {
            md.append("**The join failed:** ").append(join.get("error")).append("\n\n");
        }
        md.append("| join event | seconds |\n|---|---|\n");
        long t0 = ((Number) join.get("processStartedMs")).longValue();
        md.append("| node 4 process started | 0 |\n");
        md.append("| gRPC port open | ").append(sec((Number) join.get("grpcListeningMs"), t0)).append(" |\n");
        md.append("| AddMember (").append(add.get("outcome")).append(add.containsKey("epoch") ? ", epoch " + add.get("epoch") : "")
                .append(") returned | ").append(sec((Number) add.get("atMs"), t0)).append(" |\n");
        md.append("| node 4 ready | ").append(sec((Number) join.get("readyMs"), t0)).append(" |\n");
        md.append("| move finished (after AddMember) | ").append(done.get("secondsAfterAddMember")).append(" |\n\n");
        md.append("Completion rule: ").append(done.get("rule")).append(". Ownership done after AddMember: ")
                .append(done.get("ownershipDoneSecondsAfterAdd")).append(" s; node 4 holds its ")
                .append(done.get("newNodeExpectedRecords")).append(" expected records after: ")
                .append(done.get("dataDoneSecondsAfterAdd")).append(" s (held at the end: ").append(done.get("newNodeRecordsAtEnd"))
                .append(").\n\n");
        md.append("| client phase | ops | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | errors |\n|---|---|---|---|---|---|---|\n");
        Map<String, Object> phases = (Map<String, Object>) result.get("phases");
        for (String p : List.of("before", "starting", "during", "startAndMove", "after")) {
            Map<String, Object> ph = (Map<String, Object>) phases.get(p);
            Map<String, Object> all = (Map<String, Object>) ph.get("all");
            md.append("| ").append(PHASE_LABELS.get(p)).append(" | ").append(all.get("count"))
                    .append(" | ").append(ms(all.get("p50Us"))).append(" | ").append(ms(all.get("p99Us"))).append(" | ")
                    .append(ms(all.get("p999Us"))).append(" | ").append(ms(all.get("maxUs"))).append(" | ")
                    .append(ph.get("errors")).append(" |\n");
        }
        Map<String, Object> ex = (Map<String, Object>) result.get("extrapolation");
        if (ex != null && ex.containsKey("secondsAt1M")) {
            md.append("\n**Extrapolation (not measured):** ").append(ex.get("recordsPerSecond")).append(" records/s moved to node 4 "
                    + "in this run; 1M memories would put ").append(ex.get("recordsToMoveAt1M")).append(" records on it, about ")
                    .append(ex.get("secondsAt1M")).append(" s if the rate held.\n");
        }
        return md.toString();
    }

    private static String sec(Number ms, long t0) {
        return ms == null ? "-" : String.format(Locale.ROOT, "%.1f", (ms.longValue() - t0) / 1000.0);
    }

    private static String ms(Object us) {
        double v = Results.num(us) / 1000;
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v);
    }

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> result) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Mnemo join benchmark</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}</style></head><body>\n")
                .append("<h1>Mnemo: a 4th node joins a loaded 3-node cluster under load</h1>\n<p>")
                .append(Results.esc(result.get("startedAt"))).append(", JDK ").append(Results.esc(result.get("jdk"))).append(", ")
                .append(result.get("cpus")).append(" CPUs.</p>\n");
        Map<String, Object> join = (Map<String, Object>) result.get("join");
        if (join != null) {
            SvgLines lat = new SvgLines("client latency per second (stores + recalls)", "seconds", "ms (log scale)", true);
            SvgLines rec = new SvgLines("records of the loaded space per node", "seconds", "records", false);
            List<double[]> p99 = new ArrayList<>();
            List<double[]> max = new ArrayList<>();
            List<double[]> p50 = new ArrayList<>();
            for (Object o : (List<Object>) result.get("client")) {
                Map<String, Object> p = (Map<String, Object>) o;
                double t = Results.num(p.get("tMs")) / 1000;
                if (Results.num(p.get("count")) > 0) {
                    p50.add(new double[] {t, Results.num(p.get("p50Ms"))});
                    p99.add(new double[] {t, Results.num(p.get("p99Ms"))});
                    max.add(new double[] {t, Results.num(p.get("maxMs"))});
                }
            }
            lat.add("p50", p50, false).add("p99", p99, false).add("max", max, true);
            List<List<double[]>> perNode = new ArrayList<>();
            for (Object o : (List<Object>) result.get("cluster")) {
                Map<String, Object> s = (Map<String, Object>) o;
                long[] r = (long[]) s.get("records");
                for (int i = 0; i < r.length; i++) {
                    while (perNode.size() <= i) {
                        perNode.add(new ArrayList<>());
                    }
                    if (r[i] >= 0) {
                        perNode.get(i).add(new double[] {Results.num(s.get("tMs")) / 1000, r[i]});
                    }
                }
            }
            for (int i = 0; i < perNode.size(); i++) {
                rec.add("node " + (i + 1), perNode.get(i), i == perNode.size() - 1);
            }
            Map<String, Object> done = (Map<String, Object>) join.get("completion");
            for (SvgLines c : List.of(lat, rec)) {
                c.mark(Results.num(join.get("processStartedMs")) / 1000, "node 4 starts");
                if (join.get("addMember") instanceof Map<?, ?> add) {
                    c.mark(Results.num(add.get("atMs")) / 1000, "add");
                }
                if (Results.num(done.get("atMs")) >= 0) {
                    c.mark(Results.num(done.get("atMs")) / 1000, "moved");
                }
            }
            h.append(lat.svg()).append(rec.svg());
        }
        h.append("<h2>Summary</h2>\n<pre>").append(Results.esc(markdown(result))).append("</pre>\n");
        return h.append("</body></html>\n").toString();
    }
}
