package io.mnemo.node.numa;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * What the machine looks like to this process: NUMA nodes with their online CPUs, offline CPUs, SMT
 * siblings, and which CPUs the process may run on (its affinity mask, narrowed by cgroup cpusets or
 * {@code taskset}).
 *
 * <p>Invariants: nodes are sorted by id and their CPU sets are disjoint subsets of {@link #online()};
 * every online CPU belongs to exactly one node; {@code siblingsOf(cpu)} contains {@code cpu};
 * {@link #usable()} is {@code online ∩ allowed}.
 */
public final class NumaTopology {

    private final List<NumaNode> nodes;
    private final CpuSet online;
    private final CpuSet offline;
    private final Map<Integer, CpuSet> siblings;
    private final CpuSet allowed;
    private final boolean detected;
    private final String source;

    NumaTopology(List<NumaNode> nodes, CpuSet offline, Map<Integer, CpuSet> siblings, CpuSet allowed,
                 boolean detected, String source) {
        List<NumaNode> sorted = new ArrayList<>(nodes);
        sorted.sort((a, b) -> Integer.compare(a.id(), b.id()));
        CpuSet all = CpuSet.empty();
        for (NumaNode node : sorted) {
            if (node.cpus().intersects(all)) {
                throw new IllegalArgumentException("NUMA nodes share CPUs " + node.cpus().intersect(all).format());
            }
            all = all.union(node.cpus());
        }
        this.nodes = List.copyOf(sorted);
        this.online = all;
        this.offline = offline.minus(all);
        TreeMap<Integer, CpuSet> sib = new TreeMap<>();
        all.stream().forEach(cpu -> {
            CpuSet given = siblings.get(cpu);
            sib.put(cpu, (given == null ? CpuSet.empty() : given.intersect(online)).union(CpuSet.of(cpu)));
        });
        this.siblings = Map.copyOf(sib);
        this.allowed = allowed;
        this.detected = detected;
        this.source = source;
    }

    /**
     * Reads the topology under {@code sysfsRoot} (normally {@code /sys/devices/system}) and the
     * process's allowed CPUs from {@code /proc/self/status}.
     *
     * @throws TopologyException naming the file when a file is unreadable or malformed
     */
    public static NumaTopology detect(Path sysfsRoot) {
        return SysfsTopologyReader.read(sysfsRoot, SysfsTopologyReader.readAllowedCpus(Path.of("/proc/self/status")));
    }

    /**
     * A topology given by hand (tests, benchmarks): all node CPUs online and allowed, no SMT siblings.
     */
    public static NumaTopology of(List<NumaNode> nodes) {
        CpuSet all = nodes.stream().map(NumaNode::cpus).reduce(CpuSet.empty(), CpuSet::union);
        return new NumaTopology(nodes, CpuSet.empty(), Map.of(), all, true, "given");
    }

    /** A stand-in when sysfs is missing: one node of {@code cpus} CPUs, marked as not detected. */
    static NumaTopology undetected(int cpus, String why) {
        CpuSet all = CpuSet.range(0, Math.max(1, cpus) - 1);
        return new NumaTopology(List.of(new NumaNode(0, all)), CpuSet.empty(), Map.of(), all, false, why);
    }

    /** The same machine seen by a process allowed to run on {@code allowedCpus} only. */
    public NumaTopology withAllowed(CpuSet allowedCpus) {
        return new NumaTopology(nodes, offline, siblings, allowedCpus, detected, source);
    }

    /** Nodes sorted by id, including memory-only nodes (no CPUs). */
    public List<NumaNode> nodes() {
        return nodes;
    }

    /** Online CPUs of all nodes. */
    public CpuSet online() {
        return online;
    }

    /** CPUs the kernel lists as offline. */
    public CpuSet offline() {
        return offline;
    }

    /** CPUs this process may run on (its affinity mask); may include CPUs that are not online. */
    public CpuSet allowed() {
        return allowed;
    }

    /** Online CPUs this process may run on. */
    public CpuSet usable() {
        return online.intersect(allowed);
    }

    /** Usable CPUs of node {@code node}. */
    public CpuSet usable(NumaNode node) {
        return node.cpus().intersect(allowed);
    }

    /** Nodes with at least one usable CPU. */
    public List<NumaNode> usableNodes() {
        List<NumaNode> out = new ArrayList<>();
        for (NumaNode node : nodes) {
            if (!usable(node).isEmpty()) {
                out.add(node);
            }
        }
        return out;
    }

    /** The online SMT siblings of {@code cpu}, itself included; just {@code cpu} when it is not online. */
    public CpuSet siblingsOf(int cpu) {
        CpuSet sib = siblings.get(cpu);
        return sib == null ? CpuSet.of(cpu) : sib;
    }

    /** The node an online CPU belongs to. */
    public OptionalInt nodeOf(int cpu) {
        for (NumaNode node : nodes) {
            if (node.cpus().contains(cpu)) {
                return OptionalInt.of(node.id());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * {@code cpus} grouped by physical core: each group is a core's siblings within {@code cpus},
     * ordered by their lowest CPU.
     */
    public List<CpuSet> coresWithin(CpuSet cpus) {
        List<CpuSet> cores = new ArrayList<>();
        CpuSet left = cpus;
        while (!left.isEmpty()) {
            CpuSet core = siblingsOf(left.first()).intersect(left);
            cores.add(core);
            left = left.minus(core);
        }
        return cores;
    }

    /** True when read from sysfs; false for the stand-in used when sysfs is missing. */
    public boolean detected() {
        return detected;
    }

    /** Where it came from, e.g. the sysfs directory, or why it could not be read. */
    public String source() {
        return source;
    }

    /** One line for the startup log, e.g. {@code 2 nodes [node0 0-3,8-11 (4 cores), node1 4-7,12-15 (4 cores)] ...}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append(nodes.size()).append(nodes.size() == 1 ? " node [" : " nodes [");
        for (int i = 0; i < nodes.size(); i++) {
            NumaNode node = nodes.get(i);
            if (i > 0) {
                out.append(", ");
            }
            out.append("node").append(node.id()).append(" cpus ").append(node.cpus())
                    .append(" (").append(coresWithin(node.cpus()).size()).append(" cores)");
        }
        out.append("], online ").append(online).append(", offline ").append(offline)
                .append(", allowed ").append(allowed).append(", source ").append(source);
        return out.toString();
    }

    @Override
    public String toString() {
        return "NumaTopology{" + describe() + "}";
    }
}
