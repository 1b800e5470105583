package io.mnemo.node.numa;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The decision of how many pools to run, on which CPUs, with which threads: a pure function of the
 * settings and the topology, so every mode can be tested against fixture trees without starting a
 * thread.
 *
 * @param pinned whether worker threads are pinned
 * @param reason why, in words fit for the startup log
 * @param pools  at least one pool
 */
record PinningPlan(boolean pinned, String reason, List<PoolPlan> pools) {

    /**
     * One pool.
     *
     * @param name     pool name, e.g. {@code numa0}
     * @param numaNode its NUMA node, {@code -1} when unpinned
     * @param cpus     its CPUs, empty when unpinned
     * @param threads  one entry per worker thread
     */
    record PoolPlan(String name, int numaNode, CpuSet cpus, List<ThreadPlan> threads) {
        PoolPlan {
            threads = List.copyOf(threads);
        }
    }

    /**
     * One worker thread.
     *
     * @param name thread name, saying the NUMA node and CPU, e.g. {@code mnemo-numa0-cpu3}
     * @param cpus CPUs to pin it to; empty for an unpinned thread
     */
    record ThreadPlan(String name, CpuSet cpus) {
    }

    PinningPlan {
        pools = List.copyOf(pools);
    }

    /**
     * Resolves the mode against the machine.
     *
     * @throws NumaConfigException when explicit CPU lists name CPUs that are absent, offline or not
     *                             allowed, or a list spans NUMA nodes
     */
    static PinningPlan resolve(NumaConfig config, NumaTopology topology) {
        switch (config.mode()) {
            case OFF:
                return unpinned(config, topology, NumaSetting.MODE.key() + "=off"
                        + (config.cpuLists().isEmpty() ? "" : " (" + NumaSetting.CPUS.key() + " ignored)"));
            case AUTO:
                return auto(config, topology);
            case EXPLICIT:
                return explicit(config, topology);
            default:
                throw new IllegalStateException("unhandled mode " + config.mode());
        }
    }

    private static PinningPlan auto(NumaConfig config, NumaTopology topology) {
        if (!topology.detected()) {
            return unpinned(config, topology, "topology unknown (" + topology.source() + "), workers run unpinned");
        }
        List<NumaNode> nodes = topology.usableNodes();
        int usable = topology.usable().size();
        if (nodes.isEmpty()) {
            return unpinned(config, topology, "no online CPU is in this process's allowed set "
                    + topology.allowed().format() + ", workers run unpinned");
        }
        if (nodes.size() == 1 && usable < config.autoMinCpus()) {
            return unpinned(config, topology, "one NUMA node with " + usable + " usable CPUs (fewer than "
                    + NumaSetting.AUTO_MIN_CPUS.key() + "=" + config.autoMinCpus()
                    + "): pinning would only crowd GC and JIT threads, workers run unpinned");
        }
        List<PoolPlan> pools = new ArrayList<>();
        for (NumaNode node : nodes) {
            pools.add(pinnedPool(config, topology, "numa" + node.id(), node.id(), topology.usable(node)));
        }
        String why = nodes.size() > 1
                ? nodes.size() + " NUMA nodes with usable CPUs: one pinned pool per node"
                : "one NUMA node with " + usable + " usable CPUs (at least " + NumaSetting.AUTO_MIN_CPUS.key()
                        + "=" + config.autoMinCpus() + "): one pinned pool";
        return new PinningPlan(true, why, pools);
    }

    private static PinningPlan explicit(NumaConfig config, NumaTopology topology) {
        String key = NumaSetting.CPUS.key();
        String value = NumaConfig.formatCpuLists(config.cpuLists());
        if (!topology.detected()) {
            throw new NumaConfigException(key, value, "the CPU topology is unknown (" + topology.source()
                    + "), so explicit lists cannot be checked; use mode=off or auto");
        }
        List<PoolPlan> pools = new ArrayList<>();
        for (int i = 0; i < config.cpuLists().size(); i++) {
            CpuSet list = config.cpuLists().get(i);
            if (list.isEmpty()) {
                throw new NumaConfigException(key, value, "pool " + i + " has an empty CPU list");
            }
            CpuSet offline = list.intersect(topology.offline());
            if (!offline.isEmpty()) {
                throw new NumaConfigException(key, value, "pool " + i + ": CPUs " + offline.format() + " are offline");
            }
            CpuSet absent = list.minus(topology.online());
            if (!absent.isEmpty()) {
                throw new NumaConfigException(key, value, "pool " + i + ": CPUs " + absent.format()
                        + " are not present (online CPUs: " + topology.online().format() + ")");
            }
            CpuSet refused = list.minus(topology.allowed());
            if (!refused.isEmpty()) {
                throw new NumaConfigException(key, value, "pool " + i + ": CPUs " + refused.format()
                        + " are outside this process's allowed CPUs " + topology.allowed().format()
                        + " (cgroup cpuset or taskset)");
            }
            int node = topology.nodeOf(list.first()).orElseThrow();
            for (int cpu : list.toArray()) {
                OptionalInt other = topology.nodeOf(cpu);
                if (other.isPresent() && other.getAsInt() != node) {
                    throw new NumaConfigException(key, value, "pool " + i + " (CPUs " + list.format() + ") spans NUMA nodes "
                            + node + " and " + other.getAsInt() + "; give each pool CPUs of one node");
                }
            }
            pools.add(pinnedPool(config, topology, "numa" + node + "-pool" + i, node, list));
        }
        return new PinningPlan(true, "explicit CPU lists " + value, pools);
    }

    private static PoolPlan pinnedPool(NumaConfig config, NumaTopology topology, String name, int node, CpuSet cpus) {
        List<CpuSet> slots = new ArrayList<>();
        if (config.oneThreadPerCore()) {
            slots.addAll(topology.coresWithin(cpus));
        } else {
            cpus.stream().forEach(cpu -> slots.add(CpuSet.of(cpu)));
        }
        List<ThreadPlan> threads = new ArrayList<>();
        for (CpuSet slot : slots) {
            for (int k = 0; k < config.threadsPerCpu(); k++) {
                String thread = "mnemo-numa" + node + "-cpu" + slot.format() + (config.threadsPerCpu() > 1 ? "-" + k : "");
                threads.add(new ThreadPlan(thread, slot));
            }
        }
        return new PoolPlan(name, node, cpus, threads);
    }

    private static PinningPlan unpinned(NumaConfig config, NumaTopology topology, String reason) {
        int count = config.unpinnedThreads() > 0
                ? config.unpinnedThreads()
                : Math.max(1, topology.usable().size()) * config.threadsPerCpu();
        List<ThreadPlan> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            threads.add(new ThreadPlan("mnemo-worker-unpinned-" + i, CpuSet.empty()));
        }
        return new PinningPlan(false, reason, List.of(new PoolPlan("unpinned", -1, CpuSet.empty(), threads)));
    }
}
