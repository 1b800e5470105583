package io.mnemo.node.numa;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Immutable NUMA placement settings, made by a validating {@link Builder}: each setter refuses a bad
 * value (with the value in the message) and refuses being called twice; {@link Builder#build()} checks
 * the settings against each other. Checks that need the machine (is CPU 7 online?) happen when the
 * workers start, in {@link PinningPlan}.
 *
 * <p>The node does not parse text here: its configuration registry ({@code io.mnemo.node.config.Settings}) reads
 * every NUMA setting as a typed value, within the limits below, and hands them to this builder. The limits are
 * public so that the registry and this builder refuse the same values.
 */
public final class NumaConfig {

    /** Largest {@code mnemo.numa.threads-per-cpu}: more threads per CPU only adds context switches. */
    public static final int MAX_THREADS_PER_CPU = 64;
    /** Largest {@code mnemo.numa.auto-min-cpus}: one more than the largest CPU id (auto then never pins one node). */
    public static final int MAX_AUTO_MIN_CPUS = CpuSet.MAX_CPU_ID + 1;
    /** Largest {@code mnemo.numa.unpinned-threads}. */
    public static final int MAX_UNPINNED_THREADS = 4096;
    /**
     * Largest {@code mnemo.numa.queue-capacity}, 16 times the default. The pool counts waiting tasks in an int that
     * may pass the capacity by one, so the code's hard limit is {@code Integer.MAX_VALUE - 1}; but each waiting
     * task holds a queue node and its call, and a million waiting tasks are seconds of queueing, past any client's
     * deadline: a larger queue only turns back-pressure into memory pressure.
     */
    public static final int MAX_QUEUE_CAPACITY = 1 << 20;
    /** Shortest {@code mnemo.numa.shutdown-timeout}: the millisecond is the unit {@code close()} waits in. */
    public static final Duration MIN_SHUTDOWN_TIMEOUT = Duration.ofMillis(1);
    /** Longest {@code mnemo.numa.shutdown-timeout}, as long as the node's own drain may take. */
    public static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofHours(1);

    private final NumaMode mode;
    private final List<CpuSet> cpuLists;
    private final int threadsPerCpu;
    private final boolean oneThreadPerCore;
    private final int autoMinCpus;
    private final int unpinnedThreads;
    private final int queueCapacity;
    private final Duration shutdownTimeout;
    private final Path sysfsRoot;

    private NumaConfig(Builder b) {
        this.mode = b.mode;
        this.cpuLists = List.copyOf(b.cpuLists);
        this.threadsPerCpu = b.threadsPerCpu;
        this.oneThreadPerCore = b.oneThreadPerCore;
        this.autoMinCpus = b.autoMinCpus;
        this.unpinnedThreads = b.unpinnedThreads;
        this.queueCapacity = b.queueCapacity;
        this.shutdownTimeout = b.shutdownTimeout;
        this.sysfsRoot = b.sysfsRoot;
    }

    /** A builder holding the defaults listed in {@link NumaSetting}. */
    public static Builder builder() {
        return new Builder();
    }

    /** All defaults: mode auto. */
    public static NumaConfig defaults() {
        return builder().build();
    }

    /** The placement mode. */
    public NumaMode mode() {
        return mode;
    }

    /** Explicit pools' CPU lists (empty unless mode is explicit, or off with lists left in place). */
    public List<CpuSet> cpuLists() {
        return cpuLists;
    }

    /** Worker threads per pinned CPU (or core). */
    public int threadsPerCpu() {
        return threadsPerCpu;
    }

    /** One worker per physical core instead of per logical CPU. */
    public boolean oneThreadPerCore() {
        return oneThreadPerCore;
    }

    /** Auto mode pins a single NUMA node only with at least this many usable CPUs. */
    public int autoMinCpus() {
        return autoMinCpus;
    }

    /** Unpinned pool size, 0 meaning usable CPUs x threads-per-cpu. */
    public int unpinnedThreads() {
        return unpinnedThreads;
    }

    /** Tasks waiting per pool before submissions are refused. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** How long {@code close()} waits for queued work. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** The directory holding {@code node/} and {@code cpu/}. */
    public Path sysfsRoot() {
        return sysfsRoot;
    }

    /** Explicit lists in setting form, e.g. {@code 0-1;2-3}. */
    public static String formatCpuLists(List<CpuSet> lists) {
        StringBuilder out = new StringBuilder();
        for (CpuSet list : lists) {
            if (out.length() > 0) {
                out.append(';');
            }
            out.append(list.format());
        }
        return out.toString();
    }

    /**
     * Reads {@code mnemo.numa.cpus}: CPU lists in the kernel's cpulist format ({@link CpuSet#parse}), one per pool,
     * separated by {@code ;}, e.g. {@code 0-3,8-11;4-7}. Only the syntax is checked: an empty list (as in
     * {@code 0-1;;2-3}) parses as an empty set, which {@link #cpuListsProblem} refuses.
     *
     * @throws IllegalArgumentException saying which pool's list is malformed and why (the caller names the key)
     */
    public static List<CpuSet> parseCpuLists(String text) {
        String[] parts = text.split(";", -1);
        List<CpuSet> lists = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            try {
                lists.add(CpuSet.parse(parts[i]));
            } catch (CpuListFormatException e) {
                throw new IllegalArgumentException("pool " + i + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(lists);
    }

    /**
     * Why {@code lists} cannot be pools, or null when they can: every list needs a CPU, and no CPU may serve two
     * pools. Whether the CPUs exist on this machine is checked when the workers start ({@link PinningPlan}).
     */
    public static String cpuListsProblem(List<CpuSet> lists) {
        for (int i = 0; i < lists.size(); i++) {
            CpuSet list = lists.get(i);
            if (list.isEmpty()) {
                return "pool " + i + " has an empty CPU list";
            }
            for (int j = 0; j < i; j++) {
                CpuSet shared = lists.get(j).intersect(list);
                if (!shared.isEmpty()) {
                    return "pools " + j + " and " + i + " overlap on CPUs " + shared.format() + "; each CPU may serve one pool";
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "NumaConfig{mode=" + mode.settingValue()
                + (cpuLists.isEmpty() ? "" : ", cpus=" + formatCpuLists(cpuLists))
                + ", threadsPerCpu=" + threadsPerCpu + ", oneThreadPerCore=" + oneThreadPerCore
                + ", autoMinCpus=" + autoMinCpus + ", unpinnedThreads=" + unpinnedThreads
                + ", queueCapacity=" + queueCapacity + ", shutdownTimeout=" + shutdownTimeout
                + ", sysfsRoot=" + sysfsRoot + "}";
    }

    /** Collects settings; not thread-safe, single use. */
    public static final class Builder {

        private final Set<NumaSetting> given = EnumSet.noneOf(NumaSetting.class);
        private NumaMode mode = NumaMode.AUTO;
        private List<CpuSet> cpuLists = List.of();
        private int threadsPerCpu = 1;
        private boolean oneThreadPerCore;
        private int autoMinCpus = 4;
        private int unpinnedThreads;
        private int queueCapacity = 65_536;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Path sysfsRoot = Path.of("/sys/devices/system");

        private Builder() {
        }

        private void once(NumaSetting setting, Object value) {
            if (!given.add(setting)) {
                throw new NumaConfigException(setting.key(), value, "the setting was already given");
            }
        }

        /** {@code mnemo.numa.mode}. */
        public Builder mode(NumaMode value) {
            if (value == null) {
                throw new NumaConfigException(NumaSetting.MODE.key(), null, "expected one of off, auto, explicit");
            }
            once(NumaSetting.MODE, value.settingValue());
            this.mode = value;
            return this;
        }

        /**
         * {@code mnemo.numa.cpus} in its text form: one CPU list per pool, separated by {@code ;}, e.g.
         * {@code 0-1;2-3} (see {@link #parseCpuLists}), then as {@link #cpuLists}.
         */
        public Builder cpus(String value) {
            String key = NumaSetting.CPUS.key();
            if (value == null || value.isBlank()) {
                throw new NumaConfigException(key, value, "no CPU lists given (expected e.g. 0-1;2-3)");
            }
            List<CpuSet> lists;
            try {
                lists = parseCpuLists(value);
            } catch (IllegalArgumentException e) {
                throw new NumaConfigException(key, value, e.getMessage());
            }
            return cpuLists(lists);
        }

        /**
         * {@code mnemo.numa.cpus}: one CPU set per pool. Refuses no lists, an empty list and lists that share a CPU
         * ({@link #cpuListsProblem}).
         */
        public Builder cpuLists(List<CpuSet> value) {
            String key = NumaSetting.CPUS.key();
            if (value == null || value.isEmpty()) {
                throw new NumaConfigException(key, "", "no CPU lists given (expected e.g. 0-1;2-3)");
            }
            List<CpuSet> lists = List.copyOf(value);
            String problem = cpuListsProblem(lists);
            if (problem != null) {
                throw new NumaConfigException(key, formatCpuLists(lists), problem);
            }
            once(NumaSetting.CPUS, formatCpuLists(lists));
            this.cpuLists = lists;
            return this;
        }

        /** {@code mnemo.numa.threads-per-cpu}, 1..{@value #MAX_THREADS_PER_CPU}. */
        public Builder threadsPerCpu(int value) {
            requireRange(NumaSetting.THREADS_PER_CPU, value, 1, MAX_THREADS_PER_CPU);
            once(NumaSetting.THREADS_PER_CPU, value);
            this.threadsPerCpu = value;
            return this;
        }

        /** {@code mnemo.numa.one-thread-per-core}. */
        public Builder oneThreadPerCore(boolean value) {
            once(NumaSetting.ONE_THREAD_PER_CORE, value);
            this.oneThreadPerCore = value;
            return this;
        }

        /** {@code mnemo.numa.auto-min-cpus}, 1..{@link #MAX_AUTO_MIN_CPUS}. */
        public Builder autoMinCpus(int value) {
            requireRange(NumaSetting.AUTO_MIN_CPUS, value, 1, MAX_AUTO_MIN_CPUS);
            once(NumaSetting.AUTO_MIN_CPUS, value);
            this.autoMinCpus = value;
            return this;
        }

        /** {@code mnemo.numa.unpinned-threads}, 0 (derive) .. {@value #MAX_UNPINNED_THREADS}. */
        public Builder unpinnedThreads(int value) {
            requireRange(NumaSetting.UNPINNED_THREADS, value, 0, MAX_UNPINNED_THREADS);
            once(NumaSetting.UNPINNED_THREADS, value);
            this.unpinnedThreads = value;
            return this;
        }

        /** {@code mnemo.numa.queue-capacity}, 1..{@value #MAX_QUEUE_CAPACITY}. */
        public Builder queueCapacity(int value) {
            requireRange(NumaSetting.QUEUE_CAPACITY, value, 1, MAX_QUEUE_CAPACITY);
            once(NumaSetting.QUEUE_CAPACITY, value);
            this.queueCapacity = value;
            return this;
        }

        /** {@code mnemo.numa.shutdown-timeout}, {@link #MIN_SHUTDOWN_TIMEOUT}..{@link #MAX_SHUTDOWN_TIMEOUT}. */
        public Builder shutdownTimeout(Duration value) {
            if (value == null || value.compareTo(MIN_SHUTDOWN_TIMEOUT) < 0 || value.compareTo(MAX_SHUTDOWN_TIMEOUT) > 0) {
                throw new NumaConfigException(NumaSetting.SHUTDOWN_TIMEOUT.key(), value,
                        "must be in " + MIN_SHUTDOWN_TIMEOUT + ".." + MAX_SHUTDOWN_TIMEOUT);
            }
            once(NumaSetting.SHUTDOWN_TIMEOUT, value);
            this.shutdownTimeout = value;
            return this;
        }

        /** {@code mnemo.numa.sysfs-root}. */
        public Builder sysfsRoot(Path value) {
            if (value == null || value.toString().isEmpty()) {
                throw new NumaConfigException(NumaSetting.SYSFS_ROOT.key(), value, "must be a directory path");
            }
            once(NumaSetting.SYSFS_ROOT, value);
            this.sysfsRoot = value;
            return this;
        }

        /**
         * Cross-checks and freezes the settings. Giving CPU lists without a mode implies explicit mode;
         * explicit mode needs lists; auto with lists is refused because the lists would be ignored.
         * Mode off accepts (and ignores) lists so that one override switches pinning off.
         */
        public NumaConfig build() {
            boolean listsGiven = given.contains(NumaSetting.CPUS);
            if (listsGiven && !given.contains(NumaSetting.MODE)) {
                mode = NumaMode.EXPLICIT;
            }
            if (mode == NumaMode.EXPLICIT && !listsGiven) {
                throw new NumaConfigException(NumaSetting.MODE.key(), mode.settingValue(),
                        "explicit mode needs " + NumaSetting.CPUS.key() + " (e.g. 0-1;2-3)");
            }
            if (mode == NumaMode.AUTO && listsGiven) {
                throw new NumaConfigException(NumaSetting.CPUS.key(), formatCpuLists(cpuLists),
                        "CPU lists are used only with " + NumaSetting.MODE.key() + "=explicit, but the mode is auto");
            }
            return new NumaConfig(this);
        }

        private static void requireRange(NumaSetting setting, int value, int min, int max) {
            if (value < min || value > max) {
                throw new NumaConfigException(setting.key(), value, "must be in " + min + ".." + max);
            }
        }
    }
}
