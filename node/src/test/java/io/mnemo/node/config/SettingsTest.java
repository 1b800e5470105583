package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.node.numa.NumaSetting;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

    @Test
    void all_keysAndEnvironmentVariables_areUniqueAndDerived() {
        Set<String> keys = new HashSet<>();
        Set<String> vars = new HashSet<>();
        for (Setting<?> s : Settings.all()) {
            assertThat(keys.add(s.key())).as(s.key()).isTrue();
            assertThat(vars.add(s.envVar())).as(s.envVar()).isTrue();
            assertThat(s.envVar()).isEqualTo(s.key().toUpperCase().replace('.', '_').replace('-', '_'));
            assertThat(s.description()).as(s.key()).isNotBlank();
        }
        assertThat(Settings.HOT_MAX_BYTES.envVar()).isEqualTo("MNEMO_STORAGE_HOT_MAX_BYTES");
    }

    @Test
    void all_defaults_parseBackFromTheirText() {
        for (Setting<?> s : Settings.all()) {
            if (!s.isRequired()) {
                assertRoundTrip(s);
            }
        }
    }

    private static <T> void assertRoundTrip(Setting<T> s) {
        T def = s.defaultValue().orElseThrow();
        assertThat(s.parse(s.format(def))).as(s.key()).isEqualTo(def);
    }

    @Test
    void all_containsTheRequestedSettings() {
        List<String> keys = Settings.all().stream().map(Setting::key).collect(Collectors.toList());

        assertThat(keys).contains("mnemo.node.id", "mnemo.node.data-dir", "mnemo.node.bind-host", "mnemo.grpc.port",
                "mnemo.cluster.seeds", "mnemo.cluster.partitions", "mnemo.replication.factor",
                "mnemo.replication.write-quorum", "mnemo.replication.read-quorum", "mnemo.storage.hot.max-bytes",
                "mnemo.storage.warm.entries-per-partition", "mnemo.storage.warm.average-value-size",
                "mnemo.storage.max-content-bytes", "mnemo.storage.default-embedding-dimension",
                "mnemo.storage.tombstone-grace", "mnemo.numa.mode", "mnemo.ignite.discovery-port",
                "mnemo.ignite.failure-detection-timeout", "mnemo.raft.port", "mnemo.metrics.port",
                "mnemo.node.drain-timeout");
        for (NumaSetting n : NumaSetting.values()) {
            assertThat(keys).contains(n.key());
        }
    }

    @Test
    void numaSettings_environmentVariables_areTheNumaPackagesNames() {
        for (NumaSetting n : NumaSetting.values()) {
            assertThat(Settings.byKey(n.key()).orElseThrow().envVar()).as(n.key()).isEqualTo(n.envName());
        }
        assertThat(Settings.NUMA_ONE_THREAD_PER_CORE.envVar()).isEqualTo("MNEMO_NUMA_ONE_THREAD_PER_CORE");
        assertThat(Settings.NUMA_SHUTDOWN_TIMEOUT.envVar()).isEqualTo("MNEMO_NUMA_SHUTDOWN_TIMEOUT");
    }

    @Test
    void numaSettings_emptyCpuText_isNoLists() {
        assertThat(Settings.NUMA_CPUS.parse("")).isEmpty();
        assertThat(Settings.NUMA_CPUS.parse("  ")).isEmpty();
        assertThat(Settings.NUMA_CPUS.format(Settings.NUMA_CPUS.parse(" 8-11,0-3 ;4"))).isEqualTo("0-3,8-11;4");
    }

    @Test
    void byKey_unknownKey_isEmpty() {
        assertThat(Settings.byKey("mnemo.grpc.prot")).isEmpty();
        assertThat(Settings.byKey("mnemo.grpc.port")).contains(Settings.GRPC_PORT);
    }

    @Test
    void setting_keyNotInNamingScheme_isRefused() {
        assertThatThrownBy(() -> new Setting<>("Mnemo.Port", "text", s -> s, s -> s, s -> null, "", "any", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Mnemo.Port");
    }

    @Test
    void setting_defaultNotAllowedByItsOwnCheck_isRefused() {
        assertThatThrownBy(() -> new Setting<>("mnemo.x", "text", s -> s, s -> s, s -> "never", "d", "none", "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default of mnemo.x");
    }

    @ParameterizedTest
    @CsvSource({"majority, majority", "MAJORITY, majority", " 2 , 2"})
    void quorumParse_validText_roundTrips(String text, String formatted) {
        assertThat(Quorum.parse(text).toString()).isEqualTo(formatted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "most", ""})
    void quorumParse_invalidText_isRefused(String text) {
        assertThatThrownBy(() -> Quorum.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"500ms; PT0.5S", "2s; PT2S", "5m; PT5M", "1h; PT1H", "7d; PT168H", "P7D; PT168H",
        "PT1.5S; PT1.5S", "0s; PT0S"})
    void durationsParse_validText_givesDuration(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 years", "-5s", "PT-5S", "1.5s", "99999999999999999999d", "P"})
    void durationsParse_invalidText_isRefusedNamingIt(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({"PT0.5S, 500ms", "PT90S, 90s", "PT168H, 7d", "PT0.0000001S, PT0.0000001S", "PT0S, 0s"})
    void durationsFormat_duration_usesLargestExactUnit(String iso, String text) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host:", ":7", "host:port", "host:70000", "a:b:c", "[::1]7", "[::1", "bad_host:1", "x y:1"})
    void hostPortParse_invalidText_isRefused(String text) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void seedsParse_duplicateEntry_isRefusedNamingIt() {
        assertThatThrownBy(() -> Settings.SEEDS.parse("a:1,b:2,a:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listed more than once: a:1");
        assertThatThrownBy(() -> Settings.SEEDS.parse("a:1,,b:2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty entry");
    }

    @Test
    void numaModeParse_unknownMode_isRefusedListingTheModes() {
        assertThatThrownBy(() -> Settings.NUMA_MODE.parse("sometimes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("off, auto, explicit").hasMessageContaining("'sometimes'");
    }
}
