package io.mnemo.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.MapEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical byte map of a partition, stored in one or more Chronicle Map segment files
 * ({@code <prefix>0000.cmap}, {@code <prefix>0001.cmap}, ...), all sized alike.
 *
 * <p><b>Capacity.</b> Chronicle Map grows past its sized capacity by adding segment tiers and throws
 * {@link IllegalStateException} when the allowed tiers run out. This class never lets it get there: a new
 * key goes to the first segment with room (fewer than {@code entries} entries and at least
 * {@link #TIER_RESERVE} tier additions left), so space freed by removals in older segments is reused first;
 * if none has room it rolls over to a new segment file; past {@code maxSegments} it refuses the write with
 * {@link QuotaExceededException} naming the limit. An update of an existing key stays in its segment while
 * that segment has a tier addition left, else it moves to a segment with room (new copy first, then the old
 * one removed).
 *
 * <p><b>Invariant:</b> at runtime a key is in at most one segment. A crash while moving a key can leave it
 * in two; {@link #resolveDuplicates} runs in recovery and keeps the newer version.
 *
 * <p><b>Interrupts.</b> Chronicle Map creates, recovers and grows its files through interruptible
 * {@code FileChannel}s: an interrupt on the calling thread closes the channel mid-operation and leaves a
 * half-written file that no later open can read, which would break the partition for every later writer.
 * So files are opened and created on engine-owned {@code mnemo-storage-opener} threads (the caller waits
 * uninterruptibly and keeps its interrupt status), a file whose creation failed is deleted so the next
 * attempt starts clean, and puts run with the caller's interrupt flag cleared and restored afterwards.
 *
 * <p>Thread-safe: Chronicle Map locks its own segments; the segment list is copy-on-write and grows under
 * this object's monitor. Writers of one key must be serialised by the caller (the store's key stripes).
 */
final class SegmentedMap implements AutoCloseable {
    /** Tier additions a segment keeps for updates of the keys it holds. */
    static final int TIER_RESERVE = 2;
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedMap.class);
    private static final double MAX_BLOAT = 4.0;
    /** A file open at least this slow is logged, with the time its creation took. */
    private static final long SLOW_OPEN_MS = 1_000;
    private static final ExecutorService OPENER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mnemo-storage-opener");
        t.setDaemon(true);
        return t;
    });

    /** The name of the warm-up file in a data directory (never listed as a partition: those are {@code p-*}). */
    static final String WARM_UP_PREFIX = "warm-up-";
    /** Larger captures are not kept: a file system that reports no holes would make every file a full copy. */
    private static final long MAX_IMAGE_BYTES = 16L << 20;
    /** Empty files by shape, captured from the first file Chronicle Map made in this process; see createAtomically. */
    private static final ConcurrentHashMap<Shape, ImageSlot> EMPTY_FILES = new ConcurrentHashMap<>();

    /** What makes two empty map files the same bytes: the builder's settings, all but the name (not stored). */
    private record Shape(int entries, double averageKeyBytes, int averageValueBytes) {
    }

    /**
     * The captured empty file of one shape: null until the first file of the shape is made and captured (under this
     * slot's monitor, which the shape's other creations wait on), then the capture, or empty if capturing failed.
     */
    private static final class ImageSlot {
        volatile Optional<EmptyFileImage> image;
    }

    private final Path dir;
    private final String prefix;
    private final int entries;
    private final double averageKeyBytes;
    private final int averageValueBytes;
    private final int maxSegments;
    private final CopyOnWriteArrayList<Segment> segments = new CopyOnWriteArrayList<>();

    private SegmentedMap(Path dir, String prefix, int entries, double averageKeyBytes, int averageValueBytes, int maxSegments) {
        this.dir = dir;
        this.prefix = prefix;
        this.entries = entries;
        this.averageKeyBytes = averageKeyBytes;
        this.averageValueBytes = averageValueBytes;
        this.maxSegments = maxSegments;
    }

    /**
     * Opens the segments of {@code prefix} in {@code dir} (none is created until the first write). With
     * {@code recovery} non-null every file goes through Chronicle Map's recovery, which reports to it.
     */
    static SegmentedMap open(Path dir, String prefix, int entries, double averageKeyBytes, int averageValueBytes,
            int maxSegments, RecoveryCollector recovery) {
        SegmentedMap m = new SegmentedMap(dir, prefix, entries, averageKeyBytes, averageValueBytes, maxSegments);
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "[0-9][0-9][0-9][0-9].cmap")) {
            for (Path f : ds) {
                files.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        files.sort(null);
        try {
            for (int i = 0; i < files.size(); i++) {
                Path expected = m.fileOf(i);
                if (!files.get(i).equals(expected)) {
                    throw new StorageException("segment files of " + dir + " are not numbered 0.." + (files.size() - 1)
                            + ": expected " + expected.getFileName() + ", found " + files.get(i).getFileName());
                }
                m.segments.add(m.openSegment(i, recovery));
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * Creates, uses and deletes one map file of the given shape in {@code dir} on an opener thread, in the background,
     * so the node's first real file pays neither Chronicle Map's one-time start-up (loading and initialising its
     * classes) nor, for this shape, Chronicle Map's initialisation of a new file: the warm-up file is the shape's
     * first, so it is the one captured ({@link #createAtomically}), and every partition file of the shape is then
     * written from the capture. A joining node used to make that first file, about a second of CPU on a loaded
     * machine, in the first seconds of its move, while the old owners' streams and the clients' calls wanted the same
     * cores. (The start-up once included generating and compiling Chronicle's header class with javac, 10-17 s; the
     * class now comes compiled with the node, {@link ChronicleValueSources}.) Never fails: an error is logged and the
     * first real file pays the cost. A file left by a process killed during the warm-up is deleted by the next
     * {@link #deleteWarmUpLeftovers}. The returned future completes when the warm-up has finished and deleted its file.
     */
    static Future<?> warmUpInBackground(Path dir, int entries, double averageKeyBytes, int averageValueBytes) {
        return OPENER.submit(() -> {
            SegmentedMap m = new SegmentedMap(dir, WARM_UP_PREFIX, entries, averageKeyBytes, averageValueBytes, 1);
            Path f = m.fileOf(0);
            long start = System.nanoTime();
            try {
                Files.deleteIfExists(f);
                m.createAtomically(f);
                try (ChronicleMap<byte[], byte[]> map = m.builder().createPersistedTo(f.toFile())) {
                    map.put(new byte[] {1}, new byte[] {2});
                    map.get(new byte[] {1});
                }
                LOG.info("Chronicle Map warmed up in {} ms (an empty file of {} entries captured: {})",
                        (System.nanoTime() - start) / 1_000_000, entries,
                        hasEmptyFileImage(entries, averageKeyBytes, averageValueBytes));
            } catch (IOException | RuntimeException e) {
                LOG.info("Chronicle Map warm-up failed (the first partition file will take longer to create): {}",
                        e.toString());
            } finally {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // Deleted by the next start's deleteWarmUpLeftovers.
                }
            }
        });
    }

    /** Deletes a warm-up file (and its temporary name) that a process killed during its warm-up left in {@code dir}. */
    static void deleteWarmUpLeftovers(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, WARM_UP_PREFIX + "*")) {
            for (Path f : ds) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete warm-up leftovers in " + dir, e);
        }
    }

    private Path fileOf(int index) {
        return dir.resolve(String.format("%s%04d.cmap", prefix, index));
    }

    private ChronicleMapBuilder<byte[], byte[]> builder() {
        return builder(dir.getFileName() + "/" + prefix, entries, averageKeyBytes, averageValueBytes);
    }

    /** The settings of every segment file (package-private for tests that make a file the way Chronicle Map does). */
    static ChronicleMapBuilder<byte[], byte[]> builder(String name, int entries, double averageKeyBytes,
                                                      int averageValueBytes) {
        return ChronicleMap.of(byte[].class, byte[].class)
                .name(name)
                .entries(entries)
                .averageKeySize(averageKeyBytes)
                .averageValueSize(averageValueBytes)
                .maxBloatFactor(MAX_BLOAT)
                // Sparse: Chronicle Map would otherwise fallocate every segment file to its full sized capacity at
                // creation (about 3 GB per node for 64 partitions of 10K entries), so a node's disk use would follow
                // its configured capacity instead of its data. The price: a full disk surfaces when a page is first
                // written, not when the file is created; keep free disk above the data size (see README).
                .sparseFile(true);
    }

    /** True once an empty file of these settings was captured, so the next ones are written from it (for tests). */
    static boolean hasEmptyFileImage(int entries, double averageKeyBytes, int averageValueBytes) {
        ImageSlot slot = EMPTY_FILES.get(new Shape(entries, averageKeyBytes, averageValueBytes));
        Optional<EmptyFileImage> image = slot == null ? null : slot.image;
        return image != null && image.isPresent();
    }

    private Segment openSegment(int index, RecoveryCollector recovery) {
        Path f = fileOf(index);
        boolean existed = Files.exists(f);
        long startNs = System.nanoTime();
        long[] createdNs = {startNs};
        try {
            ChronicleMap<byte[], byte[]> map = offCallerThread(() -> {
                if (recovery != null && existed) {
                    ChronicleMap<byte[], byte[]> m = builder().recoverPersistedTo(f.toFile(), true,
                            c -> recovery.chronicleCorruption(f + " segment " + c.segmentIndex() + ": " + c.message()));
                    recovery.fileRecovered();
                    return m;
                }
                if (!existed) {
                    createAtomically(f);
                    createdNs[0] = System.nanoTime();
                }
                return builder().createPersistedTo(f.toFile());
            });
            Segment s = new Segment(f, map);
            s.adviseRandom();
            long totalMs = (System.nanoTime() - startNs) / 1_000_000;
            if (totalMs >= SLOW_OPEN_MS) {
                LOG.info("opening {} took {} ms ({})", f, totalMs,
                        existed ? "an existing file" : "creating it took " + (createdNs[0] - startNs) / 1_000_000 + " ms");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            if (!existed) {
                deleteQuietly(f, e);
            }
            throw new StorageException("cannot open warm-tier file " + f + ": " + e, e);
        }
    }

    /**
     * Creates the map file {@code f} under a temporary name and renames it into place once Chronicle Map has
     * initialised it, so {@code f} exists only complete. A process killed while Chronicle Map created a file in place
     * left a file whose header never became ready, and the next open of it waited a minute for that header before
     * recovering it (seen as a 60 s restart after a {@code kill -9} during the first partition preparations). A
     * leftover temporary file of an earlier attempt is deleted first; the directory glob never lists one.
     *
     * <p>Only the first file of each {@link Shape} in this process is initialised by Chronicle Map; it is captured
     * ({@link EmptyFileImage}) and every later one is written from the capture, a few KB and a hole.
     */
    private void createAtomically(Path f) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".creating");
        Files.deleteIfExists(tmp);
        try {
            ImageSlot slot = EMPTY_FILES.computeIfAbsent(new Shape(entries, averageKeyBytes, averageValueBytes),
                    k -> new ImageSlot());
            Optional<EmptyFileImage> image = slot.image;
            boolean made = false;
            if (image == null) {
                // The first file of a shape: made by Chronicle Map and captured, while the others of the same shape
                // wait (a joining node asks for dozens at once, and each would otherwise be initialised in full).
                synchronized (slot) {
                    image = slot.image;
                    if (image == null) {
                        createWithChronicleMap(tmp);
                        made = true;
                        image = Optional.ofNullable(EmptyFileImage.capture(tmp, MAX_IMAGE_BYTES));
                        slot.image = image;
                    }
                }
            }
            if (!made && image.isPresent()) {
                image.get().writeTo(tmp);
            } else if (!made) {
                createWithChronicleMap(tmp);
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    private void createWithChronicleMap(Path tmp) throws IOException {
        builder().createPersistedTo(tmp.toFile()).close();
        // Initialising the file read each segment's first tier, and read-around filled the page cache with zero pages
        // of its holes (see MappedFileAdvice): give them back before the kernel evicts live pages instead.
        MappedFileAdvice.dropCache(tmp);
    }

    /** Runs {@code task} on an opener thread and waits for it without being interruptible; see the class comment. */
    private static <T> T offCallerThread(Callable<T> task) throws IOException {
        Future<T> f = OPENER.submit(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io;
                    }
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IOException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteQuietly(Path f, Exception cause) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Makes sure the first segment file exists and touches its segment headers from the calling thread, so a
     * partition's first write does not pay for file creation and, under NUMA pinning, the pages are first
     * faulted in by the thread pool that will serve the partition. Returns the segment count.
     */
    int prepare() {
        if (segments.isEmpty()) {
            synchronized (this) {
                if (segments.isEmpty()) {
                    segments.add(openSegment(0, null));
                }
            }
        }
        for (Segment s : segments) {
            s.map.segmentStats();
        }
        return segments.size();
    }

    /** The value of {@code key} and the file it is in, or null. */
    Hit get(byte[] key) {
        for (Segment s : segments) {
            byte[] v = s.map.get(key);
            if (v != null) {
                return new Hit(v, s.file);
            }
        }
        return null;
    }

    /** Puts {@code key}; see the class comment for where it goes. */
    void put(byte[] key, byte[] value) {
        Segment holder = null;
        for (Segment s : segments) {
            if (s.map.containsKey(key)) {
                holder = s;
                break;
            }
        }
        if (holder != null && holder.map.remainingAutoResizes() >= 1) {
            putInto(holder, key, value);
            return;
        }
        Segment target = segmentWithRoom(holder);
        putInto(target, key, value);
        if (holder != null) {
            holder.map.remove(key);
        }
    }

    private void putInto(Segment s, byte[] key, byte[] value) {
        boolean interrupted = Thread.interrupted();
        try {
            s.map.put(key, value);
            if (s.map.remainingAutoResizes() != s.advisedResizes) {
                s.adviseRandom(); // the put added a tier: Chronicle Map mapped it as a new region of the file
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Only reachable if one entry needs more than the reserved tiers, or is larger than a segment.
            throw new QuotaExceededException("cannot store a " + value.length + "-byte value in " + s.file
                    + " (sized for " + entries + " entries of " + averageValueBytes + " bytes): " + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Segment segmentWithRoom(Segment exclude) {
        for (Segment s : segments) {
            if (s != exclude && hasRoom(s)) {
                return s;
            }
        }
        synchronized (this) {
            for (Segment s : segments) {
                if (s != exclude && hasRoom(s)) {
                    return s;
                }
            }
            if (segments.size() >= maxSegments) {
                throw new QuotaExceededException(dir + " is full: " + segments.size() + " " + prefix + " segment files of "
                        + entries + " entries each reached maxSegmentsPerPartition=" + maxSegments
                        + "; remove memories, raise maxSegmentsPerPartition or add nodes");
            }
            Segment s = openSegment(segments.size(), null);
            segments.add(s);
            return s;
        }
    }

    private boolean hasRoom(Segment s) {
        return s.map.size() < entries && s.map.remainingAutoResizes() >= TIER_RESERVE;
    }

    /** Removes {@code key} from every segment; true if it was present. */
    boolean remove(byte[] key) {
        boolean removed = false;
        for (Segment s : segments) {
            removed |= s.map.remove(key) != null;
        }
        return removed;
    }

    /** Visits every entry: its key, up to the first {@code headerBytes} bytes of its value, and the value's size. */
    void forEach(int headerBytes, EntryVisitor visitor) {
        for (Segment s : segments) {
            s.map.forEachEntry(e -> visit(e, headerBytes, visitor, s.file));
        }
    }

    private static void visit(MapEntry<byte[], byte[]> e, int headerBytes, EntryVisitor visitor, Path file) {
        Data<byte[]> k = e.key();
        byte[] key = new byte[Math.toIntExact(k.size())];
        k.bytes().read(k.offset(), key, 0, key.length);
        Data<byte[]> v = e.value();
        int n = (int) Math.min(headerBytes, v.size());
        byte[] head = new byte[n];
        v.bytes().read(v.offset(), head, 0, n);
        visitor.visit(key, head, v.size(), file);
    }

    /**
     * Recovery: removes every key that is in two segments, keeping the newer version (by the version in the
     * record header; on a tie the later segment's copy, which is the one a move wrote first).
     */
    void resolveDuplicates(RecoveryCollector recovery) {
        if (segments.size() < 2) {
            return;
        }
        Map<ByteBuffer, Integer> seen = new HashMap<>();
        for (int i = segments.size() - 1; i >= 0; i--) {
            Segment s = segments.get(i);
            List<byte[]> older = new ArrayList<>();
            int index = i;
            s.map.forEachEntry(e -> {
                Data<byte[]> k = e.key();
                byte[] key = new byte[Math.toIntExact(k.size())];
                k.bytes().read(k.offset(), key, 0, key.length);
                if (seen.putIfAbsent(ByteBuffer.wrap(key), index) != null) {
                    older.add(key);
                }
            });
            for (byte[] key : older) {
                Segment newer = segments.get(seen.get(ByteBuffer.wrap(key)));
                byte[] a = s.map.get(key);
                byte[] b = newer.map.get(key);
                if (b != null && a != null && RecordHeaders.compareVersions(a, b) > 0) {
                    newer.map.put(key, a);
                }
                s.map.remove(key);
                recovery.duplicateResolved("key in two segments " + s.file.getFileName() + " and "
                        + newer.file.getFileName() + " of " + dir + ": kept the newer version");
            }
        }
    }

    long size() {
        long n = 0;
        for (Segment s : segments) {
            n += s.map.longSize();
        }
        return n;
    }

    int segmentCount() {
        return segments.size();
    }

    long fileBytes() {
        long n = 0;
        for (Segment s : segments) {
            n += s.file.toFile().length();
        }
        return n;
    }

    /**
     * Bytes of entry space in use, summed from Chronicle Map's per-segment statistics (allocated chunks times
     * chunk size), so it is exact at every fill level, unlike {@code percentageFreeSpace()}'s whole percent.
     */
    long usedBytes() {
        long n = 0;
        for (Segment s : segments) {
            for (ChronicleMap.SegmentStats st : s.map.segmentStats()) {
                n += st.usedBytes();
            }
        }
        return n;
    }

    /** The first segment file, for error messages about a key not found in any. */
    Path firstFile() {
        return fileOf(0);
    }

    @Override
    public void close() {
        for (Segment s : segments) {
            s.map.close();
        }
    }

    /** Receives the entries of {@link #forEach}. */
    @FunctionalInterface
    interface EntryVisitor {
        void visit(byte[] key, byte[] valueHead, long valueSize, Path file);
    }

    /** A value and the file it was read from. */
    record Hit(byte[] value, Path file) {
    }

    /** One segment file and its map. */
    private static final class Segment {
        final Path file;
        final ChronicleMap<byte[], byte[]> map;
        /** {@code remainingAutoResizes()} when the file's mappings were last advised; a new tier is a new mapping. */
        volatile long advisedResizes = -1;

        Segment(Path file, ChronicleMap<byte[], byte[]> map) {
            this.file = file;
            this.map = map;
        }

        /** Marks the file's mappings for random access ({@link MappedFileAdvice#adviseRandom}). */
        synchronized void adviseRandom() {
            long resizes = map.remainingAutoResizes();
            if (resizes != advisedResizes) {
                MappedFileAdvice.adviseRandom(file);
                advisedResizes = resizes;
            }
        }
    }
}
