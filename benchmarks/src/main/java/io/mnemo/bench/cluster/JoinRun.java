package io.mnemo.bench.cluster;

import io.mnemo.bench.ClusterFixture;
import io.mnemo.client.CallOptions;
import io.mnemo.client.MnemoClient;
import io.mnemo.protocol.v1.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One join under load (see {@link JoinBenchmark}): runs the workload and the monitor, adds the node, decides when the
 * move is finished and summarizes the phases. Times are milliseconds on the workload's clock (0 = workload start).
 */
final class JoinRun {
    private static final long WARMUP_MS = 5_000;
    private static final int NEW_NODE = 4;

    private final ClusterFixture fx;
    private final MnemoClient client;
    private final List<NodeProbe> probes;
    private final Payloads payloads;
    private final int n;
    private final int rate;
    private final boolean addWhenStarted;

    JoinRun(ClusterFixture fx, MnemoClient client, List<NodeProbe> probes, Payloads payloads, int n, int rate,
            boolean addWhenStarted) {
        this.addWhenStarted = addWhenStarted;
        this.fx = fx;
        this.client = client;
        this.probes = probes;
        this.payloads = payloads;
        this.n = n;
        this.rate = rate;
    }

    void run(int beforeS, int afterS, int stableS, int maxMoveS, Map<String, Object> result) throws Exception {
        CallOptions options = JoinBenchmark.callOptions();
        OpenLoop stores = new OpenLoop("join-store", rate / 2.0, 10_000,
                i -> client.storeAsync(payloads.memory("w-" + i, i).toBuilder().space(JoinBenchmark.WRITES).build(), options));
        OpenLoop recalls = new OpenLoop("join-recall", rate / 2.0, 10_000,
                i -> client.recallAsync(JoinBenchmark.LOADED, JoinBenchmark.loadedId(Math.floorMod(i * 7919L, (long) n)), options)
                        .thenApply(m -> m.orElseThrow(() -> new IllegalStateException("loaded memory not found"))));
        stores.start();
        recalls.start();
        Map<String, Object> join = new LinkedHashMap<>();
        try (JoinMonitor monitor = new JoinMonitor(fx, probes, JoinBenchmark.LOADED, NEW_NODE, stores::elapsedMs).start()) {
            ClusterFixture.pause(Duration.ofSeconds(WARMUP_MS / 1000 + beforeS));
            long tStart = stores.elapsedMs();
            Completion done;
            try {
                done = join(monitor, tStart, join, stableS, maxMoveS);
            } catch (IllegalStateException e) {
                // The new node never became ready (its log is kept with -Dmnemo.bench.logs): report what was measured.
                join.put("error", e.getMessage());
                done = new Completion();
                done.rule = "the join failed: " + e.getMessage();
                System.out.println("join failed: " + e.getMessage());
            }
            ClusterFixture.pause(Duration.ofSeconds(afterS));
            long tEnd = stores.elapsedMs();
            stores.stop(30);
            recalls.stop(30);
            long tDone = done.atMs < 0 ? tEnd : done.atMs;
            long tAdd = join.get("addMember") instanceof Map<?, ?> a && a.get("atMs") instanceof Long at ? at : tStart;
            join.putIfAbsent("completion", done.describe(tAdd));
            result.put("join", join);
            result.put("phases", phases(stores, recalls, tStart, tAdd, tDone, tEnd));
            List<Object> timeline = new ArrayList<>();
            for (JoinMonitor.Sample s : monitor.samples()) {
                timeline.add(JoinMonitor.toJson(s));
            }
            result.put("cluster", timeline);
            result.put("client", clientTimeline(stores, recalls));
            result.put("extrapolation", extrapolate(done, tAdd));
        } finally {
            stores.stop(1);
            recalls.stop(1);
        }
    }

    /** Starts node 4, adds it, waits until it is ready and the move finished; fills {@code join} with the times. */
    private Completion join(JoinMonitor monitor, long tStart, Map<String, Object> join, int stableS, int maxMoveS)
            throws java.io.IOException, InterruptedException {
        join.put("processStartedMs", tStart);
        fx.startNode(NEW_NODE);
        String endpoint = fx.endpoint(NEW_NODE);
        ClusterFixture.await(Duration.ofSeconds(180), () -> JoinBenchmark.listening(fx.cluster().grpcPort(NEW_NODE)));
        long tListen = monitor.clock();
        join.put("grpcListeningMs", tListen);
        String started = "";
        if (addWhenStarted) {
            fx.awaitStarted(NEW_NODE, Duration.ofSeconds(180));
            long tStarted = monitor.clock();
            join.put("startedMs", tStarted);
            started = ", started after " + (tStarted - tStart) + " ms";
        }
        Map<String, Object> add = JoinBenchmark.addMember(probes.get(0), NEW_NODE, endpoint);
        long tAdd = monitor.clock();
        add.put("atMs", tAdd);
        join.put("addMember", add);
        System.out.println("node 4 gRPC up after " + (tListen - tStart) + " ms" + started + "; AddMember: " + add);
        fx.awaitReady(NEW_NODE, Duration.ofSeconds(180));
        join.put("readyMs", monitor.clock());
        Completion done = awaitMove(monitor, endpoint, tAdd, stableS, maxMoveS);
        join.put("completion", done.describe(tAdd));
        System.out.println("move: " + join.get("completion"));
        return done;
    }

    /** When the move finished, by which rule, and node 4's share then. */
    static final class Completion {
        long atMs = -1;
        String rule = "not finished within --max-move";
        long expected = -1;
        long held = -1;
        long ownershipDoneMs = -1;
        long dataDoneMs = -1;
        boolean pendingSeen;

        Map<String, Object> describe(long tAdd) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", rule);
            m.put("atMs", atMs);
            m.put("secondsAfterAddMember", atMs < 0 ? null : Results.round2((atMs - tAdd) / 1000.0));
            m.put("ownershipDoneSecondsAfterAdd", ownershipDoneMs < 0 ? null : Results.round2((ownershipDoneMs - tAdd) / 1000.0));
            m.put("dataDoneSecondsAfterAdd", dataDoneMs < 0 ? null : Results.round2((dataDoneMs - tAdd) / 1000.0));
            m.put("pendingListsSeen", pendingSeen);
            m.put("newNodeExpectedRecords", expected);
            m.put("newNodeRecordsAtEnd", held);
            return m;
        }
    }

    private Completion awaitMove(JoinMonitor monitor, String endpoint, long tAdd, int stableS, int maxMoveS) {
        Completion c = new Completion();
        long deadline = tAdd + maxMoveS * 1000L;
        long lastCount = -2;
        long sameSinceMs = -1;
        long expectedEpoch = -1;
        while (true) {
            ClusterFixture.pause(Duration.ofSeconds(1));
            JoinMonitor.Sample s = monitor.last();
            Topology top = monitor.newestTopology();
            if (s == null || top == null || s.tMs() < tAdd) {
                continue;
            }
            int moving = JoinMonitor.moving(s, NEW_NODE);
            if (s.pendingPartitions() > 0 || moving > 0) {
                c.pendingSeen = true;
            }
            boolean member = top.getMembersList().stream().anyMatch(m -> m.getId() == NEW_NODE);
            if (member && top.getEpoch() != expectedEpoch) {
                c.expected = JoinBenchmark.expectedOn(top, endpoint, n);
                expectedEpoch = top.getEpoch();
            }
            long held = s.records()[NEW_NODE - 1];
            c.held = held;
            if (c.pendingSeen && member && moving == 0 && s.pendingPartitions() <= 0 && c.ownershipDoneMs < 0) {
                c.ownershipDoneMs = s.tMs();
            }
            if (member && c.expected >= 0 && held >= c.expected && c.dataDoneMs < 0) {
                c.dataDoneMs = s.tMs();
            }
            if (c.ownershipDoneMs >= 0 && c.dataDoneMs >= 0) {
                c.atMs = Math.max(c.ownershipDoneMs, c.dataDoneMs);
                c.rule = "every node reports " + JoinMonitor.MOVING_GAUGE + " = 0 (after moves were seen) and node 4 holds "
                        + "all the loaded records the new topology places on it";
                return c;
            }
            if (!c.pendingSeen && moving < 0 && c.dataDoneMs >= 0) {
                c.atMs = c.dataDoneMs;
                c.rule = "node 4 holds all the loaded records the new topology places on it (the nodes publish no "
                        + JoinMonitor.MOVING_GAUGE + ": no rebalancer in this build)";
                return c;
            }
            if (held != lastCount) {
                lastCount = held;
                sameSinceMs = s.tMs();
            } else if (held > 0 && s.tMs() - sameSinceMs >= stableS * 1000L && !c.pendingSeen && moving < 0) {
                c.atMs = sameSinceMs;
                c.rule = "fallback: node 4's record count of the loaded space stopped changing for " + stableS + " s ("
                        + held + " of " + c.expected + " expected); time is when it last changed";
                return c;
            }
            if (s.tMs() > deadline) {
                c.rule = "not finished within --max-move " + maxMoveS + " s (" + held + " of " + c.expected + " records)";
                return c;
            }
        }
    }

    /**
     * The client's latency by phase: before node 4's process starts, while it starts (until AddMember), during the
     * move (AddMember to finished), node 4's start and the move together ("startAndMove", what reports before
     * session 9 called "during"), and after.
     */
    private static Map<String, Object> phases(OpenLoop stores, OpenLoop recalls, long tStart, long tAdd, long tDone,
                                              long tEnd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("before", phase(stores, recalls, WARMUP_MS, tStart));
        m.put("starting", phase(stores, recalls, tStart, tAdd));
        m.put("during", phase(stores, recalls, tAdd, tDone));
        m.put("startAndMove", phase(stores, recalls, tStart, tDone));
        m.put("after", phase(stores, recalls, tDone, tEnd + 60_000));
        return m;
    }

    private static Map<String, Object> phase(OpenLoop stores, OpenLoop recalls, long from, long to) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fromMs", from);
        m.put("toMs", to);
        Histogram both = new Histogram(1_000, OpenLoop.MAX_LATENCY_NS, 3);
        Histogram s = stores.merged(from, to);
        Histogram r = recalls.merged(from, to);
        both.add(s);
        both.add(r);
        m.put("all", Results.percentiles(both));
        m.put("store", Results.percentiles(s));
        m.put("recall", Results.percentiles(r));
        m.put("errors", stores.errors(from, to) + recalls.errors(from, to));
        return m;
    }

    /** Per second: completions, p50, p99 and max of stores and recalls, in ms. */
    private static List<Object> clientTimeline(OpenLoop stores, OpenLoop recalls) {
        List<Object> out = new ArrayList<>();
        List<OpenLoop.Interval> si = stores.intervals();
        List<OpenLoop.Interval> ri = recalls.intervals();
        for (int i = 0; i < Math.min(si.size(), ri.size()); i++) {
            Histogram h = si.get(i).histogram().copy();
            h.add(ri.get(i).histogram());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("tMs", si.get(i).endMs());
            p.put("count", h.getTotalCount());
            p.put("p50Ms", Results.us(h.getValueAtPercentile(50)) / 1000);
            p.put("p99Ms", Results.us(h.getValueAtPercentile(99)) / 1000);
            p.put("maxMs", Results.us(h.getMaxValue()) / 1000);
            p.put("errors", si.get(i).errors() + ri.get(i).errors());
            out.add(p);
        }
        return out;
    }

    /** 1M memories, from the measured move rate, labelled as an extrapolation. */
    private Map<String, Object> extrapolate(Completion c, long tAdd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", "EXTRAPOLATION, not a measurement: assumes the move time grows linearly with the records to move");
        if (c.atMs < 0 || c.expected <= 0) {
            m.put("note", "no finished move to extrapolate from");
            return m;
        }
        double seconds = (c.atMs - tAdd) / 1000.0;
        double perSecond = c.expected / Math.max(seconds, 0.001);
        long expected1m = Math.round(1_000_000.0 * c.expected / n);
        m.put("measuredRecordsMoved", c.expected);
        m.put("measuredSeconds", Results.round2(seconds));
        m.put("recordsPerSecond", Math.round(perSecond));
        m.put("recordsToMoveAt1M", expected1m);
        m.put("secondsAt1M", Math.round(expected1m / perSecond));
        return m;
    }
}
