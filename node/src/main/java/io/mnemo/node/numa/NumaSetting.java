package io.mnemo.node.numa;

import java.util.Locale;

/**
 * Every NUMA setting in one place: its key, default and meaning. The configuration file uses the key;
 * the environment override is the key upper-cased with dots and dashes as underscores
 * ({@code mnemo.numa.mode} becomes {@code MNEMO_NUMA_MODE}). The README table is written from this list.
 */
public enum NumaSetting {
    /** Placement mode. */
    MODE("mnemo.numa.mode", "auto",
            "off: never pin; auto: pin one pool per NUMA node when there are several nodes, or one pool over all CPUs "
                    + "when one node has at least auto-min-cpus usable CPUs, else run unpinned and log why; "
                    + "explicit: one pinned pool per list in mnemo.numa.cpus"),
    /** Explicit pools. */
    CPUS("mnemo.numa.cpus", "(none)",
            "explicit mode only: ';'-separated CPU lists, one pool each, e.g. 0-3,8-11;4-7,12-15. Every CPU must be "
                    + "online and allowed to the process, lists must not overlap, each list must lie in one NUMA node"),
    /** Threads per pinned CPU. */
    THREADS_PER_CPU("mnemo.numa.threads-per-cpu", "1",
            "worker threads per CPU (per core with one-thread-per-core); also sizes the unpinned pool"),
    /** SMT handling. */
    ONE_THREAD_PER_CORE("mnemo.numa.one-thread-per-core", "false",
            "true: one worker per physical core, pinned to the core's SMT siblings, leaving hyperthreads "
                    + "to GC, JIT and network threads"),
    /** Auto threshold on one node. */
    AUTO_MIN_CPUS("mnemo.numa.auto-min-cpus", "4",
            "auto mode on a single NUMA node pins only with at least this many usable CPUs"),
    /** Unpinned pool size. */
    UNPINNED_THREADS("mnemo.numa.unpinned-threads", "0",
            "size of the unpinned pool (mode off, or auto that decided not to pin); 0 = usable CPUs x threads-per-cpu"),
    /** Per-pool queue bound. */
    QUEUE_CAPACITY("mnemo.numa.queue-capacity", "65536",
            "tasks waiting per pool before execute() refuses with RejectedExecutionException (back-pressure)"),
    /** Close deadline. */
    SHUTDOWN_TIMEOUT("mnemo.numa.shutdown-timeout", "10s",
            "how long close() lets workers finish queued tasks before interrupting them (ISO-8601 or e.g. 500ms, 10s)"),
    /** Topology source. */
    SYSFS_ROOT("mnemo.numa.sysfs-root", "/sys/devices/system",
            "directory holding node/ and cpu/ to read the topology from (tests point it at fixture trees)");

    private final String key;
    private final String defaultValue;
    private final String description;

    NumaSetting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
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

    /** The default as text. */
    public String defaultValue() {
        return defaultValue;
    }

    /** What it means. */
    public String description() {
        return description;
    }
}
