package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTableTest {

    @Test
    void markdown_registry_hasHeaderAndOneRowPerSetting() {
        List<String> lines = SettingsTable.markdown().lines().toList();

        assertThat(lines).hasSize(2 + Settings.all().size());
        assertThat(lines.get(0)).isEqualTo("| Key | Environment variable | Type | Default | Allowed | Description |");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.storage.hot.max-bytes` | `MNEMO_STORAGE_HOT_MAX_BYTES` | data size | `256MiB` | 1MiB..1TiB | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("| `mnemo.node.id` | `MNEMO_NODE_ID` | integer | (required) |"));
        for (String line : lines) {
            assertThat(line.split("(?<!\\\\)\\|", -1)).as(line).hasSize(8);
        }
    }

    @Test
    void markdown_numaSettings_showTheirTypeDefaultAndRange() {
        List<String> lines = SettingsTable.markdown().lines().toList();

        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.cpus` | `MNEMO_NUMA_CPUS` | CPU lists | (empty) | empty, or one cpulist per pool separated by "
                        + "';' (0-3,8-11;4-7); lists non-empty and disjoint | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.threads-per-cpu` | `MNEMO_NUMA_THREADS_PER_CPU` | integer | `1` | 1..64 | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.one-thread-per-core` | `MNEMO_NUMA_ONE_THREAD_PER_CORE` | boolean | `false` | true, false | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.auto-min-cpus` | `MNEMO_NUMA_AUTO_MIN_CPUS` | integer | `4` | 1..65536 | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.unpinned-threads` | `MNEMO_NUMA_UNPINNED_THREADS` | integer | `0` | 0..4096 | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.queue-capacity` | `MNEMO_NUMA_QUEUE_CAPACITY` | integer | `65536` | 1..1048576 | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.shutdown-timeout` | `MNEMO_NUMA_SHUTDOWN_TIMEOUT` | duration | `10s` | 1ms..1h | "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(
                "| `mnemo.numa.sysfs-root` | `MNEMO_NUMA_SYSFS_ROOT` | path | `/sys/devices/system` | a directory | "));
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains("| text |"));
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains("see description"));
    }

    @Test
    void withTable_readmeWithMarkers_replacesOnlyBetweenThem() {
        String readme = "# Title\n\n" + SettingsTable.BEGIN + "\nold table\n" + SettingsTable.END + "\nafter\n";

        String updated = SettingsTable.withTable(readme);

        assertThat(updated).startsWith("# Title\n\n" + SettingsTable.BEGIN + "\n| Key |").endsWith(SettingsTable.END + "\nafter\n");
        assertThat(SettingsTable.tableIn(updated)).contains(SettingsTable.expectedBetweenMarkers());
        assertThat(SettingsTable.withTable(updated)).isEqualTo(updated);
    }

    @Test
    void withTable_readmeWithoutMarkers_isRefused() {
        assertThatThrownBy(() -> SettingsTable.withTable("# no table\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SettingsTable.BEGIN);
        assertThat(SettingsTable.tableIn(SettingsTable.END + SettingsTable.BEGIN)).isEmpty();
    }

    @Test
    void readme_configurationTable_matchesTheRegistry() throws IOException {
        Path readme = repositoryRoot().resolve("README.md");
        String text = Files.exists(readme) ? Files.readString(readme, StandardCharsets.UTF_8) : "";

        String table = SettingsTable.tableIn(text).orElse(null);

        if (table == null) {
            fail(readme + " has no configuration table: add a line " + SettingsTable.BEGIN + " and a line "
                    + SettingsTable.END + " where it belongs, then generate it from the repository root with: "
                    + SettingsTable.REGENERATE_COMMAND);
        }
        assertEquals(SettingsTable.expectedBetweenMarkers(), table,
                "README.md's configuration table is not the one Settings generates; regenerate it from the repository root with: "
                        + SettingsTable.REGENERATE_COMMAND);
    }

    /** The directory holding the Maven wrapper, found upwards from the module the test runs in. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
    }
}
