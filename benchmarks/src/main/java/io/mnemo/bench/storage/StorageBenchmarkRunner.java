package io.mnemo.bench.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.ScanCursor;
import io.mnemo.node.storage.ScanRequest;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.StorageConfig;
import io.mnemo.node.storage.TieredStore;
import io.mnemo.node.storage.TieredStores;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link StorageBenchmark} (JMH, forked JVMs with the project's JVM flags) and an in-process iteration
 * and heap measurement at 1M memories, then writes {@code storage-<time>.json}, {@code storage-latest.json}
 * and {@code storage-latest.html} (an SVG chart and a goals table) to {@code benchmarks/results/storage/}.
 * Goals are measured and reported, never asserted.
 *
 * <p>Run with the project's JVM flags: {@code java @config/jvm.options -cp <classpath>
 * io.mnemo.bench.storage.StorageBenchmarkRunner [--quick]}. System properties:
 * {@code mnemo.bench.iterateCount} (default 1000000), {@code mnemo.bench.skipJmh}, {@code mnemo.bench.skipIterate}.
 */
public final class StorageBenchmarkRunner {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StorageBenchmarkRunner() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        Path root = repoRoot();
        Path out = root.resolve("benchmarks/results/storage");
        Files.createDirectories(out);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "storage");
        result.put("startedAt", Instant.now().toString());
        result.put("jdk", Runtime.version().toString());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        result.put("zipfExponent", 0.99);
        result.put("zipfSeed", StorageBenchmark.ZIPF_SEED);
        result.put("quick", quick);

        List<Map<String, Object>> jmh = Boolean.getBoolean("mnemo.bench.skipJmh") ? List.of() : runJmh(root, quick);
        result.put("jmh", jmh);
        Map<String, Object> iterate = Boolean.getBoolean("mnemo.bench.skipIterate") ? Map.of()
                : iterateAndHeap(Integer.getInteger("mnemo.bench.iterateCount", 1_000_000));
        result.put("iteration", iterate);
        result.put("goals", goals(jmh, iterate));
        result.put("finishedAt", Instant.now().toString());

        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        JSON.writeValue(out.resolve("storage-" + stamp + ".json").toFile(), result);
        JSON.writeValue(out.resolve("storage-latest.json").toFile(), result);
        Files.writeString(out.resolve("storage-latest.html"), StorageChart.html(result));
        System.out.println("results written to " + out.resolve("storage-" + stamp + ".json") + " and storage-latest.html");
    }

    private static List<Map<String, Object>> runJmh(Path root, boolean quick) throws RunnerException {
        List<String> jvmArgs = new ArrayList<>();
        jvmArgs.add("@" + root.resolve("config/jvm.options"));
        if (Runtime.version().feature() >= 23) {
            jvmArgs.add("@" + root.resolve("config/jvm-jdk23.options"));
        }
        jvmArgs.add("-Xmx2g");
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(StorageBenchmark.class.getName() + "\\.")
                .forks(1)
                .threads(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 4)
                .measurementTime(TimeValue.seconds(quick ? 2 : 3))
                .jvmArgsAppend(jvmArgs.toArray(new String[0]));
        Collection<RunResult> runs = new Runner(opts.build()).run();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunResult r : runs) {
            Statistics st = r.getPrimaryResult().getStatistics();
            String name = r.getParams().getBenchmark();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("benchmark", name.substring(name.lastIndexOf('.') + 1));
            row.put("tier", r.getParams().getParam("tier"));
            row.put("keys", Integer.parseInt(r.getParams().getParam("keys")));
            row.put("dim", Integer.parseInt(r.getParams().getParam("dim")));
            row.put("threads", r.getParams().getThreads());
            row.put("samples", st.getN());
            row.put("meanUs", round(st.getMean()));
            row.put("p50Us", round(st.getPercentile(50)));
            row.put("p90Us", round(st.getPercentile(90)));
            row.put("p99Us", round(st.getPercentile(99)));
            row.put("p999Us", round(st.getPercentile(99.9)));
            row.put("maxUs", round(st.getMax()));
            row.put("opsPerSec", Math.round(r.getParams().getThreads() * 1e6 / st.getMean()));
            rows.add(row);
        }
        return rows;
    }

    /** Stores {@code n} 768-dim memories behind a 256 MiB hot tier, then times full iterations and measures heap. */
    private static Map<String, Object> iterateAndHeap(int n) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory("mnemo-bench-iterate-");
        try (TieredStore store = TieredStores.open(StorageConfig.builder(dir.resolve("data")).hotTierMaxBytes(256L << 20).build())) {
            store.createSpace(SpaceConfig.of(StorageBenchmark.SPACE, 768));
            float[][] embeddings = new float[256][];
            for (int t = 0; t < embeddings.length; t++) {
                embeddings[t] = BenchData.embedding(t, 768);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                store.store(Memory.builder(StorageBenchmark.SPACE, "mem-" + i).createdAtNs(i)
                        .content("memory " + i).embedding(embeddings[i & 255]).confidence(0.5f).build());
                if (i > 0 && i % 100_000 == 0) {
                    System.out.printf("  stored %d (%.0f/s)%n", i, i / ((System.nanoTime() - t0) / 1e9));
                }
            }
            double storeSec = (System.nanoTime() - t0) / 1e9;
            m.put("memories", n);
            m.put("dim", 768);
            m.put("loadSeconds", round(storeSec));
            m.put("loadOpsPerSec", Math.round(n / storeSec));
            List<Long> passes = new ArrayList<>();
            for (int pass = 0; pass < 3; pass++) {
                long s0 = System.nanoTime();
                long count = 0;
                try (ScanCursor c = store.scan(ScanRequest.space(StorageBenchmark.SPACE))) {
                    while (c.hasNext()) {
                        c.next();
                        count++;
                    }
                }
                passes.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0));
                if (count != n) {
                    throw new IllegalStateException("iteration returned " + count + " of " + n);
                }
            }
            m.put("iterationMs", passes);
            m.put("iterationBestMs", passes.stream().mapToLong(Long::longValue).min().orElse(-1));
            System.gc();
            m.put("heapUsedAfterGcMiB", round(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0));
            m.put("maxHeapMiB", round(Runtime.getRuntime().maxMemory() / 1048576.0));
            m.put("hotTierMiB", 256);
            m.put("stats", store.stats().toString());
        } finally {
            BenchData.deleteTree(dir);
        }
        return m;
    }

    private static List<Map<String, Object>> goals(List<Map<String, Object>> jmh, Map<String, Object> iterate) {
        List<Map<String, Object>> goals = new ArrayList<>();
        goal(goals, "store > 100K/s (hot)", find(jmh, "store", "hot", "opsPerSec"), 100_000, true);
        goal(goals, "recall p99 < 20 us (hot hit)", find(jmh, "recallHit", "hot", "p99Us"), 20, false);
        goal(goals, "store > 50K/s (warm)", find(jmh, "store", "warm", "opsPerSec"), 50_000, true);
        goal(goals, "recall p99 < 100 us (warm hit)", find(jmh, "recallHit", "warm", "p99Us"), 100, false);
        goal(goals, "recall p99 < 100 us (warm miss)", find(jmh, "recallMiss", "warm", "p99Us"), 100, false);
        goal(goals, "iterate 1M x 768 < 2 s (ms)", iterate.get("iterationBestMs"), 2_000, false);
        goal(goals, "heap < 512 MB at 1M, 256 MB hot tier (MiB)", iterate.get("heapUsedAfterGcMiB"), 512, false);
        return goals;
    }

    private static Object find(List<Map<String, Object>> jmh, String bench, String tier, String field) {
        for (Map<String, Object> row : jmh) {
            if (bench.equals(row.get("benchmark")) && tier.equals(row.get("tier"))) {
                return row.get(field);
            }
        }
        return null;
    }

    private static void goal(List<Map<String, Object>> goals, String name, Object measured, double target, boolean higherIsBetter) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("goal", name);
        g.put("target", target);
        g.put("measured", measured);
        if (measured instanceof Number) {
            double v = ((Number) measured).doubleValue();
            g.put("met", higherIsBetter ? v > target : v < target);
        } else {
            g.put("met", "not measured");
        }
        goals.add(g);
    }

    static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    static Path repoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("config/jvm.options"))) {
                return p;
            }
        }
        throw new IllegalStateException("no config/jvm.options at or above " + start + ": run from the repository");
    }
}
