package io.mnemo.node.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    void defaults_matchTheSettingsTable() {
        NumaConfig c = NumaConfig.defaults();
        NumaConfig fromTable = NumaConfig.from(s -> s == NumaSetting.CPUS ? null : s.defaultValue());

        assertThat(fromTable.toString()).isEqualTo(c.toString());
        assertThat(NumaSetting.THREADS_PER_CPU.envName()).isEqualTo("MNEMO_NUMA_THREADS_PER_CPU");
    }

    @Test
    void from_textSettings_parsesEach() {
        Map<NumaSetting, String> given = Map.of(
                NumaSetting.MODE, " Explicit ",
                NumaSetting.CPUS, "0-1; 2,3",
                NumaSetting.THREADS_PER_CPU, "2",
                NumaSetting.ONE_THREAD_PER_CORE, "TRUE",
                NumaSetting.QUEUE_CAPACITY, "10",
                NumaSetting.SHUTDOWN_TIMEOUT, "500ms");

        NumaConfig c = NumaConfig.from(given::get);

        assertThat(c.mode()).isEqualTo(NumaMode.EXPLICIT);
        assertThat(c.cpuLists()).containsExactly(CpuSet.range(0, 1), CpuSet.range(2, 3));
        assertThat(c.threadsPerCpu()).isEqualTo(2);
        assertThat(c.oneThreadPerCore()).isTrue();
        assertThat(c.queueCapacity()).isEqualTo(10);
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofMillis(500));
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
        assertRefused(() -> NumaConfig.builder().shutdownTimeout(Duration.ofSeconds(-1)), "PT-1S");
        assertRefused(() -> NumaConfig.builder().set(NumaSetting.MODE, "sometimes"), "sometimes");
        assertRefused(() -> NumaConfig.builder().set(NumaSetting.THREADS_PER_CPU, "two"), "=two");
        assertRefused(() -> NumaConfig.builder().set(NumaSetting.ONE_THREAD_PER_CORE, "yes"), "=yes");
        assertRefused(() -> NumaConfig.builder().set(NumaSetting.SHUTDOWN_TIMEOUT, "10 parsecs"), "10 parsecs");
    }

    @Test
    void cpus_impossibleLists_refusedSayingWhy() {
        assertRefused(() -> NumaConfig.builder().cpus("0-1;;2-3"), "pool 1 has an empty CPU list");
        assertRefused(() -> NumaConfig.builder().cpus("0-1;"), "pool 1 has an empty CPU list");
        assertRefused(() -> NumaConfig.builder().cpus(" "), "no CPU lists");
        assertRefused(() -> NumaConfig.builder().cpus("0-3;2-5"), "pools 0 and 1 overlap on CPUs 2-3");
        assertRefused(() -> NumaConfig.builder().cpus("0-1;x"), "pool 1: malformed CPU list 'x'");
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
