package io.mnemo.node.storage.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the command line of a child JVM that runs a test class: the same java binary as this JVM, this
 * JVM's class path, and the project's JVM flags file ({@code config/jvm.options}, plus
 * {@code config/jvm-jdk23.options} on JDK 23+) passed as {@code @file}, so the child runs with exactly the
 * flags production uses.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    static List<String> command(Class<?> mainClass, List<String> jvmArgs, List<String> args) {
        Path root = repoRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot find this JVM's java binary")));
        cmd.add("@" + root.resolve("config/jvm.options"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("@" + root.resolve("config/jvm-jdk23.options"));
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        return cmd;
    }

    /** The repository root: the nearest directory at or above {@code user.dir} that holds {@code config/jvm.options}. */
    static Path repoRoot() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("config/jvm.options"))) {
                return p;
            }
        }
        throw new IllegalStateException("no config/jvm.options at or above " + start);
    }

    /** Sends SIGKILL to the process with {@code kill -9}, as an operator or the OOM killer would. */
    static void kill9(Process p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(p.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -9 " + p.pid() + " did not finish in 10 s");
        }
        if (kill.exitValue() != 0) {
            // kill(1) is absent or failed: fall back to the JDK, which sends SIGKILL on Linux.
            p.destroyForcibly();
        }
    }
}
