package io.mnemo.node.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mnemo.protocol.v1.Consistency;
import io.mnemo.protocol.v1.CreateSpaceRequest;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.MnemoServiceGrpc;
import io.mnemo.protocol.v1.RecallRequest;
import io.mnemo.protocol.v1.RemoveRequest;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.StoreRequest;
import io.mnemo.shardmap.PartitionFunction;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A class-data sharing (CDS) archive of the classes a node process loads, so that node processes start faster.
 *
 * <p>A node loads about 15,000 classes while it starts (Ignite's kernel alone is most of them); reading, inflating,
 * parsing and verifying them is more than half of a node's start-up on an idle 2-core machine, and far more when the
 * cores are busy, which is exactly when a node joins a loaded cluster. With a dynamic CDS archive the JVM maps those
 * classes ready-parsed and verified instead.
 *
 * <p>The archive is made once per node class path, JDK and JVM flags by a training run: a two-node cluster whose
 * second node joins the first (the joining side is what a new node runs), takes stores, recalls and removals, and
 * writes the classes it loaded when it exits ({@code -XX:ArchiveClassesAtExit}). It is kept in {@code MNEMO_CDS_DIR}
 * (default {@code ~/.cache/mnemo/cds}) under a name derived from those inputs (each jar's path, size and time
 * included), so a rebuild or another JDK gets its own archive and a stale one is never used; the JVM also checks
 * the archive itself and runs without it, with a warning, if it does not match. Archives hold classes from jars
 * only: a class path with a non-empty directory (a test run from {@code target/classes}) gets none.
 * {@code MNEMO_CDS=off} turns the archive off.
 *
 * <p>Failures never stop a cluster from starting: without an archive the nodes start as they always did. A failed
 * training run leaves a {@code .failed} marker next to where its archive would be, so it is not retried on every
 * start; delete the marker to try again.
 */
final class NodeClassArchive {
    /** Environment variable that turns the archive off when set to {@code off}. */
    static final String SWITCH_ENV = "MNEMO_CDS";
    /** Environment variable naming the directory archives are kept in. */
    static final String DIR_ENV = "MNEMO_CDS_DIR";
    private static final int KEEP = 4;
    private static final int TRAINING_MEMORIES = 4;
    private static final int TRAINING_DIMENSION = 768;
    private static final Duration TRAINING_START = Duration.ofSeconds(120);
    private static final Duration TRAINING_CALL_WINDOW = Duration.ofSeconds(30);
    private static final Duration TRAINING_STOP = Duration.ofSeconds(180);

    private NodeClassArchive() {
    }

    /**
     * The archive for node processes started with {@code flags} and {@code classPath}, made by a training run first
     * if there is none yet; empty when archives are off, the class path cannot have one, or training failed (each
     * reason is passed to {@code log}). Archives are kept in {@code dir}.
     */
    static synchronized Optional<Path> obtain(Path dir, Path home, List<String> flags, String classPath,
                                              Consumer<String> log) {
        if (switchedOff()) {
            return Optional.empty();
        }
        Optional<String> unfit = unfitEntry(classPath);
        if (unfit.isPresent()) {
            log.accept("no class-data archive for node processes: " + unfit.get());
            return Optional.empty();
        }
        try {
            Files.createDirectories(dir);
            String name = "node-" + key(flags, classPath);
            Path archive = dir.resolve(name + ".jsa");
            Path failed = dir.resolve(name + ".failed");
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                // Held while training too (closing the channel releases it): another process starting a cluster
                // waits, then finds the archive made.
                lockFile.lock();
                if (Files.exists(archive)) {
                    return Optional.of(archive);
                }
                if (Files.exists(failed)) {
                    log.accept("no class-data archive for node processes: its training failed before (" + failed
                            + "; delete it to try again)");
                    return Optional.empty();
                }
                return train(home, flags, classPath, archive, failed, log);
            }
        } catch (IOException | RuntimeException e) {
            log.accept("no class-data archive for node processes: " + e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The archive for these node processes if it was made already (no training); empty when archives are off. */
    static Optional<Path> existing(Path dir, List<String> flags, String classPath) {
        if (switchedOff() || unfitEntry(classPath).isPresent()) {
            return Optional.empty();
        }
        try {
            Path archive = dir.resolve("node-" + key(flags, classPath) + ".jsa");
            return Files.exists(archive) ? Optional.of(archive) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean switchedOff() {
        return "off".equalsIgnoreCase(System.getenv(SWITCH_ENV));
    }

    /** Why {@code classPath} cannot have an archive (a non-empty directory on it), if it cannot. */
    static Optional<String> unfitEntry(String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                try (Stream<Path> children = Files.list(p)) {
                    if (children.findAny().isPresent()) {
                        return Optional.of("the class path entry " + p + " is a directory (archives hold classes from jars only)");
                    }
                } catch (IOException e) {
                    return Optional.of("cannot list the class path entry " + p + ": " + e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** {@code MNEMO_CDS_DIR}, else {@code ~/.cache/mnemo/cds}. */
    static Path defaultDirectory() {
        String configured = System.getenv(DIR_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "mnemo", "cds");
    }

    /**
     * A name for the archive of these inputs: the JDK, the flags (an {@code @file} counts with its contents) and each
     * class path entry with its size and modification time.
     */
    static String key(List<String> flags, String classPath) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        List<String> parts = new ArrayList<>();
        parts.add(System.getProperty("java.home"));
        parts.add(System.getProperty("java.vm.version"));
        for (String flag : flags) {
            parts.add(flag);
            if (flag.startsWith("@")) {
                parts.add(Files.readString(Path.of(flag.substring(1)), StandardCharsets.UTF_8));
            }
        }
        for (String entry : classPath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            parts.add(entry);
            if (Files.isRegularFile(p)) {
                parts.add(Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        for (String part : parts) {
            sha.update(part.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 10);
    }

    private static Optional<Path> train(Path home, List<String> flags, String classPath, Path archive, Path failed,
                                        Consumer<String> log) throws IOException, InterruptedException {
        long start = System.nanoTime();
        log.accept("making the class-data archive for node processes (once per build and JDK): a two-node training run");
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Path data = Files.createTempDirectory("mnemo-cds-training-");
        String failure = null;
        long ready = start;
        long worked = start;
        try {
            int base = LocalCluster.findFreeBasePort(new Random(), 2);
            try (LocalCluster cluster = new LocalCluster(home, data, base, 2).withClassPath(classPath)
                    .withoutClassArchive().archivingClassesAtExit(2, partial)
                    .withSetting("mnemo.node.drain-timeout", "1s")) {
                cluster.startAll(TRAINING_START);
                ready = System.nanoTime();
                workload(cluster.endpoint(1), cluster.endpoint(2));
                worked = System.nanoTime();
                // Writing the archive at exit takes seconds on JDK 17 and half a minute on JDK 25: more than close() waits.
                cluster.stop(2, TRAINING_STOP);
            } catch (IllegalStateException | StatusRuntimeException e) {
                failure = e.getMessage();
            }
            if (failure == null && (!Files.exists(partial) || Files.size(partial) == 0)) {
                failure = "the training node exited without writing " + partial + "; see " + data.resolve("node-2");
            }
            if (failure != null) {
                Files.writeString(failed, failure + System.lineSeparator(), StandardCharsets.UTF_8);
                log.accept("no class-data archive for node processes: training failed: " + failure);
                return Optional.empty();
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            prune(archive.getParent(), archive);
            long end = System.nanoTime();
            log.accept(String.format("class-data archive %s made in %.1f s (nodes ready %.1f s, workload %.1f s, "
                    + "stop and write %.1f s)", archive, (end - start) / 1e9, (ready - start) / 1e9, (worked - ready) / 1e9,
                    (end - worked) / 1e9));
            return Optional.of(archive);
        } finally {
            Files.deleteIfExists(partial);
            if (failure == null) {
                LocalCluster.deleteTree(data);
            }
        }
    }

    /**
     * Runs what a node serves in a cluster through both nodes: a space, stores coordinated by each (replicated to the
     * other), recalls at ONE and QUORUM, and removals. Calls are retried while the nodes are still settling.
     */
    private static void workload(String first, String second) throws InterruptedException {
        ManagedChannel a = NettyChannelBuilder.forTarget(first).usePlaintext().build();
        ManagedChannel b = NettyChannelBuilder.forTarget(second).usePlaintext().build();
        try {
            var one = MnemoServiceGrpc.newBlockingStub(a);
            var two = MnemoServiceGrpc.newBlockingStub(b);
            String space = "cds-training";
            retrying(() -> one.withDeadlineAfter(10, TimeUnit.SECONDS).createSpace(CreateSpaceRequest.newBuilder()
                    .setSpec(SpaceSpec.newBuilder().setName(space).setDimension(TRAINING_DIMENSION)).build()));
            Random random = new Random(7);
            List<String> ids = samePartitionIds(space, TRAINING_MEMORIES);
            for (int i = 0; i < TRAINING_MEMORIES; i++) {
                String id = ids.get(i);
                var coordinator = i % 2 == 0 ? one : two;
                var reader = i % 2 == 0 ? two : one;
                Memory.Builder m = Memory.newBuilder().setSpace(space).setId(id)
                        .setCreatedAtNs(System.currentTimeMillis() * 1_000_000L).setContent("training " + i)
                        .setConfidence(random.nextFloat());
                for (int d = 0; d < TRAINING_DIMENSION; d++) {
                    m.addEmbedding((float) random.nextGaussian());
                }
                StoreRequest store = StoreRequest.newBuilder().setMemory(m).build();
                retrying(() -> coordinator.withDeadlineAfter(10, TimeUnit.SECONDS).store(store));
                for (Consistency c : List.of(Consistency.CONSISTENCY_ONE, Consistency.CONSISTENCY_QUORUM)) {
                    RecallRequest recall = RecallRequest.newBuilder().setSpace(space).setId(id).setConsistency(c).build();
                    retrying(() -> reader.withDeadlineAfter(10, TimeUnit.SECONDS).recall(recall));
                }
                if (i % 8 == 0) {
                    RemoveRequest remove = RemoveRequest.newBuilder().setSpace(space).setId(id).build();
                    retrying(() -> reader.withDeadlineAfter(10, TimeUnit.SECONDS).remove(remove));
                }
            }
        } finally {
            a.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            b.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code n} ids of one partition: a node creates a partition's files on its first write, which takes a while, and
     * one partition loads the same classes as many.
     */
    private static List<String> samePartitionIds(String space, int n) {
        PartitionFunction partitions = PartitionFunction.of(LocalCluster.PARTITIONS);
        int target = partitions.partitionOf(space, "m-0");
        List<String> ids = new ArrayList<>();
        for (int k = 0; ids.size() < n; k++) {
            if (partitions.partitionOf(space, "m-" + k) == target) {
                ids.add("m-" + k);
            }
        }
        return ids;
    }

    /** Runs {@code call}, again every 200 ms on errors a settling cluster gives, for up to the training call window. */
    private static void retrying(Runnable call) throws InterruptedException {
        long deadline = System.nanoTime() + TRAINING_CALL_WINDOW.toNanos();
        while (true) {
            try {
                call.run();
                return;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                boolean settling = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                        || code == Status.Code.FAILED_PRECONDITION || code == Status.Code.NOT_FOUND
                        || code == Status.Code.ABORTED;
                if (!settling || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    /** Deletes all but the {@value #KEEP} newest archives in {@code dir} (never {@code keep}). */
    private static void prune(Path dir, Path keep) throws IOException {
        List<Path> archives = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "node-*.jsa")) {
            s.forEach(archives::add);
        }
        archives.sort(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed());
        for (Path old : archives.subList(Math.min(KEEP, archives.size()), archives.size())) {
            if (!old.equals(keep)) {
                Files.deleteIfExists(old);
            }
        }
    }
}
