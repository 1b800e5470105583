package io.mnemo.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The JVM flags live in one file, {@code config/jvm.options}; every launcher reads that file rather than
 * a copy of its lines. These checks keep the launchers from drifting apart.
 */
class JvmFlagsSingleSourceTest {

    private static Path repoRoot() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("config/jvm.options"))) {
            p = p.getParent();
        }
        assertThat(p).as("repository root holding config/jvm.options above " + System.getProperty("user.dir")).isNotNull();
        return p;
    }

    private static List<String> flags(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .collect(Collectors.toList());
    }

    @Test
    void testJvm_startedWithEveryFlagOfTheOptionsFile() throws IOException {
        List<String> running = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertThat(running).containsAll(flags(repoRoot().resolve("config/jvm.options")));
    }

    @Test
    void launchers_readTheOptionsFileInsteadOfCopies() throws IOException {
        Path root = repoRoot();
        String pom = Files.readString(root.resolve("pom.xml"));
        String script = Files.readString(root.resolve("node/src/main/dist/bin/mnemo"));
        String dockerfile = Files.readString(root.resolve("deploy/docker/Dockerfile"));
        assertThat(pom).contains("@${mnemo.root}/config/jvm.options").contains("@${mnemo.root}/config/jvm-jdk23.options");
        assertThat(script).contains("@$root/config/jvm.options").contains("@$root/config/jvm-jdk23.options");
        assertThat(dockerfile).contains("COPY config/jvm.options config/node-jvm.options /opt/mnemo/config/")
                .contains("\"@/opt/mnemo/config/jvm.options\", \"@/opt/mnemo/config/node-jvm.options\"");
        // A node process's own heap and GC flags: bin/mnemo node, local-cluster's nodes and the image read them.
        assertThat(script).contains("@$root/config/node-jvm.options");
        assertThat(Files.readString(root.resolve("node/src/main/java/io/mnemo/node/cli/LocalCluster.java")))
                .contains("config/node-jvm.options");
        List<String> nodeFlags = flags(root.resolve("config/node-jvm.options"));
        for (String flag : flags(root.resolve("config/jvm.options"))) {
            assertThat(nodeFlags).as("node-jvm.options only adds to jvm.options").doesNotContain(flag);
            if (flag.startsWith("--add-")) {
                assertThat(script).as("bin/mnemo must not copy flags").doesNotContain(flag);
                assertThat(dockerfile).as("Dockerfile must not copy flags").doesNotContain(flag);
            }
        }
    }
}
