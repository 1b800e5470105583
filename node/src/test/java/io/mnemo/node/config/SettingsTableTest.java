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
