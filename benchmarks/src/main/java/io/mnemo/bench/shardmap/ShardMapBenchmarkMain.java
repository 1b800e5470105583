package io.mnemo.bench.shardmap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ShardMapLookupBenchmark} briefly and writes {@code shardmap-lookup.json} (JMH's JSON)
 * and {@code shardmap-lookup.svg} (a bar chart with the 99.9% error bars) to the results directory.
 *
 * <p>Usage: {@code ShardMapBenchmarkMain [resultsDir] [forks] [iterations]}; defaults
 * {@code benchmarks/results/shardmap 2 3} (1 s warm-up and measurement iterations).
 */
public final class ShardMapBenchmarkMain {
    private ShardMapBenchmarkMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "benchmarks/results/shardmap");
        int forks = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Files.createDirectories(dir);
        Path json = dir.resolve("shardmap-lookup.json");
        Options options = new OptionsBuilder()
                .include(ShardMapLookupBenchmark.class.getName())
                .forks(forks)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Files.writeString(dir.resolve("shardmap-lookup.svg"), svg(results), StandardCharsets.UTF_8);
        System.out.println("wrote " + json + " and " + dir.resolve("shardmap-lookup.svg"));
    }

    static String svg(Collection<RunResult> results) {
        List<String> labels = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        double max = 0;
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            labels.add(name + " P=" + r.getParams().getParam("partitions") + " N=" + r.getParams().getParam("members"));
            double score = r.getPrimaryResult().getScore();
            double error = r.getPrimaryResult().getScoreError();
            values.add(new double[] {score, Double.isNaN(error) ? 0 : error});
            max = Math.max(max, score + (Double.isNaN(error) ? 0 : error));
        }
        int rowHeight = 34;
        int left = 260;
        int width = 760;
        int barSpace = width - left - 90;
        int height = 70 + rowHeight * labels.size();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"13\">%n", width, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Mnemo shard map: (space, id) lookup, "
                + "ns/op (lower is better), Zipf keys</text>\n");
        for (int i = 0; i < labels.size(); i++) {
            double score = values.get(i)[0];
            double error = values.get(i)[1];
            int y = 45 + i * rowHeight;
            double w = max == 0 ? 0 : score / max * barSpace;
            double e = max == 0 ? 0 : error / max * barSpace;
            svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 17, labels.get(i)));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"#4a7fb5\"/>%n",
                    left, y, w));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                    left + w - e, left + w + e, y + 11, y + 11));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.1f ± %.1f</text>%n",
                    left + w + e + 6, y + 16, score, error));
        }
        return svg.append("</svg>\n").toString();
    }
}
