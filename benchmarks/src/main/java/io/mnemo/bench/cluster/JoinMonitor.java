package io.mnemo.bench.cluster;

import io.mnemo.bench.ClusterFixture;
import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.Topology;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Once a second during the join benchmark: every node's topology epoch and own record count of the loaded space,
 * the newest topology seen (partitions with a pending replica list, the new node's member state), the rebalancing
 * figures the nodes publish on {@code /metrics} (every {@code mnemo_*} series whose name mentions rebalancing, moving
 * or streaming, such as {@code mnemo_partitions_moving}, summed over the nodes that answered, and how many answered)
 * and the 1-minute load average. Samples are kept in order for the report and the
 * completion rules of {@link JoinBenchmark}.
 */
final class JoinMonitor implements AutoCloseable {
    private static final Pattern MOVE_METRIC = Pattern.compile(
            "^(mnemo_[A-Za-z0-9_]*(?:rebalanc|mov|stream)[A-Za-z0-9_]*)(?:\\{[^}]*})?\\s+([-+0-9.eE]+|NaN)\\s*$");

    /** The gauge of partitions whose placement is moving, per node. */
    static final String MOVING_GAUGE = "mnemo_partitions_moving";
    /** The rebalancer's own gauge of partitions it is receiving, per node (used when the first is absent). */
    static final String REBALANCER_MOVING_GAUGE = "mnemo_rebalance_partitions_moving";

    /** One observation; {@code records[i]} and {@code epochs[i]} are node i+1's, -1 when it did not answer. */
    record Sample(long tMs, long[] epochs, long[] records, int pendingPartitions, String newNodeState,
                  Map<String, Double> moveMetrics, int metricsAnswered, double load1m) {
    }

    private final ClusterFixture fixture;
    private final List<NodeProbe> probes;
    private final String space;
    private final int newNode;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService timer;
    /** Guarded by itself. */
    private final List<Sample> samples = new ArrayList<>();
    private volatile Topology newest;

    JoinMonitor(ClusterFixture fixture, List<NodeProbe> probes, String space, int newNode, LongSupplier clockMs) {
        this.fixture = fixture;
        this.probes = probes;
        this.space = space;
        this.newNode = newNode;
        this.clockMs = clockMs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "join-monitor");
            t.setDaemon(true);
            return t;
        });
    }

    JoinMonitor start() {
        timer.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    private void sample() {
        try {
            long t = clockMs.getAsLong();
            long[] epochs = new long[probes.size()];
            long[] records = new long[probes.size()];
            for (int i = 0; i < probes.size(); i++) {
                Topology top = probes.get(i).topology();
                epochs[i] = top == null ? -1 : top.getEpoch();
                if (top != null && (newest == null || top.getEpoch() > newest.getEpoch())) {
                    newest = top;
                }
                records[i] = probes.get(i).records(space);
            }
            Topology top = newest;
            int pending = top == null ? -1 : NodeProbe.pendingPartitions(top);
            String state = "absent";
            if (top != null) {
                for (Member m : top.getMembersList()) {
                    if (m.getId() == newNode) {
                        state = m.getState() == MemberState.MEMBER_STATE_JOINING ? "joining"
                                : m.getState() == MemberState.MEMBER_STATE_ACTIVE ? "active" : m.getState().name();
                    }
                }
            }
            Map<String, Double> metrics = new TreeMap<>();
            int answered = 0;
            for (int node = 1; node <= probes.size(); node++) {
                String text = fixture.metricsText(node);
                answered += text.isEmpty() ? 0 : 1;
                for (String line : text.split("\n")) {
                    Matcher m = MOVE_METRIC.matcher(line);
                    if (m.matches()) {
                        try {
                            metrics.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
                        } catch (NumberFormatException ignored) {
                            // NaN gauges carry nothing to sum
                        }
                    }
                }
            }
            List<Double> load = Results.loadAverage();
            Sample s = new Sample(t, epochs, records, pending, state, metrics, answered,
                    load.isEmpty() ? -1 : load.get(0));
            synchronized (samples) {
                samples.add(s);
            }
        } catch (RuntimeException e) {
            System.out.println("join monitor: sample failed: " + e);
        }
    }

    /**
     * Partitions moving now by the nodes' own placements (the sum of {@code mnemo_partitions_moving} over the nodes, or
     * of {@code mnemo_rebalance_partitions_moving} in builds without the first),
     * or -1 when not every node answered or no node publishes the gauge (a build without the rebalancer).
     */
    static int moving(Sample s, int nodes) {
        Double v = s.moveMetrics().get(MOVING_GAUGE);
        if (v == null) {
            v = s.moveMetrics().get(REBALANCER_MOVING_GAUGE);
        }
        return v == null || s.metricsAnswered() < nodes ? -1 : (int) Math.round(v);
    }

    /** Now, in ms on the benchmark's clock. */
    long clock() {
        return clockMs.getAsLong();
    }

    /** The newest topology any node answered, or null. */
    Topology newestTopology() {
        return newest;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    Sample last() {
        synchronized (samples) {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }
    }

    static Map<String, Object> toJson(Sample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tMs", s.tMs());
        m.put("epochs", s.epochs());
        m.put("records", s.records());
        m.put("pendingPartitions", s.pendingPartitions());
        m.put("newNodeState", s.newNodeState());
        if (!s.moveMetrics().isEmpty()) {
            m.put("moveMetrics", s.moveMetrics());
        }
        m.put("metricsAnswered", s.metricsAnswered());
        m.put("load1m", s.load1m());
        return m;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
