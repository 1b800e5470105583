package io.mnemo.node.numa;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Immutable NUMA placement settings, made by a validating {@link Builder}: each setter refuses a bad
 * value (with the value in the message) and refuses being called twice; {@link Builder#build()} checks
 * the settings against each other. Checks that need the machine (is CPU 7 online?) happen when the
 * workers start, in {@link PinningPlan}.
 */
public final class NumaConfig {

    private static final int MAX_THREADS_PER_CPU = 64;
    private static final int MAX_UNPINNED_THREADS = 4096;

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

    /**
     * Settings from a lookup by key (a configuration file, system properties, or the environment via
     * {@link NumaSetting#envName()}); keys the lookup returns {@code null} for keep their defaults.
     */
    public static NumaConfig from(Function<NumaSetting, String> lookup) {
        Builder b = builder();
        for (NumaSetting setting : NumaSetting.values()) {
            String value = lookup.apply(setting);
            if (value != null) {
                b.set(setting, value);
            }
        }
        return b.build();
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

        /** Sets {@code setting} from its text form, as a configuration file or environment gives it. */
        public Builder set(NumaSetting setting, String value) {
            switch (setting) {
                case MODE:
                    return mode(NumaMode.parse(value));
                case CPUS:
                    return cpus(value);
                case THREADS_PER_CPU:
                    return threadsPerCpu(parseInt(setting, value));
                case ONE_THREAD_PER_CORE:
                    return oneThreadPerCore(parseBoolean(setting, value));
                case AUTO_MIN_CPUS:
                    return autoMinCpus(parseInt(setting, value));
                case UNPINNED_THREADS:
                    return unpinnedThreads(parseInt(setting, value));
                case QUEUE_CAPACITY:
                    return queueCapacity(parseInt(setting, value));
                case SHUTDOWN_TIMEOUT:
                    return shutdownTimeout(parseDuration(setting, value));
                case SYSFS_ROOT:
                    return sysfsRoot(value == null ? null : Path.of(value.strip()));
                default:
                    throw new IllegalStateException("unhandled setting " + setting);
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
         * {@code mnemo.numa.cpus}: one CPU list per pool, separated by {@code ;}, e.g. {@code 0-1;2-3}.
         * Refuses an empty list (including a stray {@code ;}) and lists that share a CPU.
         */
        public Builder cpus(String value) {
            String key = NumaSetting.CPUS.key();
            if (value == null || value.isBlank()) {
                throw new NumaConfigException(key, value, "no CPU lists given (expected e.g. 0-1;2-3)");
            }
            once(NumaSetting.CPUS, value);
            List<CpuSet> lists = new ArrayList<>();
            String[] parts = value.split(";", -1);
            for (int i = 0; i < parts.length; i++) {
                CpuSet list;
                try {
                    list = CpuSet.parse(parts[i]);
                } catch (CpuListFormatException e) {
                    throw new NumaConfigException(key, value, "pool " + i + ": " + e.getMessage());
                }
                if (list.isEmpty()) {
                    throw new NumaConfigException(key, value, "pool " + i + " has an empty CPU list");
                }
                for (int j = 0; j < lists.size(); j++) {
                    CpuSet shared = lists.get(j).intersect(list);
                    if (!shared.isEmpty()) {
                        throw new NumaConfigException(key, value,
                                "pools " + j + " and " + i + " overlap on CPUs " + shared.format() + "; each CPU may serve one pool");
                    }
                }
                lists.add(list);
            }
            this.cpuLists = lists;
            return this;
        }

        /** {@code mnemo.numa.threads-per-cpu}, 1..64. */
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

        /** {@code mnemo.numa.auto-min-cpus}, 1..65536. */
        public Builder autoMinCpus(int value) {
            requireRange(NumaSetting.AUTO_MIN_CPUS, value, 1, CpuSet.MAX_CPU_ID + 1);
            once(NumaSetting.AUTO_MIN_CPUS, value);
            this.autoMinCpus = value;
            return this;
        }

        /** {@code mnemo.numa.unpinned-threads}, 0 (derive) .. 4096. */
        public Builder unpinnedThreads(int value) {
            requireRange(NumaSetting.UNPINNED_THREADS, value, 0, MAX_UNPINNED_THREADS);
            once(NumaSetting.UNPINNED_THREADS, value);
            this.unpinnedThreads = value;
            return this;
        }

        /** {@code mnemo.numa.queue-capacity}, at least 1. */
        public Builder queueCapacity(int value) {
            requireRange(NumaSetting.QUEUE_CAPACITY, value, 1, Integer.MAX_VALUE);
            once(NumaSetting.QUEUE_CAPACITY, value);
            this.queueCapacity = value;
            return this;
        }

        /** {@code mnemo.numa.shutdown-timeout}, positive. */
        public Builder shutdownTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new NumaConfigException(NumaSetting.SHUTDOWN_TIMEOUT.key(), value, "must be a positive duration");
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

        private static int parseInt(NumaSetting setting, String value) {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException | NullPointerException e) {
                throw new NumaConfigException(setting.key(), value, "not an integer");
            }
        }

        private static boolean parseBoolean(NumaSetting setting, String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return v.equals("true");
            }
            throw new NumaConfigException(setting.key(), value, "expected true or false");
        }

        static Duration parseDuration(NumaSetting setting, String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("p")) {
                    return Duration.parse(v.toUpperCase(Locale.ROOT));
                }
                int split = 0;
                while (split < v.length() && Character.isDigit(v.charAt(split))) {
                    split++;
                }
                if (split == 0 || split > 12) {
                    throw new NumaConfigException(setting.key(), value, "expected a duration such as 500ms, 10s, 2m or PT10S");
                }
                long amount = Long.parseLong(v.substring(0, split));
                switch (v.substring(split)) {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "s":
                        return Duration.ofSeconds(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    default:
                        throw new NumaConfigException(setting.key(), value, "expected a duration such as 500ms, 10s, 2m or PT10S");
                }
            } catch (DateTimeParseException e) {
                throw new NumaConfigException(setting.key(), value, "expected a duration such as 500ms, 10s, 2m or PT10S");
            }
        }
    }
}
