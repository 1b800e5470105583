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
import java.util.Comparator;
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
 * Runs {@link StorageBenchmark} and, in the same JMH run on the same data, its peers
 * ({@link StoragePeerBenchmark}: raw Chronicle Map, and real Redis started here on a free loopback port, with
 * and without an append-only file; Redis is recorded as skipped if {@code redis-server} is not installed),
 * then an in-process iteration and heap measurement at 1M memories (50K with {@code --quick}),
 * then writes {@code storage-<time>.json}, {@code storage-latest.json}
 * and {@code storage-latest.html} (an SVG chart and a goals table) to {@code benchmarks/results/storage/}.
 * Goals are measured and reported, never asserted.
 *
 * <p>Run with the project's JVM flags: {@code java @config/jvm.options -cp <classpath>
 * io.mnemo.bench.storage.StorageBenchmarkRunner [--quick]}. System properties:
 * {@code mnemo.bench.iterateCount} (default 1000000, 50000 with {@code --quick}),
 * {@code mnemo.bench.redisServer} (default {@code redis-server} on the PATH), {@code mnemo.bench.skipJmh}, {@code mnemo.bench.skipIterate}.
 */
public final class StorageBenchmarkRunner {
    static final String MNEMO = "mnemo";
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

        Map<String, Object> peers = new LinkedHashMap<>();
        List<Map<String, Object>> jmh;
        if (Boolean.getBoolean("mnemo.bench.skipJmh")) {
            jmh = List.of();
        } else {
            try (RedisPeer redis = RedisPeer.start("redis", "--appendonly", "no");
                    RedisPeer redisAof = redis == null ? null
                            : RedisPeer.start("redis-aof", "--appendonly", "yes", "--appendfsync", "everysec")) {
                peers.put("chronicle", Map.of("status", "measured", "setup",
                        "raw persisted ChronicleMap<byte[], byte[]> (one file, temp dir), put/get of Mnemo's encoded record bytes"));
                peers.put("redis", redis == null ? RedisPeer.skipped() : redis.describe(
                        "no persistence (--save '' --appendonly no): in-memory only, not durability-comparable"));
                peers.put("redis-aof", redisAof == null ? RedisPeer.skipped() : redisAof.describe(
                        "append-only file, fsync every second (--appendonly yes --appendfsync everysec): store only"));
                jmh = runJmh(root, quick, redis, redisAof);
            }
        }
        result.put("jmh", jmh);
        result.put("peers", peers);
        result.put("comparison", compare(jmh));
        int iterateCount = Integer.getInteger("mnemo.bench.iterateCount", quick ? 50_000 : 1_000_000);
        Map<String, Object> iterate = Boolean.getBoolean("mnemo.bench.skipIterate") ? Map.of() : iterateAndHeap(iterateCount);
        result.put("iteration", iterate);
        result.put("goals", goals(jmh, iterate));
        result.put("finishedAt", Instant.now().toString());

        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        JSON.writeValue(out.resolve("storage-" + stamp + ".json").toFile(), result);
        JSON.writeValue(out.resolve("storage-latest.json").toFile(), result);
        Files.writeString(out.resolve("storage-latest.html"), StorageChart.html(result));
        System.out.println("results written to " + out.resolve("storage-" + stamp + ".json") + " and storage-latest.html");
    }

    private static List<Map<String, Object>> runJmh(Path root, boolean quick, RedisPeer redis, RedisPeer redisAof)
            throws RunnerException {
        List<String> jvmArgs = new ArrayList<>();
        jvmArgs.add("@" + root.resolve("config/jvm.options"));
        if (Runtime.version().feature() >= 23) {
            jvmArgs.add("@" + root.resolve("config/jvm-jdk23.options"));
        }
        jvmArgs.add("-Xmx2g");
        if (redis != null) {
            jvmArgs.add("-D" + StoragePeerBenchmark.REDIS_PORT + "=" + redis.port());
        }
        if (redisAof != null) {
            jvmArgs.add("-D" + StoragePeerBenchmark.REDIS_AOF_PORT + "=" + redisAof.port());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        // Mnemo and its peers in one JMH run, same options; the AOF Redis only differs from plain Redis on store.
        rows.addAll(jmhRows(new Runner(options(quick, jvmArgs)
                .include(StorageBenchmark.class.getName() + "\\.")
                .include(StoragePeerBenchmark.class.getName() + "\\.")
                .param("peer", redis == null ? new String[] {"chronicle"} : new String[] {"chronicle", "redis"})
                .build()).run()));
        if (redisAof != null) {
            rows.addAll(jmhRows(new Runner(options(quick, jvmArgs)
                    .include(StoragePeerBenchmark.class.getName() + "\\.store$")
                    .param("peer", "redis-aof")
                    .build()).run()));
        }
        rows.sort(Comparator.comparing(r -> String.valueOf(r.get("benchmark")))); // stable: each operation's rows together
        return rows;
    }

    private static ChainedOptionsBuilder options(boolean quick, List<String> jvmArgs) {
        return new OptionsBuilder()
                .forks(1)
                .threads(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 4)
                .measurementTime(TimeValue.seconds(quick ? 2 : 3))
                .jvmArgsAppend(jvmArgs.toArray(new String[0]));
    }

    private static List<Map<String, Object>> jmhRows(Collection<RunResult> runs) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunResult r : runs) {
            Statistics st = r.getPrimaryResult().getStatistics();
            String name = r.getParams().getBenchmark();
            String peer = r.getParams().getParam("peer");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("benchmark", name.substring(name.lastIndexOf('.') + 1));
            row.put("system", peer == null ? MNEMO : peer);
            row.put("tier", peer == null ? r.getParams().getParam("tier") : "-");
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
        boolean full = Integer.valueOf(1_000_000).equals(iterate.get("memories"));
        String note = full ? "" : " (not measured: this run iterated " + iterate.get("memories") + ")";
        goal(goals, "iterate 1M x 768 < 2 s (ms)" + note, full ? iterate.get("iterationBestMs") : null, 2_000, false);
        goal(goals, "heap < 512 MB at 1M, 256 MB hot tier (MiB)" + note, full ? iterate.get("heapUsedAfterGcMiB") : null, 512, false);
        return goals;
    }

    private static Object find(List<Map<String, Object>> jmh, String bench, String tier, String field) {
        Map<String, Object> row = row(jmh, MNEMO, bench, tier);
        return row == null ? null : row.get(field);
    }

    private static Map<String, Object> row(List<Map<String, Object>> jmh, String system, String bench, String tier) {
        for (Map<String, Object> row : jmh) {
            if (system.equals(row.get("system")) && bench.equals(row.get("benchmark")) && tier.equals(row.get("tier"))) {
                return row;
            }
        }
        return null;
    }

    /**
     * Mnemo against each peer measured in the same run, per operation. Ratios are Mnemo / peer: above 1 for
     * ops/s means Mnemo is faster, above 1 for a latency percentile means Mnemo is slower.
     */
    private static List<Map<String, Object>> compare(List<Map<String, Object>> jmh) {
        String[][] ops = {{"store", "hot"}, {"store", "warm"}, {"recallHit", "hot"}, {"recallHit", "warm"}, {"recallMiss", "warm"}};
        List<Map<String, Object>> out = new ArrayList<>();
        for (String[] op : ops) {
            Map<String, Object> m = row(jmh, MNEMO, op[0], op[1]);
            if (m == null) {
                continue;
            }
            for (String peer : List.of("chronicle", "redis", "redis-aof")) {
                Map<String, Object> p = row(jmh, peer, op[0], "-");
                if (p == null) {
                    continue;
                }
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("operation", op[0]);
                c.put("mnemoTier", op[1]);
                c.put("peer", peer);
                for (String f : List.of("opsPerSec", "p50Us", "p99Us")) {
                    double mv = ((Number) m.get(f)).doubleValue();
                    double pv = ((Number) p.get(f)).doubleValue();
                    c.put("mnemo" + Character.toUpperCase(f.charAt(0)) + f.substring(1), m.get(f));
                    c.put("peer" + Character.toUpperCase(f.charAt(0)) + f.substring(1), p.get(f));
                    c.put(f.replace("Us", "") + "Ratio", pv > 0 ? Math.round(mv / pv * 1000.0) / 1000.0 : null);
                }
                out.add(c);
            }
        }
        return out;
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
