package io.mnemo.bench.cue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnemo.bench.ClusterFixture;
import io.mnemo.client.CallOptions;
import io.mnemo.client.CueResult;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.StoreResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Recall-by-cue latency on a real local cluster (three node JVMs on 127.0.0.1, RF 3, started through
 * {@link ClusterFixture} and stopped at the end), against the peer baseline: a brute-force scan of the same
 * embeddings held in this process's heap (cosine over every memory, top k by a heap), which is what any
 * single-process exact search must at least do.
 *
 * <p>For each size (default 10K then 100K memories of dimension {@value #DIM}; the second size adds to the first) the
 * memories are stored through {@link MnemoClient#storeAllAsync} (several batches in flight), the cluster-wide count is
 * checked, then {@value #WARMUP} warm-up and the configured number of measured queries run closed loop, one call
 * outstanding: each latency runs from the call's intended start (the previous call's end) to its answer, so there is
 * no coordinated omission. Every measured cluster answer must be complete and its ids equal the brute-force top k
 * (any mismatch is counted and reported). The brute-force scan answers the same cues, interleaved query by query.
 *
 * <p>Run from the project root: {@code java -cp ... io.mnemo.bench.cue.CueBenchmark [outDir [sizes]]}; default out
 * dir {@code benchmarks/results/cue}, sizes {@code 10000,100000}. Writes {@code cue-<time>.json},
 * {@code cue-latest.json} and {@code cue-latest.html}, and the load average before and after each size.
 */
public final class CueBenchmark {
    static final int DIM = 768;
    static final int K = 10;
    private static final int WARMUP = 5;
    private static final int BATCH = 200;
    private static final int IN_FLIGHT = 3;
    private static final String SPACE = "cue";

    private CueBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/cue");
        List<Integer> sizes = new ArrayList<>();
        for (String s : (args.length > 1 ? args[1] : "10000,100000").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        Path home = Path.of("").toAbsolutePath();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("jdk", Runtime.version().toString());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        result.put("nodes", 3);
        result.put("replicationFactor", 3);
        result.put("dimension", DIM);
        result.put("k", K);
        result.put("method", "closed loop, one call outstanding, latency from intended start (= previous call's end) "
                + "to answer; cluster = MnemoClient.recallByCue (scatter over 3 node JVMs, each partition searched by "
                + "one replica); peer = brute-force cosine scan of the same embeddings in this JVM's heap, top k by a "
                + "bounded heap, same cues, interleaved");
        result.put("loadAverageAtStart", loadAverage());
        List<Map<String, Object>> runs = new ArrayList<>();
        result.put("runs", runs);
        Map<String, String> settings = Map.of("mnemo.storage.warm.entries-per-partition", "4000",
                "mnemo.storage.warm.average-value-size", "4KiB");
        try (ClusterFixture fixture = ClusterFixture.start(home, 3, 3, settings, Duration.ofSeconds(420));
             MnemoClient client = MnemoClient.builder().seeds(fixture.startedEndpoints()).defaultSpace(SPACE)
                     .requestTimeout(Duration.ofSeconds(30)).build()) {
            client.createSpace(new SpaceInfo(SPACE, DIM, 0, 0));
            fixture.awaitSpace(SPACE, Duration.ofSeconds(60));
            Random random = new Random(fixture.seed());
            List<float[]> data = new ArrayList<>();
            List<Float> confidences = new ArrayList<>();
            for (int size : sizes) {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("memories", size);
                run.put("loadAverageBefore", loadAverage());
                long loadStart = System.nanoTime();
                load(client, data, confidences, size, random);
                run.put("loadSeconds", round((System.nanoTime() - loadStart) / 1e9));
                long counted = client.counts().total().warm();
                run.put("clusterWideCount", counted);
                if (counted != size) {
                    throw new IllegalStateException("cluster-wide count " + counted + " but " + size + " stored");
                }
                int queries = size <= 20_000 ? 60 : 30;
                measure(client, data, confidences, queries, random, run);
                run.put("loadAverageAfter", loadAverage());
                runs.add(run);
                System.out.println("size " + size + ": " + run);
                write(out, result);
            }
        }
        result.put("loadAverageAtEnd", loadAverage());
        write(out, result);
    }

    /**
     * Stores memories until the space holds {@code size}; keeps their embeddings for the brute-force peer. A batch
     * item that fails (a loaded machine times calls out) is stored again: stores are idempotent.
     */
    private static void load(MnemoClient client, List<float[]> data, List<Float> confidences, int size, Random random) {
        List<CompletableFuture<List<StoreResult>>> inFlight = new ArrayList<>();
        List<List<Memory>> batches = new ArrayList<>();
        int next = data.size();
        while (next < size) {
            List<Memory> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH && next < size; i++, next++) {
                float[] v = vector(random);
                float confidence = random.nextFloat();
                data.add(v);
                confidences.add(confidence);
                batch.add(Memory.builder().id("m-" + next).embedding(v).confidence(confidence)
                        .content("memory " + next).build());
            }
            inFlight.add(client.storeAllAsync(batch));
            batches.add(batch);
            if (inFlight.size() >= IN_FLIGHT) {
                retryFailed(client, batches.remove(0), inFlight.remove(0));
            }
            if (next % 5_000 == 0) {
                System.out.println("stored " + next + " (load average " + loadAverage() + ")");
            }
        }
        for (int i = 0; i < inFlight.size(); i++) {
            retryFailed(client, batches.get(i), inFlight.get(i));
        }
    }

    private static void retryFailed(MnemoClient client, List<Memory> batch, CompletableFuture<List<StoreResult>> f) {
        List<StoreResult> results;
        try {
            results = f.join();
        } catch (java.util.concurrent.CompletionException e) {
            results = null;
        }
        List<Memory> failed = new ArrayList<>();
        if (results == null) {
            failed.addAll(batch);
        } else {
            for (StoreResult r : results) {
                if (!r.isStored()) {
                    failed.add(batch.get(r.index()));
                }
            }
        }
        for (int attempt = 1; !failed.isEmpty(); attempt++) {
            if (attempt > 10) {
                throw new IllegalStateException(failed.size() + " memories could not be stored in 10 rounds");
            }
            System.out.println("storing " + failed.size() + " failed memories again (round " + attempt + ")");
            List<Memory> again = failed;
            List<StoreResult> rs;
            try {
                rs = client.storeAll(again);
            } catch (io.mnemo.client.MnemoException e) {
                System.out.println("storeAll failed: " + e);
                continue;
            }
            failed = new ArrayList<>();
            for (StoreResult r : rs) {
                if (!r.isStored()) {
                    failed.add(again.get(r.index()));
                }
            }
        }
    }

    private static void measure(MnemoClient client, List<float[]> data, List<Float> confidences, int queries,
                                Random random, Map<String, Object> run) {
        Histogram cluster = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        Histogram brute = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        int mismatches = 0;
        int incomplete = 0;
        for (int q = 0; q < WARMUP + queries; q++) {
            boolean measured = q >= WARMUP;
            float[] cue = vector(random);
            long start = System.nanoTime();
            CueResult r = client.recallByCueAsync(SPACE, cue, K, 0f, CallOptions.defaults()).join();
            long clusterNs = System.nanoTime() - start;
            start = System.nanoTime();
            List<String> expected = bruteForce(data, confidences, cue, K);
            long bruteNs = System.nanoTime() - start;
            if (!measured) {
                continue;
            }
            cluster.recordValue(clusterNs);
            brute.recordValue(bruteNs);
            if (!r.complete()) {
                incomplete++;
            }
            if (!r.hits().stream().map(h -> h.memory().id()).toList().equals(expected)) {
                mismatches++;
            }
        }
        run.put("queries", queries);
        run.put("cluster", percentiles(cluster));
        run.put("bruteForce", percentiles(brute));
        run.put("ratioP50", round(cluster.getValueAtPercentile(50) / (double) brute.getValueAtPercentile(50)));
        run.put("ratioP99", round(cluster.getValueAtPercentile(99) / (double) brute.getValueAtPercentile(99)));
        run.put("incompleteAnswers", incomplete);
        run.put("answersDifferingFromBruteForce", mismatches);
    }

    /** The ids of the k most similar memories, best first (ties by id, as the node orders them). */
    static List<String> bruteForce(List<float[]> data, List<Float> confidences, float[] cue, int k) {
        double cueNorm = 0;
        for (float c : cue) {
            cueNorm += (double) c * c;
        }
        cueNorm = Math.sqrt(cueNorm);
        PriorityQueue<double[]> heap = new PriorityQueue<>(k + 1, (a, b) -> Double.compare(a[0], b[0]));
        for (int i = 0; i < data.size(); i++) {
            float[] v = data.get(i);
            double dot = 0;
            double norm = 0;
            for (int d = 0; d < v.length; d++) {
                dot += (double) cue[d] * v[d];
                norm += (double) v[d] * v[d];
            }
            double s = dot / (cueNorm * Math.sqrt(norm));
            if (heap.size() < k) {
                heap.add(new double[] {s, i});
            } else if (s > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] {s, i});
            }
        }
        List<double[]> best = new ArrayList<>(heap);
        best.sort((a, b) -> Double.compare(b[0], a[0]));
        return best.stream().map(e -> "m-" + (int) e[1]).toList();
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("p50Ms", round(h.getValueAtPercentile(50) / 1e6));
        p.put("p99Ms", round(h.getValueAtPercentile(99) / 1e6));
        p.put("meanMs", round(h.getMean() / 1e6));
        p.put("maxMs", round(h.getMaxValue() / 1e6));
        return p;
    }

    /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static float[] vector(Random random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static void write(Path out, Map<String, Object> result) throws IOException {
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String text = json.writeValueAsString(result);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
                .format(Instant.parse((String) result.get("startedAt")));
        Files.writeString(out.resolve("cue-" + stamp + ".json"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("cue-latest.json"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("cue-latest.html"), CueChart.html(result), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath() + "/cue-latest.{json,html}");
    }
}
