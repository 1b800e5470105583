package io.mnemo.node.numa;

import java.util.Locale;

/**
 * Every NUMA setting's key and meaning, next to the code that uses them; errors of this package name the key.
 * The node's registry ({@code io.mnemo.node.config.Settings}) declares each one's type and allowed values from
 * these keys and the limits of {@link NumaConfig}, and takes its default from {@link NumaConfig#defaults()}, so a
 * key, a default or a limit is written once. The environment override is the key upper-cased with dots and dashes
 * as underscores ({@code mnemo.numa.mode} becomes {@code MNEMO_NUMA_MODE}).
 */
public enum NumaSetting {
    /** Placement mode. */
    MODE("mnemo.numa.mode",
            "off: never pin; auto: pin one pool per NUMA node when there are several nodes, or one pool over all CPUs "
                    + "when one node has at least auto-min-cpus usable CPUs, else run unpinned and log why; "
                    + "explicit: one pinned pool per list in mnemo.numa.cpus"),
    /** Explicit pools. */
    CPUS("mnemo.numa.cpus",
            "explicit mode only: one pinned pool per CPU list. At start-up every CPU must be online and allowed to "
                    + "the process, and each list must lie in one NUMA node"),
    /** Threads per pinned CPU. */
    THREADS_PER_CPU("mnemo.numa.threads-per-cpu",
            "worker threads per CPU (per core with one-thread-per-core); also sizes the unpinned pool"),
    /** SMT handling. */
    ONE_THREAD_PER_CORE("mnemo.numa.one-thread-per-core",
            "true: one worker per physical core, pinned to the core's SMT siblings, leaving hyperthreads "
                    + "to GC, JIT and network threads"),
    /** Auto threshold on one node. */
    AUTO_MIN_CPUS("mnemo.numa.auto-min-cpus",
            "auto mode on a single NUMA node pins only with at least this many usable CPUs"),
    /** Unpinned pool size. */
    UNPINNED_THREADS("mnemo.numa.unpinned-threads",
            "size of the unpinned pool (mode off, or auto that decided not to pin); 0 = usable CPUs x threads-per-cpu"),
    /** Per-pool queue bound. */
    QUEUE_CAPACITY("mnemo.numa.queue-capacity",
            "tasks waiting per pool before execute() refuses with RejectedExecutionException (back-pressure)"),
    /** Close deadline. */
    SHUTDOWN_TIMEOUT("mnemo.numa.shutdown-timeout",
            "how long close() lets workers finish queued tasks before interrupting them"),
    /** Topology source. */
    SYSFS_ROOT("mnemo.numa.sysfs-root",
            "directory holding node/ and cpu/ to read the topology from (tests point it at fixture trees)");

    private final String key;
    private final String description;

    NumaSetting(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The configuration key, e.g. {@code mnemo.numa.mode}. */
    public String key() {
        return key;
    }

    /** The environment variable that overrides it, e.g. {@code MNEMO_NUMA_MODE}. */
    public String envName() {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** What it means. */
    public String description() {
        return description;
    }
}
