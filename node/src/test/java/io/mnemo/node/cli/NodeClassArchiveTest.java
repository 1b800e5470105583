package io.mnemo.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NodeClassArchiveTest {
    @TempDir
    Path dir;

    @Test
    void aClassPathWithANonEmptyDirectoryCannotHaveAnArchive_jarsAndEmptyDirectoriesCan() throws IOException {
        Path jar = Files.writeString(dir.resolve("a.jar"), "not really a jar");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("A.class"), "x");

        assertThat(NodeClassArchive.unfitEntry(jar + File.pathSeparator + empty)).isEmpty();
        assertThat(NodeClassArchive.unfitEntry(jar + File.pathSeparator + classes))
                .hasValueSatisfying(reason -> assertThat(reason).contains(classes.toString()).contains("jars only"));
    }

    @Test
    void theKeyChangesWithAJarsTime_anOptionFilesContents_andTheFlags() throws IOException {
        Path jar = Files.writeString(dir.resolve("a.jar"), "bytes");
        Path options = Files.writeString(dir.resolve("jvm.options"), "-Dx=1\n");
        List<String> flags = List.of("@" + options, "-Xmx1g");
        String key = NodeClassArchive.key(flags, jar.toString());

        assertThat(NodeClassArchive.key(flags, jar.toString())).isEqualTo(key);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        String touched = NodeClassArchive.key(flags, jar.toString());
        assertThat(touched).isNotEqualTo(key);
        Files.writeString(options, "-Dx=2\n");
        String edited = NodeClassArchive.key(flags, jar.toString());
        assertThat(edited).isNotEqualTo(touched);
        assertThat(NodeClassArchive.key(List.of("@" + options, "-Xmx2g"), jar.toString())).isNotEqualTo(edited);
    }

    @Test
    void classArchiveCommand_onAClassPathWithDirectories_printsNothingAndFails() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new picocli.CommandLine(new MnemoCli()).setOut(new java.io.PrintWriter(out))
                .setErr(new java.io.PrintWriter(err)).execute("class-archive");

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("no class-data archive for node processes").contains("jars only");
    }

    /**
     * The real thing: node processes on a jar-only class path get an archive made once by a training run, map it (the
     * JVM maps the archive file into the process), and a second cluster gets the same archive without training again.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void nodesOnJarsStartFromAnArchiveMadeOnce() throws Exception {
        String classPath = jarOnlyClassPath(Files.createDirectories(dir.resolve("jars")));
        Path archives = dir.resolve("cds");
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Path home = Path.of("..").toAbsolutePath().normalize();
        Path archive;
        try (LocalCluster cluster = cluster(home, classPath, archives, log, "first")) {
            cluster.startAll(Duration.ofSeconds(120));
            archive = cluster.classArchive().orElseThrow(() -> new AssertionError("no archive; log: " + log));
            assertThat(archive.getParent()).isEqualTo(archives);
            assertThat(Files.size(archive)).isPositive();
            assertThat(Files.readString(Path.of("/proc/" + cluster.pid(1) + "/maps"))).contains(archive.toString());
        }
        assertThat(log).anyMatch(line -> line.contains("made in"));
        try (Stream<Path> files = Files.list(archives)) {
            assertThat(files.filter(p -> !p.getFileName().toString().equals(".lock")))
                    .as("one archive, no failure marker").containsExactly(archive);
        }

        log.clear();
        try (LocalCluster again = cluster(home, classPath, archives, log, "second")) {
            again.start(1);
            assertThat(again.classArchive()).contains(archive);
        }
        assertThat(log).noneMatch(line -> line.contains("training"));
    }

    private LocalCluster cluster(Path home, String classPath, Path archives, List<String> log, String name) {
        int base = LocalCluster.findFreeBasePort(new Random(System.nanoTime()), 1);
        return new LocalCluster(home, dir.resolve(name), base, 1).withClassPath(classPath)
                .withClassArchiveDirectory(archives).withLog(log::add)
                .withSetting("mnemo.storage.warm.entries-per-partition", "1000");
    }

    /**
     * This test JVM's class path as a node process needs it, all jars: each main classes directory packed into a jar,
     * test classes left out.
     */
    private static String jarOnlyClassPath(Path jars) throws IOException {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.isDirectory(p)) {
                out.add(entry);
            } else if (!p.getFileName().toString().equals("test-classes")) {
                Path jar = jars.resolve(out.size() + "-" + p.getParent().getParent().getFileName() + ".jar");
                pack(p, jar);
                out.add(jar.toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static void pack(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static void copy(Path file, OutputStream out) throws IOException {
        Files.copy(file, out);
    }
}
