package io.mnemo.bench.cluster;

import io.mnemo.bench.ClusterFixture;
import io.mnemo.bench.JitWarmup;
import io.mnemo.client.CallOptions;
import io.mnemo.client.Consistency;
import io.mnemo.client.Memory;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.internal.TopologyView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Latency of a real 3-process Mnemo cluster (RF = 3, W = R = 2) driven through the Java client at fixed moderate
 * rates, against Redis (a primary and two replicas, {@link RedisReplicaSet}) in the same run, with the same payload
 * bytes, the same open-loop generator ({@link OpenLoop}) and the same rates.
 *
 * <p>Per rate, five phases run one after another, each a warm-up then a measured window: Mnemo store (new ids),
 * Redis SET + WAIT 1, Mnemo recall at ONE, Redis GET, Mnemo recall at QUORUM. Recalls pick uniformly among
 * {@code keys} memories stored before the phases (in both systems). Reported per phase: p50/p90/p99/p99.9/max
 * from the scheduled start, failures, shed operations, and the Mnemo / Redis ratio per percentile.
 *
 * <p>Before anything is measured, {@link JitWarmup} runs a mixed closed-loop workload so the node JVMs are past
 * their JIT warm-up ({@code --jit-warmup} seconds).
 *
 * <p>Arguments: {@code --rates 200,500,1000 --jit-warmup 120 --warmup 5 --measure 20 --keys 5000
 * --out benchmarks/results/cluster} ({@code --quick}: rates 200,500, 30 s JIT warm-up, 2 s warm-up, 5 s measured,
 * 1000 keys; {@code --no-redis}: Mnemo only). Run from
 * the project root (the nodes take their JVM flags from {@code config/jvm.options}).
 */
public final class ClusterBenchmark {
    static final String SPACE = "bench";
    private static final int MAX_OUTSTANDING = 10_000;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Args args;
    private final Payloads payloads;

    private ClusterBenchmark(Args args, long seed) {
        this.args = args;
        this.payloads = new Payloads(seed);
    }

    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "cluster latency");
        result.put("startedAt", Instant.now().toString());
        result.put("loadAverageStart", Results.loadAverage());
        result.put("memoryPressureStart", Results.memoryPressure());
        result.put("jdk", Runtime.version().toString());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        result.put("args", a.describe());
        result.put("method", "open loop: operation i scheduled at t0 + i/rate, latency from the scheduled time to completion "
                + "(no coordinated omission), HdrHistogram (3 digits) per 1 s interval; each phase " + a.warmupS
                + " s warm-up then " + a.measureS + " s measured; a failed call is counted and recorded at the time it took to fail");
        result.put("mnemo", Map.of("nodes", 3, "replicationFactor", 3, "writeQuorum", 2, "readQuorum", 2,
                "partitions", 64, "payload", Payloads.DIM + "-float embedding + " + Payloads.CONTENT_BYTES + "-byte content",
                "client", "MnemoClient async calls, per-call timeout " + CALL_TIMEOUT.toSeconds() + " s"));
        Path home = Path.of("").toAbsolutePath();
        try (ClusterFixture fx = ClusterFixture.start(home, 3, 3, Map.of(), Duration.ofSeconds(240));
             RedisReplicaSet redis = a.redis ? RedisReplicaSet.start() : null;
             MnemoClient client = MnemoClient.builder().seeds(fx.startedEndpoints()).defaultSpace(SPACE)
                     .requestTimeout(Duration.ofSeconds(30)).build()) {
            ClusterBenchmark b = new ClusterBenchmark(a, fx.seed());
            result.put("redis", redis == null ? Map.of("status", "skipped") : redis.describe());
            client.createSpace(new SpaceInfo(SPACE, Payloads.DIM, 0, 0));
            fx.awaitSpace(SPACE, Duration.ofSeconds(60));
            result.put("jitWarmup", JitWarmup.run(client, SPACE, Payloads.DIM, Duration.ofSeconds(a.jitWarmupS), 8,
                    fx.seed()));
            result.put("preload", b.preload(client, redis));
            result.put("routing", routing(client, fx, a.keys));
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int rate : a.rates) {
                rows.addAll(b.atRate(rate, client, redis));
            }
            result.put("phases", rows);
            result.put("ratios", ratios(rows));
            result.put("nodeStartRetries", fx.restarts());
        }
        result.put("finishedAt", Instant.now().toString());
        result.put("loadAverageEnd", Results.loadAverage());
        result.put("memoryPressureEnd", Results.memoryPressure());
        Results.write(a.out, "cluster", result, ClusterReport.html(result));
        System.out.println(ClusterReport.markdown(result));
    }

    /** Stores the recall keys in both systems. */
    private Map<String, Object> preload(MnemoClient client, RedisReplicaSet redis) {
        Map<String, Object> m = BatchLoad.load(client, args.keys, i -> payloads.memory(recallId(i), i), 0);
        if (redis != null) {
            List<CompletableFuture<Long>> sets = new ArrayList<>();
            for (int i = 0; i < args.keys; i++) {
                sets.add(redis.store(recallId(i).getBytes(StandardCharsets.UTF_8), payloads.redisValue(i)));
            }
            CompletableFuture.allOf(sets.toArray(new CompletableFuture<?>[0])).join();
        }
        return m;
    }

    /** The five phases at one rate. */
    private List<Map<String, Object>> atRate(int rate, MnemoClient client, RedisReplicaSet redis) throws InterruptedException {
        CallOptions write = CallOptions.defaults().withTimeout(CALL_TIMEOUT);
        CallOptions one = write.withConsistency(Consistency.ONE);
        CallOptions quorum = write.withConsistency(Consistency.QUORUM);
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(phase("mnemo", "store", rate, i -> client.storeAsync(payloads.memory(storeId(rate, i), i), write)));
        if (redis != null) {
            rows.add(phase("redis", "store", rate, i -> redis.store(storeId(rate, i).getBytes(StandardCharsets.UTF_8),
                    payloads.redisValue(i))));
        }
        rows.add(phase("mnemo", "recall-one", rate, i -> recall(client, pick(i), one)));
        if (redis != null) {
            rows.add(phase("redis", "recall", rate, i -> redis.recall(recallId(pick(i)).getBytes(StandardCharsets.UTF_8))));
        }
        rows.add(phase("mnemo", "recall-quorum", rate, i -> recall(client, pick(i), quorum)));
        return rows;
    }

    private static CompletableFuture<Memory> recall(MnemoClient client, int key, CallOptions options) {
        String id = recallId(key);
        return client.recallAsync(SPACE, id, options).thenApply(m -> m.orElseThrow(
                () -> new IllegalStateException("stored key " + id + " not found")));
    }

    private Map<String, Object> phase(String system, String op, int rate, OpenLoop.Op o) throws InterruptedException {
        OpenLoop loop = new OpenLoop(system + "-" + op + "-" + rate, rate, MAX_OUTSTANDING, o).start();
        ClusterFixture.pause(Duration.ofSeconds(args.warmupS + args.measureS));
        loop.stop(30);
        long warmMs = args.warmupS * 1000L;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("system", system);
        row.put("op", op);
        row.put("rate", rate);
        row.put("latency", Results.percentiles(loop.merged(warmMs, Long.MAX_VALUE)));
        row.put("errors", loop.errors(warmMs, Long.MAX_VALUE));
        row.put("shed", loop.shed());
        row.put("unfinished", loop.stillOutstanding());
        row.put("firstError", loop.firstError() == null ? null : loop.firstError().toString());
        row.put("loadAverage1m", Results.loadAverage().stream().findFirst().orElse(null));
        row.put("memoryPressure", Results.memoryPressure());
        System.out.println(system + " " + op + " @" + rate + "/s: " + row.get("latency") + ", errors " + row.get("errors")
                + (loop.firstError() == null ? "" : " (first: " + loop.firstError() + ")"));
        return row;
    }

    /** Mnemo / Redis per rate and operation (store vs SET+WAIT, recall ONE and QUORUM vs GET). */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> ratios(List<Map<String, Object>> rows) {
        Map<String, Map<String, Object>> byKey = new TreeMap<>();
        for (Map<String, Object> r : rows) {
            byKey.put(r.get("system") + "/" + r.get("op") + "/" + r.get("rate"), (Map<String, Object>) r.get("latency"));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (!"mnemo".equals(r.get("system"))) {
                continue;
            }
            String peerOp = "store".equals(r.get("op")) ? "store" : "recall";
            Map<String, Object> peer = byKey.get("redis/" + peerOp + "/" + r.get("rate"));
            if (peer != null) {
                Map<String, Object> ratio = new LinkedHashMap<>();
                ratio.put("op", r.get("op"));
                ratio.put("vs", "redis " + peerOp);
                ratio.put("rate", r.get("rate"));
                ratio.put("mnemoOverRedis", Results.ratios((Map<String, Object>) r.get("latency"), peer));
                out.add(ratio);
            }
        }
        return out;
    }

    /** Which node the client sends each recall key to: the first replica of the key's partition. */
    private static Map<String, Object> routing(MnemoClient client, ClusterFixture fx, int keys) {
        TopologyView view = TopologyView.of(ClusterFixture.topology(fx.endpoint(1)).getTopology(), null);
        Map<String, Integer> perTarget = new TreeMap<>();
        int firstIsReplica = 0;
        for (int i = 0; i < keys; i++) {
            List<String> replicas = view.replicasOf(SPACE, recallId(i));
            perTarget.merge(replicas.get(0), 1, Integer::sum);
            firstIsReplica++;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", "the client sends a keyed call to the first endpoint of replicasOf(key) (topology order, no zone "
                + "set), which is always a replica; a read at ONE is then served from that node's own copy "
                + "(Coordinator.read asks its own replica first); QUORUM adds one remote replica");
        m.put("keysPerTarget", perTarget);
        m.put("keysSentToAReplica", firstIsReplica + " of " + keys);
        m.put("epoch", client.topologyEpoch());
        return m;
    }

    private int pick(long i) {
        long z = (i + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return (int) Math.floorMod(z ^ (z >>> 29), (long) args.keys);
    }

    static String recallId(long i) {
        return "r-" + i;
    }

    private static String storeId(int rate, long i) {
        return "s-" + rate + "-" + i;
    }

    /** Command-line arguments. */
    record Args(int[] rates, int jitWarmupS, int warmupS, int measureS, int keys, boolean redis, Path out) {
        static Args parse(String[] argv) {
            CliArgs c = new CliArgs(argv, Set.of("--rates", "--jit-warmup", "--warmup", "--measure", "--keys", "--out"),
                    Set.of("--quick", "--no-redis"));
            boolean quick = c.has("--quick");
            int[] rates = Arrays.stream(c.get("--rates", quick ? "200,500" : "200,500,1000").split(","))
                    .mapToInt(Integer::parseInt).toArray();
            return new Args(rates, c.getInt("--jit-warmup", quick ? 30 : 120),
                    c.getInt("--warmup", quick ? 2 : 5), c.getInt("--measure", quick ? 5 : 20),
                    c.getInt("--keys", quick ? 1_000 : 5_000), !c.has("--no-redis"),
                    Path.of(c.get("--out", "benchmarks/results/cluster")));
        }

        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rates", rates);
            m.put("jitWarmupSeconds", jitWarmupS);
            m.put("warmupSeconds", warmupS);
            m.put("measureSeconds", measureS);
            m.put("recallKeys", keys);
            m.put("redis", redis);
            return m;
        }
    }
}
