package io.mnemo.node.storage.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one scale test: printed as they are measured and written as JSON to
 * {@code <build dir>/scale/<name>.json}, where the build dir is the one holding this test's classes (so a
 * build with {@code -Dmnemo.target=x} writes under {@code node/x/scale}).
 */
final class ScaleReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    ScaleReport(String name) {
        this.name = name;
        figures.put("test", name);
        figures.put("startedAt", Instant.now().toString());
        figures.put("jdk", Runtime.version().toString());
        figures.put("cpus", Runtime.getRuntime().availableProcessors());
        figures.put("maxHeapMiB", ProcessMemory.mib(Runtime.getRuntime().maxMemory()));
    }

    /** Records a figure and prints it. */
    ScaleReport put(String key, Object value) {
        figures.put(key, value);
        System.out.printf("[%s] %s = %s%n", name, key, value);
        return this;
    }

    Path write() throws IOException {
        Path dir = buildDir().resolve("scale");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".json");
        figures.put("finishedAt", Instant.now().toString());
        JSON.writeValue(file.toFile(), figures);
        System.out.printf("[%s] report written to %s%n", name, file);
        return file;
    }

    static Path buildDir() {
        try {
            Path classes = Path.of(ScaleReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the test classes directory", e);
        }
    }
}
