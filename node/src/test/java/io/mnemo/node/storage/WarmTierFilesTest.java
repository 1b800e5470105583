package io.mnemo.node.storage;

import static io.mnemo.node.storage.StoreFixtures.SPACE;
import static io.mnemo.node.storage.StoreFixtures.memory;
import static io.mnemo.node.storage.StoreFixtures.openWithSpace;
import static io.mnemo.node.storage.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Warm-tier files appear only complete: created under a temporary name and renamed into place. */
@Timeout(120)
class WarmTierFilesTest {
    @TempDir
    Path dir;

    @Test
    void leftoverOfAnInterruptedCreation_isReplaced_andNoTemporaryFileRemains() throws IOException {
        StorageConfig cfg = smallConfig(dir).build();
        int first;
        String other = null;
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            first = s.partitionOf(SPACE, "k0");
            for (int i = 1; other == null; i++) {
                if (s.partitionOf(SPACE, "k" + i) != first) {
                    other = "k" + i;
                }
            }
            s.store(memory("k0", "first"));
        }
        Path firstDir = partitionDir(first);
        assertThat(firstDir.resolve("records-0000.cmap")).isRegularFile();

        // A process killed while Chronicle Map created the other partition's first file left its temporary file.
        int second;
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            second = s.partitionOf(SPACE, other);
        }
        Path secondDir = firstDir.resolveSibling(String.format("p-%04d", second));
        Files.createDirectories(secondDir);
        Files.writeString(secondDir.resolve("records-0000.cmap.creating"), "half a header", StandardCharsets.UTF_8);

        try (DefaultTieredStore s = openWithSpace(cfg)) {
            s.store(memory(other, "second"));
            assertThat(s.read(SPACE, other).orElseThrow().memory().orElseThrow().content()).contains("second");
            assertThat(s.read(SPACE, "k0").orElseThrow().memory().orElseThrow().content()).contains("first");
        }
        assertThat(secondDir.resolve("records-0000.cmap")).isRegularFile();
        try (Stream<Path> all = Files.walk(dir)) {
            List<Path> temporary = all.filter(p -> p.getFileName().toString().endsWith(".creating")).collect(Collectors.toList());
            assertThat(temporary).as("temporary files left").isEmpty();
        }
    }

    private Path partitionDir(int partition) throws IOException {
        String name = String.format("p-%04d", partition);
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> Files.isDirectory(p) && p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }
}
