package io.mnemo.node.config;

import io.mnemo.node.numa.CpuSet;
import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaConfigException;
import java.util.List;

/**
 * From a node's configuration to the NUMA package and back. The NUMA settings are parsed and range-checked at load
 * like every other setting; here their values become a {@link NumaConfig}, whose builder checks its own rules once
 * more, and a {@link NumaConfigException}, which names only the key and the value, becomes a
 * {@link ConfigException} that also says where the value came from. Both the rules checked when the configuration
 * is built and the machine checks made when the workers start ({@code PinningPlan}) are reported this way.
 */
final class NumaSettings {
    private NumaSettings() {
    }

    /** The NUMA settings of {@code c}; throws NumaConfigException if NumaConfig refuses them. */
    static NumaConfig numaConfig(NodeConfig c) {
        NumaConfig.Builder b = NumaConfig.builder().mode(c.numaMode());
        List<CpuSet> cpus = c.get(Settings.NUMA_CPUS);
        if (!cpus.isEmpty()) {
            // The registry's empty default means "no lists"; NumaConfig takes any lists it is given as chosen.
            b.cpuLists(cpus);
        }
        return b.threadsPerCpu(c.get(Settings.NUMA_THREADS_PER_CPU))
                .oneThreadPerCore(c.get(Settings.NUMA_ONE_THREAD_PER_CORE))
                .autoMinCpus(c.get(Settings.NUMA_AUTO_MIN_CPUS))
                .unpinnedThreads(c.get(Settings.NUMA_UNPINNED_THREADS))
                .queueCapacity(c.get(Settings.NUMA_QUEUE_CAPACITY))
                .shutdownTimeout(c.get(Settings.NUMA_SHUTDOWN_TIMEOUT))
                .sysfsRoot(c.get(Settings.NUMA_SYSFS_ROOT))
                .build();
    }

    /** What NumaConfig refuses in {@code c}, as problems naming key, value and source; empty when it accepts it. */
    static List<ConfigException.Problem> problems(NodeConfig c) {
        try {
            numaConfig(c);
            return List.of();
        } catch (NumaConfigException e) {
            return refusal(c, e).problems();
        }
    }

    /** {@code refused} as the error a bad value gets at load: the key, its value in {@code c} and its source. */
    static ConfigException refusal(NodeConfig c, NumaConfigException refused) {
        Setting<?> s = Settings.byKey(refused.setting()).orElseThrow(() -> new IllegalStateException(
                "NUMA setting " + refused.setting() + " is not in Settings", refused));
        return ConfigException.of(s.key(), formatted(c, s), c.sourceOf(s), refused.problem());
    }

    private static <T> String formatted(NodeConfig c, Setting<T> s) {
        return s.format(c.get(s));
    }
}
