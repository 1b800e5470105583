package io.mnemo.node.cluster.membership;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link ChildNode} in a child JVM with this JVM's java, class path and Mnemo's JVM flags file
 * ({@code config/jvm.options}, plus {@code config/jvm-jdk23.options} on JDK 23+).
 */
final class ChildJvmProcess implements AutoCloseable {
    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch jobStarted = new CountDownLatch(1);
    private final Path log;

    private ChildJvmProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ChildJvmProcess start(String nodeId, TestPorts.Block ports, Path work) throws IOException {
        Path root = repoRoot();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@" + root.resolve("config/jvm.options"));
        if (Runtime.version().feature() >= 23) {
            command.add("@" + root.resolve("config/jvm-jdk23.options"));
        }
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildNode.class.getName());
        command.add(nodeId);
        command.add(Integer.toString(ports.discovery()));
        command.add(Integer.toString(ports.communication()));
        command.add(work.toString());
        Files.createDirectories(work);
        Path log = work.resolve(nodeId + "-stderr.log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        ChildJvmProcess child = new ChildJvmProcess(process, log);
        Thread reader = new Thread(child::readStdout, "child-" + nodeId + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return child;
    }

    /** The repository root: the nearest directory up from {@code user.dir} holding {@code config/jvm.options}. */
    static Path repoRoot() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("config/jvm.options"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no config/jvm.options above " + System.getProperty("user.dir"));
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("READY ")) {
                    ready.countDown();
                } else if (line.startsWith("JOB_STARTED ")) {
                    jobStarted.countDown();
                }
            }
        } catch (IOException ignored) {
            // the child died; ready stays open and the waiter reports the child's log
        }
    }

    void awaitReady(Duration timeout) throws InterruptedException, IOException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child JVM not ready after " + timeout + " (alive " + process.isAlive() + "); stderr tail:\n"
                    + tail(log));
        }
    }

    /** Waits until a {@link TestJobs.AnnounceThenWait} job runs in the child. */
    void awaitJobStarted(Duration timeout) throws InterruptedException {
        if (!jobStarted.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no job started in the child within " + timeout);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, as {@code kill -9}. */
    void kill() {
        process.destroyForcibly();
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
