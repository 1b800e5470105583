package io.mnemo.node.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NumaConfigTest {

    @Test
    void defaults_modeAutoAndDocumentedValues() {
        NumaConfig c = NumaConfig.defaults();

        assertThat(c.mode()).isEqualTo(NumaMode.AUTO);
        assertThat(c.cpuLists()).isEmpty();
        assertThat(c.threadsPerCpu()).isEqualTo(1);
        assertThat(c.oneThreadPerCore()).isFalse();
        assertThat(c.autoMinCpus()).isEqualTo(4);
        assertThat(c.unpinnedThreads()).isZero();
        assertThat(c.queueCapacity()).isEqualTo(65_536);
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.sysfsRoot()).isEqualTo(Path.of("/sys/devices/system"));
    }

    @Test
    void envName_keyUpperCasedWithUnderscores() {
        assertThat(NumaSetting.THREADS_PER_CPU.envName()).isEqualTo("MNEMO_NUMA_THREADS_PER_CPU");
    }

    @Test
    void builder_typedValues_keepsEach() {
        NumaConfig c = NumaConfig.builder().mode(NumaMode.EXPLICIT).cpus("0-1; 2,3").threadsPerCpu(2)
                .oneThreadPerCore(true).queueCapacity(10).shutdownTimeout(Duration.ofMillis(500)).build();

        assertThat(c.mode()).isEqualTo(NumaMode.EXPLICIT);
        assertThat(c.cpuLists()).containsExactly(CpuSet.range(0, 1), CpuSet.range(2, 3));
        assertThat(c.threadsPerCpu()).isEqualTo(2);
        assertThat(c.oneThreadPerCore()).isTrue();
        assertThat(c.queueCapacity()).isEqualTo(10);
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void builder_valuesAtTheLimits_accepted() {
        NumaConfig c = NumaConfig.builder().threadsPerCpu(NumaConfig.MAX_THREADS_PER_CPU)
                .autoMinCpus(NumaConfig.MAX_AUTO_MIN_CPUS).unpinnedThreads(NumaConfig.MAX_UNPINNED_THREADS)
                .queueCapacity(NumaConfig.MAX_QUEUE_CAPACITY).shutdownTimeout(NumaConfig.MAX_SHUTDOWN_TIMEOUT).build();

        assertThat(c.queueCapacity()).isEqualTo(1 << 20);
        assertThat(NumaConfig.builder().shutdownTimeout(NumaConfig.MIN_SHUTDOWN_TIMEOUT).build().shutdownTimeout())
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void parseCpuLists_text_oneSetPerPool() {
        assertThat(NumaConfig.parseCpuLists("0-3,8-11; 4-7")).containsExactly(CpuSet.parse("0-3,8-11"), CpuSet.range(4, 7));
        assertThat(NumaConfig.parseCpuLists("0-1;;2")).containsExactly(CpuSet.range(0, 1), CpuSet.empty(), CpuSet.of(2));
    }

    @Test
    void parseCpuLists_malformedList_refusedNamingThePool() {
        assertThatThrownBy(() -> NumaConfig.parseCpuLists("0-1;3-2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pool 1: malformed CPU list '3-2'");
    }

    @Test
    void cpuListsProblem_emptyOrSharedCpus_saysWhich() {
        assertThat(NumaConfig.cpuListsProblem(List.of(CpuSet.range(0, 1), CpuSet.range(2, 3)))).isNull();
        assertThat(NumaConfig.cpuListsProblem(List.of(CpuSet.of(0), CpuSet.empty()))).isEqualTo("pool 1 has an empty CPU list");
        assertThat(NumaConfig.cpuListsProblem(List.of(CpuSet.range(0, 3), CpuSet.range(2, 5))))
                .startsWith("pools 0 and 1 overlap on CPUs 2-3");
    }

    @Test
    void cpus_withoutMode_impliesExplicit() {
        assertThat(NumaConfig.builder().cpus("0;1").build().mode()).isEqualTo(NumaMode.EXPLICIT);
    }

    @Test
    void setter_badValues_refusedWithValueInMessage() {
        assertRefused(() -> NumaConfig.builder().threadsPerCpu(0), "mnemo.numa.threads-per-cpu=0");
        assertRefused(() -> NumaConfig.builder().threadsPerCpu(65), "=65");
        assertRefused(() -> NumaConfig.builder().autoMinCpus(-3), "=-3");
        assertRefused(() -> NumaConfig.builder().unpinnedThreads(5000), "=5000");
        assertRefused(() -> NumaConfig.builder().queueCapacity(0), "mnemo.numa.queue-capacity=0");
        assertRefused(() -> NumaConfig.builder().queueCapacity(NumaConfig.MAX_QUEUE_CAPACITY + 1), "=1048577");
        assertRefused(() -> NumaConfig.builder().shutdownTimeout(Duration.ofSeconds(-1)), "PT-1S");
        assertRefused(() -> NumaConfig.builder().shutdownTimeout(Duration.ZERO), "PT0S");
        assertRefused(() -> NumaConfig.builder().shutdownTimeout(Duration.ofHours(2)), "PT2H");
        assertRefused(() -> NumaMode.parse("sometimes"), "sometimes");
    }

    @Test
    void cpus_impossibleLists_refusedSayingWhy() {
        assertRefused(() -> NumaConfig.builder().cpus("0-1;;2-3"), "pool 1 has an empty CPU list");
        assertRefused(() -> NumaConfig.builder().cpus("0-1;"), "pool 1 has an empty CPU list");
        assertRefused(() -> NumaConfig.builder().cpus(" "), "no CPU lists");
        assertRefused(() -> NumaConfig.builder().cpus("0-3;2-5"), "pools 0 and 1 overlap on CPUs 2-3");
        assertRefused(() -> NumaConfig.builder().cpus("0-1;x"), "pool 1: malformed CPU list 'x'");
        assertRefused(() -> NumaConfig.builder().cpuLists(List.of()), "no CPU lists");
        assertRefused(() -> NumaConfig.builder().cpuLists(List.of(CpuSet.of(1), CpuSet.range(0, 1))),
                "mnemo.numa.cpus=1;0-1 refused: pools 0 and 1 overlap on CPUs 1");
    }

    @Test
    void setter_calledTwice_refused() {
        NumaConfig.Builder b = NumaConfig.builder().mode(NumaMode.OFF);

        assertThatThrownBy(() -> b.mode(NumaMode.AUTO))
                .isInstanceOfSatisfying(NumaConfigException.class, e -> {
                    assertThat(e.setting()).isEqualTo("mnemo.numa.mode");
                    assertThat(e.value()).isEqualTo("auto");
                })
                .hasMessageContaining("already given");
    }

    @Test
    void build_contradictorySettings_refused() {
        assertRefused(() -> NumaConfig.builder().mode(NumaMode.EXPLICIT).build(), "explicit mode needs mnemo.numa.cpus");
        assertRefused(() -> NumaConfig.builder().mode(NumaMode.AUTO).cpus("0").build(), "only with mnemo.numa.mode=explicit");
    }

    @Test
    void build_offWithListsLeftInPlace_acceptedSoOneOverrideSwitchesOff() {
        NumaConfig c = NumaConfig.builder().cpus("0-1").mode(NumaMode.OFF).build();

        assertThat(c.mode()).isEqualTo(NumaMode.OFF);
        assertThat(c.cpuLists()).containsExactly(CpuSet.range(0, 1));
    }

    @Test
    void cpuLists_areImmutable() {
        List<CpuSet> lists = NumaConfig.builder().cpus("0").build().cpuLists();

        assertThatThrownBy(() -> lists.add(CpuSet.of(1))).isInstanceOf(UnsupportedOperationException.class);
    }

    private static void assertRefused(Runnable action, String messagePart) {
        assertThatThrownBy(action::run).isInstanceOf(NumaConfigException.class).hasMessageContaining(messagePart);
    }
}
