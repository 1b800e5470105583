package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mnemo.node.numa.CpuSet;
import io.mnemo.node.numa.NumaConfig;
import io.mnemo.node.numa.NumaConfigException;
import io.mnemo.node.numa.NumaMode;
import io.mnemo.node.numa.NumaNode;
import io.mnemo.node.numa.NumaSetting;
import io.mnemo.node.numa.NumaTopology;
import io.mnemo.node.numa.NumaWorkers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The NUMA settings read as every other setting is: typed and checked once, at load, each refusal naming the key,
 * the value and where it came from; and the NumaConfig made from them is the one the NUMA package's builder makes.
 */
class NumaSettingsTest {
    @TempDir
    Path dir;

    /** Where a value is given. */
    enum Layer {
        FILE, ENVIRONMENT, SYSTEM_PROPERTY
    }

    /** Key, bad value, the start of the reason. */
    private static final List<List<String>> BAD_VALUES = List.of(
            List.of("mnemo.numa.mode", "sometimes", "expected one of off, auto, explicit, got 'sometimes'"),
            List.of("mnemo.numa.cpus", "0-1;x", "pool 1: malformed CPU list 'x': 'x' is not a CPU id"),
            List.of("mnemo.numa.cpus", "3-1", "pool 0: malformed CPU list '3-1': range '3-1' ends before it starts"),
            List.of("mnemo.numa.cpus", "70000", "pool 0: malformed CPU list '70000': CPU id 70000 is above the maximum 65535"),
            List.of("mnemo.numa.cpus", "0-1;;2-3", "pool 1 has an empty CPU list"),
            List.of("mnemo.numa.cpus", "0-3;2-5", "pools 0 and 1 overlap on CPUs 2-3; each CPU may serve one pool"),
            List.of("mnemo.numa.threads-per-cpu", "two", "expected a whole number, got 'two'"),
            List.of("mnemo.numa.threads-per-cpu", "1.5", "expected a whole number, got '1.5'"),
            List.of("mnemo.numa.threads-per-cpu", "0", "0 is outside 1..64"),
            List.of("mnemo.numa.threads-per-cpu", "65", "65 is outside 1..64"),
            List.of("mnemo.numa.one-thread-per-core", "yes", "expected true or false, got 'yes'"),
            List.of("mnemo.numa.one-thread-per-core", "1", "expected true or false, got '1'"),
            List.of("mnemo.numa.auto-min-cpus", "four", "expected a whole number, got 'four'"),
            List.of("mnemo.numa.auto-min-cpus", "0", "0 is outside 1..65536"),
            List.of("mnemo.numa.auto-min-cpus", "65537", "65537 is outside 1..65536"),
            List.of("mnemo.numa.unpinned-threads", "-1", "-1 is outside 0..4096"),
            List.of("mnemo.numa.unpinned-threads", "4097", "4097 is outside 0..4096"),
            List.of("mnemo.numa.queue-capacity", "64k", "expected a whole number, got '64k'"),
            List.of("mnemo.numa.queue-capacity", "4294967296", "expected a whole number, got '4294967296'"),
            List.of("mnemo.numa.queue-capacity", "0", "0 is outside 1..1048576"),
            List.of("mnemo.numa.queue-capacity", "1048577", "1048577 is outside 1..1048576"),
            List.of("mnemo.numa.shutdown-timeout", "10 parsecs",
                    "expected a duration such as 500ms, 2s, 5m, 1h, 7d or PT2S, got '10 parsecs'"),
            List.of("mnemo.numa.shutdown-timeout", "10", "expected a duration such as 500ms, 2s, 5m, 1h, 7d or PT2S, got '10'"),
            List.of("mnemo.numa.shutdown-timeout", "PT-1S", "a duration is not negative, got 'PT-1S'"),
            List.of("mnemo.numa.shutdown-timeout", "0s", "0s is outside 1ms..1h"),
            List.of("mnemo.numa.shutdown-timeout", "2h", "2h is outside 1ms..1h"),
            List.of("mnemo.numa.sysfs-root", "", "must not be empty"));

    static Stream<Arguments> badValues() {
        List<Arguments> cases = new ArrayList<>();
        for (List<String> bad : BAD_VALUES) {
            for (Layer layer : Layer.values()) {
                cases.add(Arguments.of(bad.get(0), bad.get(1), bad.get(2), layer));
            }
        }
        return cases.stream();
    }

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("mnemo.conf");
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    @ParameterizedTest(name = "{0} = ''{1}'' from {3}")
    @MethodSource("badValues")
    void load_badNumaValue_refusedNamingKeyValueAndSource(String key, String value, String reason, Layer layer)
            throws IOException {
        Setting<?> setting = Settings.byKey(key).orElseThrow();
        ConfigLoader loader;
        Source expected;
        switch (layer) {
            case FILE:
                Path f = file("mnemo.node.id = 1", key + " = " + value);
                loader = ConfigLoader.create().file(f);
                expected = Source.file(f, 2);
                break;
            case ENVIRONMENT:
                loader = ConfigLoader.create().file(file("mnemo.node.id = 1")).environment(Map.of(setting.envVar(), value));
                expected = Source.environment(setting.envVar());
                break;
            default:
                loader = ConfigLoader.create().file(file("mnemo.node.id = 1")).systemProperties(Map.of(key, value));
                expected = Source.systemProperty(key);
                break;
        }

        ConfigException e = catchThrowableOfType(ConfigException.class, loader::load);

        assertThat(e).as("refused").isNotNull();
        assertThat(e.problems()).hasSize(1);
        ConfigException.Problem p = e.problems().get(0);
        assertThat(p.key()).isEqualTo(key);
        assertThat(p.value()).isEqualTo(value);
        assertThat(p.source()).isEqualTo(expected);
        assertThat(p.reason()).startsWith(reason);
        assertThat(e.getMessage()).isEqualTo("invalid configuration: " + key + " = '" + value + "' (" + expected + "): "
                + p.reason());
    }

    @Test
    void load_badFileValueOverriddenByEnvironment_takesTheOverride() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.numa.queue-capacity = lots");

        NodeConfig c = ConfigLoader.create().file(f).environment(Map.of("MNEMO_NUMA_QUEUE_CAPACITY", "128")).load();

        assertThat(c.numaConfig().queueCapacity()).isEqualTo(128);
        assertThat(c.sourceOf(Settings.NUMA_QUEUE_CAPACITY)).isEqualTo(Source.environment("MNEMO_NUMA_QUEUE_CAPACITY"));
    }

    @Test
    void load_numaSettingsFromFile_giveTheNumaConfigItsBuilderMakes() throws IOException {
        Path f = file("mnemo.node.id = 1",
                "mnemo.numa.mode = Explicit",
                "mnemo.numa.cpus = 0-1; 2,3",
                "mnemo.numa.threads-per-cpu = 2",
                "mnemo.numa.one-thread-per-core = TRUE",
                "mnemo.numa.auto-min-cpus = 8",
                "mnemo.numa.unpinned-threads = 3",
                "mnemo.numa.queue-capacity = 10",
                "mnemo.numa.shutdown-timeout = 500ms",
                "mnemo.numa.sysfs-root = /tmp/fixture-sys");

        NumaConfig c = ConfigLoader.create().file(f).load().numaConfig();

        NumaConfig expected = NumaConfig.builder().mode(NumaMode.EXPLICIT).cpus("0-1;2-3").threadsPerCpu(2)
                .oneThreadPerCore(true).autoMinCpus(8).unpinnedThreads(3).queueCapacity(10)
                .shutdownTimeout(Duration.ofMillis(500)).sysfsRoot(Path.of("/tmp/fixture-sys")).build();
        assertThat(c).hasToString(expected.toString());
        assertThat(c.cpuLists()).containsExactly(CpuSet.range(0, 1), CpuSet.range(2, 3));
    }

    @Test
    void load_numaSettingsFromEnvironmentAndSystemProperties_readUnderTheirOldNames() {
        NodeConfig c = ConfigLoader.create()
                .environment(Map.of("MNEMO_NODE_ID", "1", "MNEMO_NUMA_MODE", "off", "MNEMO_NUMA_AUTO_MIN_CPUS", " 16 ",
                        "MNEMO_NUMA_UNPINNED_THREADS", "4_096", "MNEMO_NUMA_ONE_THREAD_PER_CORE", "False"))
                .systemProperties(Map.of("mnemo.numa.shutdown-timeout", "PT0.25S", "mnemo.numa.threads-per-cpu", "64",
                        "mnemo.numa.sysfs-root", " /srv/sys "))
                .load();

        NumaConfig expected = NumaConfig.builder().mode(NumaMode.OFF).autoMinCpus(16).unpinnedThreads(4096)
                .oneThreadPerCore(false).shutdownTimeout(Duration.ofMillis(250)).threadsPerCpu(64)
                .sysfsRoot(Path.of("/srv/sys")).build();
        assertThat(c.numaConfig()).hasToString(expected.toString());
        assertThat(c.sourceOf(Settings.NUMA_AUTO_MIN_CPUS)).isEqualTo(Source.environment("MNEMO_NUMA_AUTO_MIN_CPUS"));
        assertThat(c.sourceOf(Settings.NUMA_SHUTDOWN_TIMEOUT)).isEqualTo(Source.systemProperty("mnemo.numa.shutdown-timeout"));
    }

    @Test
    void load_numaValuesAtEachEndOfTheirRange_acceptedByNumaConfigToo() throws IOException {
        Path highest = file("mnemo.node.id = 1", "mnemo.numa.threads-per-cpu = 64", "mnemo.numa.auto-min-cpus = 65536",
                "mnemo.numa.unpinned-threads = 4096", "mnemo.numa.queue-capacity = 1048576",
                "mnemo.numa.shutdown-timeout = 1h");
        NumaConfig high = ConfigLoader.create().file(highest).load().numaConfig();
        Path lowest = file("mnemo.node.id = 1", "mnemo.numa.threads-per-cpu = 1", "mnemo.numa.auto-min-cpus = 1",
                "mnemo.numa.unpinned-threads = 0", "mnemo.numa.queue-capacity = 1", "mnemo.numa.shutdown-timeout = 1ms");
        NumaConfig low = ConfigLoader.create().file(lowest).load().numaConfig();

        assertThat(high.threadsPerCpu()).isEqualTo(NumaConfig.MAX_THREADS_PER_CPU);
        assertThat(high.autoMinCpus()).isEqualTo(NumaConfig.MAX_AUTO_MIN_CPUS);
        assertThat(high.unpinnedThreads()).isEqualTo(NumaConfig.MAX_UNPINNED_THREADS);
        assertThat(high.queueCapacity()).isEqualTo(NumaConfig.MAX_QUEUE_CAPACITY);
        assertThat(high.shutdownTimeout()).isEqualTo(NumaConfig.MAX_SHUTDOWN_TIMEOUT);
        assertThat(low.queueCapacity()).isEqualTo(1);
        assertThat(low.shutdownTimeout()).isEqualTo(NumaConfig.MIN_SHUTDOWN_TIMEOUT);
    }

    @Test
    void load_noNumaSettings_givesNumaConfigDefaults() {
        NodeConfig c = ConfigLoader.create().environment(Map.of("MNEMO_NODE_ID", "1")).load();

        assertThat(c.numaConfig()).hasToString(NumaConfig.defaults().toString());
        for (NumaSetting n : NumaSetting.values()) {
            assertThat(c.sourceOf(Settings.byKey(n.key()).orElseThrow())).isEqualTo(Source.byDefault());
        }
    }

    @Test
    void load_cpusFromEnvironmentWithoutExplicitMode_refusedNamingBothSources() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.numa.mode = auto");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.create().file(f)
                .environment(Map.of("MNEMO_NUMA_CPUS", "0-1")).load());

        ConfigException.Problem p = e.problems().get(0);
        assertThat(p.key()).isEqualTo("mnemo.numa.cpus");
        assertThat(p.source()).isEqualTo(Source.environment("MNEMO_NUMA_CPUS"));
        assertThat(p.reason()).contains("mnemo.numa.mode = auto (" + f + ":2)");
    }

    @Test
    void numaRefusal_cpusThisMachineLacks_namesKeyValueAndSource() throws IOException {
        Path f = file("mnemo.node.id = 1", "mnemo.numa.mode = explicit", "mnemo.numa.cpus = 0-1; 6");
        NodeConfig c = ConfigLoader.create().file(f).load();
        NumaTopology fourCpus = NumaTopology.of(List.of(new NumaNode(0, CpuSet.range(0, 3))));

        NumaConfigException refused = catchThrowableOfType(NumaConfigException.class,
                () -> NumaWorkers.start(c.numaConfig(), fourCpus, 8, (pool, thread, error) -> { }));
        ConfigException e = c.numaRefusal(refused);

        assertThat(e.problems()).hasSize(1);
        ConfigException.Problem p = e.problems().get(0);
        assertThat(p.key()).isEqualTo("mnemo.numa.cpus");
        assertThat(p.value()).isEqualTo("0-1;6");
        assertThat(p.source()).isEqualTo(Source.file(f, 3));
        assertThat(p.reason()).isEqualTo("pool 1: CPUs 6 are not present (online CPUs: 0-3)");
    }
}
