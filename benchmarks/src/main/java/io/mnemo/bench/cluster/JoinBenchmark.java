package io.mnemo.bench.cluster;

import io.mnemo.bench.ClusterFixture;
import io.mnemo.bench.JitWarmup;
import io.mnemo.client.CallOptions;
import io.mnemo.client.MnemoClient;
import io.mnemo.client.SpaceInfo;
import io.mnemo.client.internal.TopologyView;
import io.mnemo.protocol.v1.MembershipChangeResponse;
import io.mnemo.protocol.v1.Topology;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fourth node joins a loaded 3-node cluster (RF = 3) while a client runs a moderate mixed workload; measured: how
 * long until the new node holds its share, and the client's latency before, during and after the move.
 *
 * <p>Steps: start nodes 1-3 of a 4-voter cluster ({@link ClusterFixture}); store {@code --n} memories into space
 * {@value #LOADED} with {@code storeAll} batches; start the workload (open loop, {@code --rate} ops/s: half recalls
 * of loaded memories at the default consistency, half stores of new memories into a second space {@value #WRITES},
 * so the new node's count of the loaded space measures the move alone); after {@code --before} s start node 4's
 * process and call {@code AdminService.AddMember} once it has started ({@code --add-when started}, the default: its
 * {@code /health} answers, as an operator adds a running node) or as soon as its gRPC port accepts connections
 * ({@code --add-when listening}, sessions 1-8); a live node also joins by itself after a settle delay, and the report
 * says which happened. Then wait for the move to finish and measure {@code --after} s more. The client's latency is
 * reported for node 4's start (process start to AddMember) apart from the move (AddMember to finished), and for both
 * together as earlier reports counted "during".
 *
 * <p>When is the move finished? Two observations, both reported: (1) ownership: the topology shows node 4 a member
 * with no partition's pending replica list left, after pending lists were seen (partition streaming with confirmed
 * moves), and (2) data: node 4's own count of the loaded space reaches the number of loaded memories that the new
 * topology places on it. If the topology never shows a move in progress (no streaming: a joiner fills in only by
 * anti-entropy and read repair), the fallback is "node 4's count stopped changing for {@code --stable} s", stated as
 * such. {@code --max-move} s bounds the wait.
 *
 * <p>Arguments: {@code --n 20000 --rate 200 --before 30 --after 20 --stable 45 --max-move 600 --out DIR
 * --loader batch|single --jit-warmup 60 --parallel-streams K --add-when started|listening} (the loader: {@code storeAll}
 * batches, or single stores 64 in flight; {@link JitWarmup} runs first, into the workload's space, for the given
 * seconds; K sets the nodes' {@code mnemo.rebalance.parallel-streams}, their default when absent).
 */
public final class JoinBenchmark {
    static final String LOADED = "bench";
    static final String WRITES = "bench-w";
    private static final int NEW_NODE = 4;
    /** Encoded record plus Chronicle Map overhead per memory and replica, for the disk check. */
    private static final long BYTES_PER_RECORD = 4_096;

    private JoinBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        CliArgs c = new CliArgs(argv, Set.of("--n", "--rate", "--before", "--after", "--stable", "--max-move", "--out", "--loader",
                "--jit-warmup", "--parallel-streams", "--add-when"),
                Set.of());
        int n = c.getInt("--n", 20_000);
        int rate = c.getInt("--rate", 200);
        int beforeS = c.getInt("--before", 30);
        int afterS = c.getInt("--after", 20);
        int stableS = c.getInt("--stable", 45);
        int maxMoveS = c.getInt("--max-move", 600);
        int jitWarmupS = c.getInt("--jit-warmup", 60);
        String loader = c.get("--loader", "batch");
        String addWhen = c.get("--add-when", "started");
        if (!addWhen.equals("started") && !addWhen.equals("listening")) {
            throw new IllegalArgumentException("--add-when must be started or listening, got '" + addWhen + "'");
        }
        Path out = Path.of(c.get("--out", "benchmarks/results/cluster"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "node join under load");
        result.put("startedAt", Instant.now().toString());
        result.put("loadAverageStart", Results.loadAverage());
        result.put("memoryPressureStart", Results.memoryPressure());
        result.put("jdk", Runtime.version().toString());
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("n", n);
        args.put("rateOpsPerSec", rate);
        args.put("beforeSeconds", beforeS);
        args.put("afterSeconds", afterS);
        args.put("stableSeconds", stableS);
        args.put("maxMoveSeconds", maxMoveS);
        args.put("loader", loader);
        args.put("addWhen", addWhen);
        args.put("jitWarmupSeconds", jitWarmupS);
        result.put("args", args);
        long needBytes = (long) (n * BYTES_PER_RECORD * 3.75);
        long freeBytes = Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).getUsableSpace();
        result.put("disk", Map.of("estimatedBytes", needBytes, "freeBytes", freeBytes));
        if (needBytes > freeBytes * 0.8) {
            throw new IllegalStateException("n = " + n + " needs about " + needBytes / (1 << 20) + " MiB on disk (3 replicas "
                    + "plus the new node's share), more than 80% of the " + freeBytes / (1 << 20) + " MiB free");
        }
        Map<String, String> settings = new java.util.TreeMap<>(Map.of("mnemo.storage.warm.entries-per-partition",
                Integer.toString(Math.max(10_000, (int) Math.ceil(n / 64.0 * 1.25)))));
        if (c.get("--parallel-streams", null) != null) {
            settings.put("mnemo.rebalance.parallel-streams", Integer.toString(c.getInt("--parallel-streams", 0)));
        }
        result.put("mnemo", Map.of("nodes", "3 + 1 joining (4 Raft voters configured, 3 running at first)",
                "replicationFactor", 3, "writeQuorum", 2, "readQuorum", 2, "partitions", 64, "settings", settings));
        Path home = Path.of("").toAbsolutePath();
        Payloads payloads = new Payloads(n);
        try (ClusterFixture fx = ClusterFixture.start(home, NEW_NODE, 3, settings, Duration.ofSeconds(240));
             MnemoClient client = MnemoClient.builder().seeds(fx.startedEndpoints()).defaultSpace(LOADED)
                     .requestTimeout(Duration.ofSeconds(30)).build()) {
            client.createSpace(new SpaceInfo(LOADED, Payloads.DIM, 0, 0));
            client.createSpace(new SpaceInfo(WRITES, Payloads.DIM, 0, 0));
            fx.awaitSpace(LOADED, Duration.ofSeconds(60));
            fx.awaitSpace(WRITES, Duration.ofSeconds(60));
            // Into the workload's space, so node 4's count of the loaded space still measures the move alone.
            result.put("jitWarmup", JitWarmup.run(client, WRITES, Payloads.DIM, Duration.ofSeconds(jitWarmupS), 8, n));
            result.put("load", "single".equals(loader)
                    ? BatchLoad.loadSingly(client, n, i -> payloads.memory(loadedId(i), i), n / 1000, 64)
                    : BatchLoad.load(client, n, i -> payloads.memory(loadedId(i), i), n / 1000));
            List<NodeProbe> probes = new ArrayList<>();
            for (int i = 1; i <= NEW_NODE; i++) {
                probes.add(new NodeProbe(fx.endpoint(i)));
            }
            try {
                new JoinRun(fx, client, probes, payloads, n, rate, "started".equals(addWhen))
                        .run(beforeS, afterS, stableS, maxMoveS, result);
            } finally {
                probes.forEach(NodeProbe::close);
            }
            result.put("nodeStartRetries", fx.restarts());
        }
        result.put("finishedAt", Instant.now().toString());
        result.put("loadAverageEnd", Results.loadAverage());
        result.put("memoryPressureEnd", Results.memoryPressure());
        Results.write(out, "join", result, JoinReport.html(result));
        System.out.println(JoinReport.markdown(result));
    }

    static String loadedId(long i) {
        return "m-" + i;
    }

    /** Loaded memories whose replicas in {@code t} include the node at {@code endpoint}: what it must hold. */
    static long expectedOn(Topology t, String endpoint, int n) {
        TopologyView view = TopologyView.of(t, null);
        long count = 0;
        for (int i = 0; i < n; i++) {
            if (view.replicasOf(LOADED, loadedId(i)).contains(endpoint)) {
                count++;
            }
        }
        return count;
    }

    /** True once something accepts TCP connections at the endpoint's port on 127.0.0.1. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The AddMember call's outcome, for the report. */
    static Map<String, Object> addMember(NodeProbe via, int id, String endpoint) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            MembershipChangeResponse r = via.addMember(id, endpoint);
            m.put("outcome", "committed");
            m.put("epoch", r.getEpoch());
        } catch (RuntimeException e) {
            m.put("outcome", "refused");
            m.put("reason", e.getMessage());
        }
        return m;
    }

    static CallOptions callOptions() {
        return CallOptions.defaults().withTimeout(Duration.ofSeconds(10));
    }
}
