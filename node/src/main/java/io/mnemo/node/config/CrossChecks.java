package io.mnemo.node.config;

import io.mnemo.node.numa.NumaMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rules between settings, checked once every setting has a value. Each problem names both sides. */
final class CrossChecks {
    private CrossChecks() {
    }

    static List<ConfigException.Problem> of(NodeConfig c) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        int rf = c.replicationFactor();
        int w = c.writeQuorum();
        int r = c.readQuorum();
        if (w > rf) {
            problems.add(problem(c, Settings.WRITE_QUORUM, "W = " + w + " is more than " + side(c, Settings.REPLICATION_FACTOR)));
        }
        if (r > rf) {
            problems.add(problem(c, Settings.READ_QUORUM, "R = " + r + " is more than " + side(c, Settings.REPLICATION_FACTOR)));
        }
        if (w <= rf && r <= rf && w + r <= rf) {
            // Strict quorums (DESIGN section 3): only W + R > RF makes every read quorum meet every write quorum, so a
            // read after an acknowledged write sees it.
            problems.add(problem(c, Settings.WRITE_QUORUM, "W + R = " + w + " + " + r + " must be more than RF = " + rf
                    + " so that every read quorum overlaps every write quorum (" + side(c, Settings.READ_QUORUM) + ", "
                    + side(c, Settings.REPLICATION_FACTOR) + ")"));
        }
        Map<Integer, Setting<Integer>> ports = new LinkedHashMap<>();
        for (Setting<Integer> port : List.of(Settings.GRPC_PORT, Settings.IGNITE_DISCOVERY_PORT,
                Settings.IGNITE_COMMUNICATION_PORT, Settings.RAFT_PORT, Settings.METRICS_PORT)) {
            int value = c.get(port);
            if (value != 0) {
                Setting<Integer> earlier = ports.putIfAbsent(value, port);
                if (earlier != null) {
                    problems.add(problem(c, port, "port " + value + " is also " + side(c, earlier)
                            + "; every listener needs its own port"));
                }
            }
        }
        List<RaftMember> voters = c.raftMembers();
        if (!voters.isEmpty() && voters.stream().noneMatch(m -> m.nodeId() == c.nodeId())) {
            problems.add(problem(c, Settings.RAFT_MEMBERS, "does not list this node, " + side(c, Settings.NODE_ID)
                    + ": every voter list includes the node itself"));
        }
        if (c.maxContentBytes().compareTo(c.hotMaxBytes()) > 0) {
            problems.add(problem(c, Settings.MAX_CONTENT_BYTES, "is more than the whole hot tier, "
                    + side(c, Settings.HOT_MAX_BYTES) + ": one memory must fit in it"));
        }
        boolean noCpus = c.get(Settings.NUMA_CPUS).isEmpty();
        if (c.numaMode() == NumaMode.EXPLICIT && noCpus) {
            problems.add(problem(c, Settings.NUMA_MODE, "explicit needs CPU lists in "
                    + Settings.NUMA_CPUS.key() + ", which is empty"));
        }
        if (c.numaMode() != NumaMode.EXPLICIT && !noCpus) {
            problems.add(problem(c, Settings.NUMA_CPUS, "is only used with "
                    + Settings.NUMA_MODE.key() + " = explicit, but " + side(c, Settings.NUMA_MODE)));
        }
        return problems;
    }

    private static <T> ConfigException.Problem problem(NodeConfig c, Setting<T> s, String reason) {
        return new ConfigException.Problem(s.key(), s.format(c.get(s)), c.sourceOf(s), reason);
    }

    /** {@code key = value (source)}, for the other side of a rule. */
    private static <T> String side(NodeConfig c, Setting<T> s) {
        return s.key() + " = " + s.format(c.get(s)) + " (" + c.sourceOf(s) + ")";
    }
}
