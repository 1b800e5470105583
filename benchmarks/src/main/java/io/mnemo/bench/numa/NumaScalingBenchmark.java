package io.mnemo.bench.numa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnemo.node.numa.CpuSet;
import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaMode;
import io.mnemo.node.numa.NumaNode;
import io.mnemo.node.numa.NumaStatus;
import io.mnemo.node.numa.NumaTopology;
import io.mnemo.node.numa.NumaWorkers;
import io.mnemo.node.numa.WorkerErrorHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Thread scaling of {@link NumaWorkers} with pinning on versus off, on a CPU- and memory-bound task:
 * for one partition, the dot products of a 768-float query with every vector of that partition's
 * array. Each partition's array is allocated and first written by a thread of the pool that owns it
 * (so on a multi-socket host its pages sit on that node), exactly as storage warm-up will do.
 *
 * <p>A plain harness rather than JMH because the thing measured is a pool of threads fed by a
 * producer, not a method: for each pool size (1, 2, 4 threads by default) and mode, it runs a warm-up
 * then a measured window, several rounds alternating on/off so drift on a shared machine hits both
 * alike, and reports the median tasks per second. Writes {@code numa-scaling.json} and
 * {@code numa-scaling.html} (an SVG bar chart) to the output directory and prints the on/off ratios.
 *
 * <p>Arguments (all optional): {@code --threads 1,2,4 --warmup-ms 500 --measure-ms 1500 --rounds 3
 * --partitions 32 --vectors 512 --out benchmarks/results/numa}.
 */
public final class NumaScalingBenchmark {

    private static final int DIM = 768;

    /** Keeps the JIT from dropping the dot products as dead code. */
    static volatile double blackhole;

    private NumaScalingBenchmark() {
    }

    /** One measured configuration. */
    record Result(int threadsRequested, int threads, boolean pinned, int pinnedThreads, String placement, List<Double> tasksPerSecond) {
        double median() {
            double[] sorted = tasksPerSecond.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        int[] threadCounts = Arrays.stream(opts.getOrDefault("threads", "1,2,4").split(",")).mapToInt(Integer::parseInt).toArray();
        long warmupMs = Long.parseLong(opts.getOrDefault("warmup-ms", "500"));
        long measureMs = Long.parseLong(opts.getOrDefault("measure-ms", "1500"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        int partitions = Integer.parseInt(opts.getOrDefault("partitions", "32"));
        int vectors = Integer.parseInt(opts.getOrDefault("vectors", "512"));
        Path out = Path.of(opts.getOrDefault("out", "benchmarks/results/numa"));

        NumaTopology topology = NumaTopology.detect(Path.of("/sys/devices/system"));
        System.out.printf("topology: %s%n", topology.describe());

        Map<String, Result> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int threads : threadCounts) {
                boolean[] order = round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false};
                for (boolean pin : order) {
                    NumaConfig config = pin ? pinnedConfig(topology, threads) : NumaConfig.builder().mode(NumaMode.OFF)
                            .unpinnedThreads(threads).build();
                    Run run = runOnce(config, topology, partitions, vectors, threads, warmupMs, measureMs);
                    String key = threads + (pin ? "/on" : "/off");
                    Result previous = results.get(key);
                    List<Double> values = previous == null ? new ArrayList<>() : new ArrayList<>(previous.tasksPerSecond());
                    values.add(run.tasksPerSecond);
                    results.put(key, new Result(threads, run.status.threads(), run.status.pinned(), run.status.pinnedThreads(),
                            run.placement, values));
                    System.out.printf("round %d threads %d pinning %-3s: %10.1f tasks/s (%d of %d threads pinned; %s)%n",
                            round, threads, pin ? "on" : "off", run.tasksPerSecond, run.status.pinnedThreads(),
                            run.status.threads(), run.placement);
                }
            }
        }

        Map<String, Object> ratios = new LinkedHashMap<>();
        System.out.println();
        System.out.println("threads  off tasks/s   on tasks/s   on/off");
        for (int threads : threadCounts) {
            double off = results.get(threads + "/off").median();
            double on = results.get(threads + "/on").median();
            ratios.put(String.valueOf(threads), on / off);
            System.out.printf("%7d %12.1f %12.1f %8.3f%n", threads, off, on, on / off);
        }

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "numa-scaling");
        doc.put("time", Instant.now().toString());
        doc.put("task", "dot products of one 768-float query against every vector of one partition");
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        host.put("numaNodes", topology.nodes().size());
        host.put("topology", topology.describe());
        host.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        host.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        doc.put("host", host);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("partitions", partitions);
        params.put("vectorsPerPartition", vectors);
        params.put("dim", DIM);
        params.put("warmupMs", warmupMs);
        params.put("measureMs", measureMs);
        params.put("rounds", rounds);
        doc.put("params", params);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Result r : results.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("threads", r.threadsRequested());
            row.put("pinning", r.pinned() ? "on" : "off");
            row.put("workerThreads", r.threads());
            row.put("pinnedThreads", r.pinnedThreads());
            row.put("placement", r.placement());
            row.put("tasksPerSecondPerRound", r.tasksPerSecond());
            row.put("tasksPerSecondMedian", r.median());
            rows.add(row);
        }
        doc.put("results", rows);
        doc.put("ratioOnOverOff", ratios);

        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("numa-scaling.json").toFile(), doc);
        Files.writeString(out.resolve("numa-scaling.html"), chart(threadCounts, results, topology));
        System.out.println("wrote " + out.resolve("numa-scaling.json") + " and " + out.resolve("numa-scaling.html"));
    }

    /**
     * Pinned set-up for {@code threads} threads: CPUs taken round-robin across NUMA nodes (one pool per
     * node), or every usable CPU with several threads each when there are fewer CPUs than threads.
     */
    static NumaConfig pinnedConfig(NumaTopology topology, int threads) {
        List<NumaNode> nodes = topology.usableNodes();
        int usable = topology.usable().size();
        List<List<Integer>> perNode = new ArrayList<>();
        nodes.forEach(n -> perNode.add(new ArrayList<>()));
        int perCpu = 1;
        if (threads >= usable) {
            for (int i = 0; i < nodes.size(); i++) {
                for (int cpu : topology.usable(nodes.get(i)).toArray()) {
                    perNode.get(i).add(cpu);
                }
            }
            perCpu = (threads + usable - 1) / usable;
        } else {
            int[][] cpus = nodes.stream().map(n -> topology.usable(n).toArray()).toArray(int[][]::new);
            int taken = 0;
            for (int k = 0; taken < threads; k++) {
                for (int i = 0; i < nodes.size() && taken < threads; i++) {
                    if (k < cpus[i].length) {
                        perNode.get(i).add(cpus[i][k]);
                        taken++;
                    }
                }
            }
        }
        StringBuilder lists = new StringBuilder();
        for (List<Integer> cpus : perNode) {
            if (!cpus.isEmpty()) {
                lists.append(lists.length() == 0 ? "" : ";").append(CpuSet.of(cpus).format());
            }
        }
        return NumaConfig.builder().cpus(lists.toString()).threadsPerCpu(perCpu).build();
    }

    private record Run(double tasksPerSecond, NumaStatus status, String placement) {
    }

    private static Run runOnce(NumaConfig config, NumaTopology topology, int partitions, int vectors, int threads,
                               long warmupMs, long measureMs) throws Exception {
        AtomicLong failures = new AtomicLong();
        WorkerErrorHandler onError = (pool, thread, error) -> failures.incrementAndGet();
        try (NumaWorkers workers = NumaWorkers.start(config, topology, partitions, onError)) {
            float[][] data = new float[partitions][];
            float[][] queries = new float[partitions][];
            workers.warmUp(p -> () -> {
                SplittableRandom random = new SplittableRandom(p);
                float[] vectorsOfP = new float[vectors * DIM];
                for (int i = 0; i < vectorsOfP.length; i++) {
                    vectorsOfP[i] = (float) random.nextDouble(-1, 1);
                }
                float[] query = new float[DIM];
                for (int i = 0; i < DIM; i++) {
                    query[i] = (float) random.nextDouble(-1, 1);
                }
                data[p] = vectorsOfP;
                queries[p] = query;
            }).get(60, TimeUnit.SECONDS);

            Semaphore inFlight = new Semaphore(4 * Math.max(1, threads));
            AtomicLong done = new AtomicLong();
            DoubleAdder sink = new DoubleAdder();
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.MILLISECONDS.toNanos(warmupMs);
            long end = measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMs);
            long countAtStart = -1;
            long measuredStartNs = 0;
            int partition = 0;
            while (true) {
                long now = System.nanoTime();
                if (countAtStart < 0 && now >= measureFrom) {
                    countAtStart = done.get();
                    measuredStartNs = now;
                }
                if (now >= end) {
                    break;
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int p = partition;
                partition = (partition + 1) % partitions;
                workers.executorFor(p).execute(() -> {
                    try {
                        sink.add(scan(data[p], queries[p]));
                        done.incrementAndGet();
                    } finally {
                        inFlight.release();
                    }
                });
            }
            long measured = done.get() - countAtStart;
            double seconds = (System.nanoTime() - measuredStartNs) / 1e9;
            if (failures.get() > 0) {
                throw new IllegalStateException(failures.get() + " benchmark tasks failed");
            }
            blackhole = sink.sum();
            return new Run(measured / seconds, workers.status(), workers.placement().describe());
        }
    }

    /** Dot products of {@code query} with every vector in {@code vectors}, summed. */
    static double scan(float[] vectors, float[] query) {
        double total = 0;
        for (int base = 0; base < vectors.length; base += DIM) {
            float dot = 0;
            for (int i = 0; i < DIM; i++) {
                dot += vectors[base + i] * query[i];
            }
            total += dot;
        }
        return total;
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }

    private static String chart(int[] threadCounts, Map<String, Result> results, NumaTopology topology) {
        double max = results.values().stream().mapToDouble(Result::median).max().orElse(1);
        int barWidth = 40;
        int groupWidth = 2 * barWidth + 40;
        int height = 300;
        int left = 70;
        int width = left + threadCounts.length * groupWidth + 40;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(width).append("' height='").append(height + 80)
                .append("' font-family='sans-serif' font-size='12'>\n");
        svg.append("<line x1='").append(left).append("' y1='20' x2='").append(left).append("' y2='").append(height + 20)
                .append("' stroke='black'/>\n");
        svg.append("<line x1='").append(left).append("' y1='").append(height + 20).append("' x2='").append(width - 20)
                .append("' y2='").append(height + 20).append("' stroke='black'/>\n");
        for (int tick = 0; tick <= 4; tick++) {
            double value = max * tick / 4;
            int y = height + 20 - (int) (height * tick / 4.0);
            svg.append("<text x='").append(left - 5).append("' y='").append(y + 4).append("' text-anchor='end'>")
                    .append(String.format("%.0f", value)).append("</text>\n");
        }
        for (int g = 0; g < threadCounts.length; g++) {
            int x0 = left + 20 + g * groupWidth;
            String[] keys = {threadCounts[g] + "/off", threadCounts[g] + "/on"};
            String[] colors = {"#9e9e9e", "#1565c0"};
            for (int b = 0; b < 2; b++) {
                double v = results.get(keys[b]).median();
                int h = (int) (height * v / max);
                int x = x0 + b * barWidth;
                svg.append("<rect x='").append(x).append("' y='").append(height + 20 - h).append("' width='").append(barWidth - 4)
                        .append("' height='").append(h).append("' fill='").append(colors[b]).append("'><title>")
                        .append(keys[b]).append(": ").append(String.format("%.1f", v)).append(" tasks/s</title></rect>\n");
                svg.append("<text x='").append(x + (barWidth - 4) / 2).append("' y='").append(height + 15 - h)
                        .append("' text-anchor='middle' font-size='10'>").append(String.format("%.0f", v)).append("</text>\n");
            }
            double ratio = results.get(keys[1]).median() / results.get(keys[0]).median();
            svg.append("<text x='").append(x0 + barWidth).append("' y='").append(height + 38).append("' text-anchor='middle'>")
                    .append(threadCounts[g]).append(threadCounts[g] == 1 ? " thread" : " threads").append("</text>\n");
            svg.append("<text x='").append(x0 + barWidth).append("' y='").append(height + 54).append("' text-anchor='middle'>on/off ")
                    .append(String.format("%.3f", ratio)).append("</text>\n");
        }
        svg.append("<rect x='").append(width - 150).append("' y='20' width='12' height='12' fill='#9e9e9e'/><text x='")
                .append(width - 132).append("' y='30'>pinning off</text>\n");
        svg.append("<rect x='").append(width - 150).append("' y='38' width='12' height='12' fill='#1565c0'/><text x='")
                .append(width - 132).append("' y='48'>pinning on</text>\n");
        svg.append("</svg>\n");
        return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Mnemo NUMA pinning: thread scaling</title></head><body>\n"
                + "<h1>NUMA pinning: thread scaling (median tasks/s, higher is better)</h1>\n"
                + "<p>Task: dot products of a 768-float query with every vector of one partition. Host: "
                + escape(topology.describe()) + "</p>\n" + svg + "</body></html>\n";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
