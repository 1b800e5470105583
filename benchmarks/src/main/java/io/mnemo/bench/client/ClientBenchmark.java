package io.mnemo.bench.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnemo.bench.ClusterFixture;
import io.mnemo.bench.JitWarmup;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.client.CallOptions;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.StoreResult;
import io.mnemo.client.internal.TopologyView;
import io.mnemo.node.cli.LocalCluster;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.TopologyResponse;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The client's goals, measured against a real local cluster: three node JVMs on 127.0.0.1 started by this
 * program (the CLI's {@link LocalCluster}, through {@link ClusterFixture}) and stopped at the end, whatever happens.
 *
 * <ol>
 *   <li>Client overhead for recall by id: the same keys recalled from the same node, once through a raw
 *       generated blocking stub sent straight to the key's first replica (the node the client routes to), once
 *       through {@link MnemoClient#recall}. Blocks of {@value #BLOCK} calls alternate between the two so drift in
 *       the shared machine's load hits both alike. Closed loop, one call outstanding: each call's latency runs from
 *       its intended start (the previous call's end, as nothing else is queued) to its reply, so there is no
 *       coordinated omission to correct. Reported: p50/p99 of each and the ratio client/raw.</li>
 *   <li>{@link MnemoClient#storeAll} of {@value #BATCH} memories of dimension {@value #DIM}: memories/s, wall
 *       clock from the call to its result.</li>
 * </ol>
 *
 * <p>Before either is measured, {@link JitWarmup} runs a mixed closed-loop workload so the node JVMs are past their
 * JIT warm-up.
 *
 * <p>Run: {@code java -cp ... io.mnemo.bench.client.ClientBenchmark [outDir [jitWarmupSeconds]]} (default 120 s)
 * from the project root (it holds
 * {@code config/jvm.options}, which the nodes are started with); default out dir {@code benchmarks/results/client}.
 * Writes {@code client-<time>.json}, {@code client-latest.json} and {@code client-latest.html}.
 */
public final class ClientBenchmark {
    static final int DIM = 768;
    static final int BATCH = 10_000;
    static final int BLOCK = 250;
    private static final int KEYS = 500;
    /** Calls of both kinds together: half raw, half client. */
    private static final int WARMUP_CALLS = 3_000;
    /** Calls of both kinds together: half raw, half client. */
    private static final int MEASURED_CALLS = 6_000;
    private static final String SPACE = "bench";
    /** Seconds of mixed load before anything is measured, so the node JVMs are past their JIT warm-up. */
    private static final int DEFAULT_JIT_WARMUP_S = 120;

    private ClientBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/client");
        Duration jitWarmup = Duration.ofSeconds(args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_JIT_WARMUP_S);
        Path home = Path.of("").toAbsolutePath();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("jdk", Runtime.version().toString());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        result.put("nodes", 3);
        result.put("method", "closed loop, one call outstanding, latency from intended start (= previous call's end) "
                + "to reply; raw stub and client alternate in blocks of " + BLOCK + " calls on the same keys and node");
        try (ClusterFixture fixture = ClusterFixture.start(home, 3, 3, Map.of(), Duration.ofSeconds(180))) {
            long seed = fixture.seed();
            LocalCluster cluster = fixture.cluster();
            try (MnemoClient client = MnemoClient.builder().seeds(fixture.startedEndpoints()).defaultSpace(SPACE)
                    .requestTimeout(Duration.ofSeconds(30)).build()) {
                client.createSpace(new SpaceInfo(SPACE, DIM, 0, 0));
                fixture.awaitSpace(SPACE, Duration.ofSeconds(60));
                result.put("jitWarmup", JitWarmup.run(client, SPACE, DIM, jitWarmup, 8, seed));
                result.put("recall", recallOverhead(client, cluster, new Random(seed)));
                result.put("storeAll", storeAll(client, new Random(seed + 1)));
            }
        }
        write(out, result);
    }

    private static Map<String, Object> recallOverhead(MnemoClient client, LocalCluster cluster, Random random) {
        List<Memory> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(Memory.builder().id("k-" + i).content("recall key " + i).embedding(vector(random)).build());
        }
        long failed = client.storeAll(keys).stream().filter(r -> !r.isStored()).count();
        if (failed > 0) {
            throw new IllegalStateException(failed + " of the recall keys could not be stored");
        }
        TopologyResponse t = ClusterFixture.topology(cluster.endpoint(1));
        TopologyView view = TopologyView.of(t.getTopology(), null);
        // Keys whose first replica (the node the client sends to) is node 1's endpoint: raw calls go there too.
        String target = cluster.endpoint(1);
        List<String> ids = new ArrayList<>();
        for (Memory m : keys) {
            if (view.replicasOf(SPACE, m.id()).get(0).equals(target)) {
                ids.add(m.id());
            }
        }
        System.out.println("recall: " + ids.size() + " keys routed to " + target + " (epoch " + view.epoch() + ")");
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        Histogram raw = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        Histogram lib = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
        try {
            MnemoServiceGrpc.MnemoServiceBlockingStub stub = MnemoServiceGrpc.newBlockingStub(channel);
            int[] next = {0};
            for (int phase = 0; phase < 2; phase++) {
                boolean measure = phase == 1;
                int calls = measure ? MEASURED_CALLS : WARMUP_CALLS;
                for (int done = 0; done < calls; done += 2 * BLOCK) {
                    for (int i = 0; i < BLOCK; i++) {
                        String id = ids.get(next[0]++ % ids.size());
                        long start = System.nanoTime();
                        stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                                .recall(RecallRequest.newBuilder().setSpace(SPACE).setId(id).build());
                        long end = System.nanoTime();
                        if (measure) {
                            raw.recordValue(end - start);
                        }
                    }
                    for (int i = 0; i < BLOCK; i++) {
                        String id = ids.get(next[0]++ % ids.size());
                        long start = System.nanoTime();
                        if (client.recall(SPACE, id, CallOptions.defaults()).isEmpty()) {
                            throw new IllegalStateException("stored key " + id + " not found");
                        }
                        long end = System.nanoTime();
                        if (measure) {
                            lib.recordValue(end - start);
                        }
                    }
                }
            }
        } finally {
            channel.shutdownNow();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("node", target);
        r.put("keys", ids.size());
        r.put("samplesEach", raw.getTotalCount());
        r.put("raw", percentiles(raw));
        r.put("client", percentiles(lib));
        r.put("ratioP50", round(lib.getValueAtPercentile(50) / (double) raw.getValueAtPercentile(50)));
        r.put("ratioP99", round(lib.getValueAtPercentile(99) / (double) raw.getValueAtPercentile(99)));
        System.out.println("recall by id: raw " + r.get("raw") + ", client " + r.get("client") + ", ratio p50 "
                + r.get("ratioP50") + ", p99 " + r.get("ratioP99"));
        return r;
    }

    private static Map<String, Object> storeAll(MnemoClient client, Random random) {
        List<Memory> warm = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            warm.add(Memory.builder().id("warm-" + i).embedding(vector(random)).build());
        }
        client.storeAll(warm);
        List<Memory> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(Memory.builder().id("s-" + i).content("memory " + i).embedding(vector(random)).build());
        }
        long start = System.nanoTime();
        List<StoreResult> results = client.storeAll(batch);
        long elapsedNs = System.nanoTime() - start;
        long stored = results.stream().filter(StoreResult::isStored).count();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("memories", BATCH);
        r.put("dimension", DIM);
        r.put("stored", stored);
        r.put("seconds", round(elapsedNs / 1e9));
        r.put("memoriesPerSec", Math.round(stored / (elapsedNs / 1e9)));
        System.out.println("storeAll: " + r);
        return r;
    }

    private static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("p50Us", round(h.getValueAtPercentile(50) / 1e3));
        p.put("p99Us", round(h.getValueAtPercentile(99) / 1e3));
        p.put("meanUs", round(h.getMean() / 1e3));
        p.put("maxUs", round(h.getMaxValue() / 1e3));
        return p;
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
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Files.writeString(out.resolve("client-" + stamp + ".json"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("client-latest.json"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("client-latest.html"), ClientChart.html(result), StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath() + "/client-latest.{json,html}");
    }
}
