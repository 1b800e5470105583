package io.mnemo.node.storage;

import static io.mnemo.node.storage.StoreFixtures.SPACE;
import static io.mnemo.node.storage.StoreFixtures.memory;
import static io.mnemo.node.storage.StoreFixtures.openWithSpace;
import static io.mnemo.node.storage.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm-tier files appear only complete (created under a temporary name and renamed into place), are mapped for random
 * access, and their creation leaves no zero pages in the page cache.
 */
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

    /** Production sizing (16,384 entries of 4 KiB per file, about 330 MB sparse), one partition: the case that matters. */
    private StorageConfig realSizing() {
        return StorageConfig.builder(dir).partitions(1).build();
    }

    @Test
    void partitionFiles_areMappedForRandomAccess() throws IOException {
        Path smaps = Path.of("/proc/self/smaps");
        assumeTrue(Files.isReadable(smaps), "needs Linux's /proc/self/smaps");
        try (DefaultTieredStore s = openWithSpace(realSizing())) {
            s.store(memory("k0", "content"));
            Path file = partitionDir(0).resolve("records-0000.cmap").toRealPath();
            List<String> flags = vmFlagsOfMappings(smaps, file.toString());
            assertThat(flags).as("mappings of " + file).isNotEmpty();
            // "rr": the kernel's mark for MADV_RANDOM (VM_RAND_READ); a fault reads its page, no read-around.
            assertThat(flags).allSatisfy(f -> assertThat(f.split(" ")).contains("rr"));
        }
    }

    @Test
    void creatingAPartitionFile_leavesItsInitialisationOutOfThePageCache() throws Exception {
        assumeTrue(!Files.getFileStore(dir).type().equals("tmpfs"), "a tmpfs file's pages are its storage");
        try (DefaultTieredStore s = openWithSpace(realSizing())) {
            s.store(memory("k0", "content"));
            assertThat(s.read(SPACE, "k0").orElseThrow().memory().orElseThrow().content()).contains("content");
            Path file = partitionDir(0).resolve("records-0000.cmap");
            long resident = residentBytes(file);
            // Without the page-out, Chronicle Map's initialisation left read-around's zero pages resident: 128 MB with
            // an 8 MiB read-ahead window, 5.3 MB with 128 KiB. One record and the headers are a few pages.
            assertThat(resident).as("page-cache bytes of %s (%d bytes long)", file, Files.size(file))
                    .isLessThan(1 << 20);
        }
    }

    @Test
    void laterPartitionFiles_areWrittenFromTheFirst_asTheBytesChronicleMapMakes() throws Exception {
        StorageConfig cfg = smallConfig(dir, 4).build();
        try (ChronicleWarmTier warm = ChronicleWarmTier.open(cfg)) {
            warm.preparePartition(0);
            // The records files' settings (PartitionStore): 48-byte keys on average.
            assertThat(SegmentedMap.hasEmptyFileImage(cfg.entriesPerSegment(), 48, cfg.averageValueBytes()))
                    .as("the first file was captured").isTrue();
            warm.preparePartition(1);
        }
        Path written = partitionDir(1).resolve("records-0000.cmap");
        Path reference = dir.resolve("reference.cmap");
        SegmentedMap.builder("reference", cfg.entriesPerSegment(), 48, cfg.averageValueBytes())
                .createPersistedTo(reference.toFile()).close();
        assertThat(Files.size(written)).isEqualTo(Files.size(reference));
        assertThat(Files.mismatch(written, reference)).as("first differing byte").isEqualTo(-1L);

        // And it is a working map: records go in, and come back after a reopen.
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            String key = keyIn(s, 1);
            s.store(memory(key, "in a written file"));
        }
        try (DefaultTieredStore s = openWithSpace(cfg)) {
            assertThat(s.read(SPACE, keyIn(s, 1)).orElseThrow().memory().orElseThrow().content()).contains("in a written file");
        }
    }

    @Test
    void aNewNodesWarmUp_capturesTheRecordsFilesShape_beforeAnyPartition_andLeavesNoFile() throws Exception {
        // A shape no other test uses, so the capture seen here is the warm-up's.
        StorageConfig cfg = StorageConfig.builder(dir).partitions(4).entriesPerSegment(517).averageValueBytes(512).build();
        double key = PartitionStore.RECORDS_AVERAGE_KEY_BYTES;
        assertThat(SegmentedMap.hasEmptyFileImage(cfg.entriesPerSegment(), key, cfg.averageValueBytes()))
                .as("no other test captured this shape").isFalse();
        // Closing waits for the warm-up: once closed, no partition was ever opened and the warm-up is over.
        ChronicleWarmTier.open(cfg).close();
        assertThat(SegmentedMap.hasEmptyFileImage(cfg.entriesPerSegment(), key, cfg.averageValueBytes()))
                .as("captured by the warm-up, with no partition opened").isTrue();
        assertThat(warmUpFiles()).as("the warm-up file is deleted").isEmpty();
        try (ChronicleWarmTier warm = ChronicleWarmTier.open(cfg)) {
            warm.preparePartition(0);
        }
        // The first partition file, written from the warm-up's capture, is what Chronicle Map makes for its settings.
        Path written = partitionDir(0).resolve("records-0000.cmap");
        Path reference = dir.resolve("reference.cmap");
        SegmentedMap.builder("reference", cfg.entriesPerSegment(), key, cfg.averageValueBytes())
                .createPersistedTo(reference.toFile()).close();
        assertThat(Files.mismatch(written, reference)).as("first differing byte").isEqualTo(-1L);
    }

    @Test
    void warmUpLeftovers_ofAKilledProcess_areDeletedAtOpen() throws IOException {
        StorageConfig cfg = smallConfig(dir).build();
        try (ChronicleWarmTier warm = ChronicleWarmTier.open(cfg)) {
            warm.preparePartition(0);
        }
        Files.writeString(dir.resolve(SegmentedMap.WARM_UP_PREFIX + "0000.cmap"), "half made", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(SegmentedMap.WARM_UP_PREFIX + "0000.cmap.creating"), "x", StandardCharsets.UTF_8);
        // A node with partitions runs no warm-up; the leftovers go all the same.
        ChronicleWarmTier.open(cfg).close();
        assertThat(warmUpFiles()).isEmpty();
    }

    private List<Path> warmUpFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(SegmentedMap.WARM_UP_PREFIX)).collect(Collectors.toList());
        }
    }

    @Test
    void anEmptyFileImage_holdsOnlyTheFilesData_andWritesASparseCopy() throws Exception {
        Path made = dir.resolve("made.cmap");
        SegmentedMap.builder("made", 1024, 48, 4096).createPersistedTo(made.toFile()).close();
        EmptyFileImage image = EmptyFileImage.capture(made, 16 << 20);
        assumeTrue(image != null, "needs lseek SEEK_DATA / SEEK_HOLE");
        assertThat(image.length()).isEqualTo(Files.size(made));
        // A file sized for 1,024 records of 4 KiB is about 35 MB long and holds a few KB of header.
        assertThat(image.dataBytes()).isPositive().isLessThan(1 << 20);
        assertThat(image.length()).isGreaterThan(16L << 20);
        Path copy = dir.resolve("copy.cmap");
        image.writeTo(copy);
        assertThat(Files.mismatch(copy, made)).isEqualTo(-1L);
        assertThat(EmptyFileImage.capture(copy, 16 << 20).dataBytes()).isEqualTo(image.dataBytes());
        assertThatThrownBy(() -> image.writeTo(copy)).isInstanceOf(FileAlreadyExistsException.class);
    }

    /** A key of {@link StoreFixtures#SPACE} in {@code partition}. */
    private static String keyIn(DefaultTieredStore s, int partition) {
        for (int i = 0; ; i++) {
            if (s.partitionOf(SPACE, "k" + i) == partition) {
                return "k" + i;
            }
        }
    }

    @Test
    void openingAPartition_doesNotWaitForAnotherPartitionsOpening() throws Exception {
        try (ChronicleWarmTier warm = ChronicleWarmTier.open(smallConfig(dir, 4).build())) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Partition 0's opening is in progress (its lock held, as while its files are created) until released.
            Thread opener = new Thread(() -> {
                synchronized (warm.openLock(0)) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            opener.start();
            try {
                assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Void> other = CompletableFuture.runAsync(() -> warm.preparePartition(1));
                // With one lock for the whole store this waited for partition 0 and timed out.
                other.get(60, TimeUnit.SECONDS);
                assertThat(warm.partitionsWithData()).containsExactly(1);
            } finally {
                release.countDown();
                opener.join();
            }
            warm.preparePartition(0);
            assertThat(warm.partitionsWithData()).containsExactly(0, 1);
        }
    }

    /** The {@code VmFlags} lines of this process's mappings of {@code path}. */
    private static List<String> vmFlagsOfMappings(Path smaps, String path) throws IOException {
        List<String> flags = new ArrayList<>();
        boolean inMapping = false;
        for (String line : Files.readAllLines(smaps)) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inMapping = line.endsWith(" " + path);
            } else if (inMapping && line.startsWith("VmFlags:")) {
                flags.add(line.substring("VmFlags:".length()).trim());
            }
        }
        return flags;
    }

    /** Bytes of {@code file} in the page cache, from util-linux's {@code fincore}; skips the test without it. */
    private static long residentBytes(Path file) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "needs util-linux's fincore: " + e.getMessage());
            throw e;
        }
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("fincore finished").isTrue();
        assertThat(p.exitValue()).as("fincore: " + out).isZero();
        return Long.parseLong(out);
    }

    private Path partitionDir(int partition) throws IOException {
        String name = String.format("p-%04d", partition);
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> Files.isDirectory(p) && p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }
}
