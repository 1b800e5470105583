package io.mnemo.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm tier on Chronicle Map files. Layout of the data directory:
 *
 * <pre>
 * FORMAT            magic, format version, partition count, sizing ({@link FormatHeader})
 * CLEAN_SHUTDOWN    present only while no process has the directory open after a clean close
 * LOCK              held (OS file lock) by the process that has the directory open
 * spaces            the space catalog ({@link SpaceCatalog})
 * p-0042/           one directory per partition that ever held data ({@link PartitionStore})
 *   records-0000.cmap, records-0001.cmap ...   record segments
 *   large-0000.cmap ...                        large-value bodies
 * </pre>
 *
 * <p><b>Crash recovery.</b> Opening deletes {@code CLEAN_SHUTDOWN}; closing writes it after every file is
 * closed. If it is missing at open, the previous process died: every file is opened with Chronicle Map's
 * {@code recoverPersistedTo(file, true)} (a plain open could wait ~60 s on a lock the dead process held),
 * then duplicates and orphaned large-value bodies are resolved by version, and {@link #recovery()} reports
 * what was found. Existing partitions are opened at start (their records are counted for exact counts and
 * quotas); partitions without files are created on first write.
 */
final class ChronicleWarmTier implements WarmTier {
    static final String CLEAN_MARKER = "CLEAN_SHUTDOWN";
    private static final Pattern PARTITION_DIR = Pattern.compile("p-(\\d{4,5})");
    /** A dropped partition's directory is renamed to its name plus this and a number, then deleted. */
    static final String DROPPED_SUFFIX = ".dropped-";
    private static final Logger LOG = LoggerFactory.getLogger(ChronicleWarmTier.class);

    private final AtomicLong dropSequence = new AtomicLong();
    private final Path dataDir;
    private final FormatHeader format;
    private final int maxSegments;
    private final AtomicReferenceArray<PartitionStore> parts;
    private final Map<String, SpaceTally> global = new ConcurrentHashMap<>();
    private final RecoveryReport recovery;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /**
     * One lock per partition, serialising its opening (and file creation) with its detaching. Per partition, not one
     * for the store: creating a partition's files takes up to seconds on a busy machine, and a joining node creates
     * dozens at once, from its partition streams and from the writes that already reach it; one store-wide lock made
     * every one of them queue behind the others (a join's first four streams waited 6.6 s for their files).
     */
    private final Object[] openLocks;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** A new node's background warm-up (done at once otherwise); close waits for it, so nothing writes here after. */
    private final Future<?> warmUp;

    private ChronicleWarmTier(Path dataDir, FormatHeader format, int maxSegments, FileChannel lockChannel, FileLock lock,
            RecoveryCollector collector) {
        this.dataDir = dataDir;
        this.format = format;
        this.maxSegments = maxSegments;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.parts = new AtomicReferenceArray<>(format.partitions());
        this.openLocks = new Object[format.partitions()];
        Arrays.setAll(openLocks, p -> new Object());
        deleteDroppedLeftovers(dataDir);
        List<Integer> existing = existingPartitions(dataDir, format.partitions());
        SegmentedMap.deleteWarmUpLeftovers(dataDir);
        // A new node: its first partition file would otherwise pay Chronicle's one-time start-up and the first file's
        // initialisation mid-stream.
        this.warmUp = existing.isEmpty()
                ? SegmentedMap.warmUpInBackground(dataDir, format.entriesPerSegment(), PartitionStore.RECORDS_AVERAGE_KEY_BYTES,
                        format.averageValueBytes())
                : CompletableFuture.completedFuture(null);
        RecoveryCollector rc = collector.unclean() ? collector : null;
        try {
            for (int p : existing) {
                parts.set(p, PartitionStore.open(dataDir, p, format, maxSegments, global, rc));
            }
        } catch (RuntimeException e) {
            closePartitions();
            throw e;
        }
        this.recovery = collector.report();
    }

    /** Opens (creating if new) the warm tier in {@code config.dataDir()}. */
    static ChronicleWarmTier open(StorageConfig config) {
        // Chronicle registers a shutdown hook when its resource releaser is first used, which may be a partition file
        // created in the background while the process is already stopping: "Shutdown in progress", and a stack trace
        // in the log of a node stopped during start-up. Initialised here, it registers while the node starts.
        BackgroundResourceReleaser.isOnBackgroundResourceReleaserThread();
        Path dir = config.dataDir();
        FileChannel ch = null;
        FileLock lock = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new StorageException(dir + " is in use by another store (LOCK is held); close it first");
            }
            FormatHeader found = FormatHeader.read(dir);
            FormatHeader format;
            if (found == null) {
                if (!existingPartitions(dir, Integer.MAX_VALUE).isEmpty()) {
                    throw new UnsupportedFormatException(dir, "partition directories without a FORMAT header; "
                            + FormatHeader.MIGRATION);
                }
                format = FormatHeader.of(config);
                format.write(dir);
                Files.writeString(dir.resolve(CLEAN_MARKER), "clean\n", StandardCharsets.UTF_8);
            } else {
                format = found;
                if (found.partitions() != config.partitions()) {
                    throw new StorageException(dir + " is organised in " + found.partitions()
                            + " partitions but the config says " + config.partitions()
                            + "; the partition count is fixed when a cluster is created");
                }
            }
            Path marker = dir.resolve(CLEAN_MARKER);
            boolean unclean = !Files.exists(marker);
            Files.deleteIfExists(marker);
            return new ChronicleWarmTier(dir, format, config.maxSegmentsPerPartition(), ch, lock, new RecoveryCollector(unclean));
        } catch (IOException e) {
            release(ch, lock);
            throw new UncheckedIOException("cannot open " + dir, e);
        } catch (RuntimeException e) {
            release(ch, lock);
            throw e;
        }
    }

    private static void release(FileChannel ch, FileLock lock) {
        try {
            if (lock != null) {
                lock.release();
            }
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // Nothing more to release; the OS drops the lock with the process anyway.
        }
    }

    private static List<Integer> existingPartitions(Path dir, int partitions) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "p-*")) {
            for (Path d : ds) {
                Matcher m = PARTITION_DIR.matcher(d.getFileName().toString());
                if (m.matches() && Files.isDirectory(d)) {
                    int p = Integer.parseInt(m.group(1));
                    if (p >= partitions) {
                        throw new StorageException(d + " is partition " + p + " but the store has " + partitions + " partitions");
                    }
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        Collections.sort(out);
        return out;
    }

    private void checkPartition(int p) {
        if (p < 0 || p >= parts.length()) {
            throw new IllegalArgumentException("partition must be in [0, " + parts.length() + "), got " + p);
        }
    }

    private PartitionStore part(int p, boolean create) {
        checkPartition(p);
        PartitionStore s = parts.get(p);
        if (s != null || !create) {
            return s;
        }
        synchronized (openLocks[p]) {
            s = parts.get(p);
            if (s == null) {
                s = PartitionStore.open(dataDir, p, format, maxSegments, global, null);
                parts.set(p, s);
            }
            return s;
        }
    }

    @Override
    public void preparePartition(int partition) {
        part(partition, true).prepare();
    }

    /** The lock that serialises opening and detaching {@code partition}; for tests. */
    Object openLock(int partition) {
        checkPartition(partition);
        return openLocks[partition];
    }

    @Override
    public int partitions() {
        return parts.length();
    }

    @Override
    public Optional<StoredRecord> read(int partition, MemoryKey key) {
        PartitionStore s = part(partition, false);
        return s == null ? Optional.empty() : s.read(key, RecordCodec.encodeKey(key));
    }

    @Override
    public Current current(int partition, MemoryKey key) {
        PartitionStore s = part(partition, false);
        byte[] k = RecordCodec.encodeKey(key);
        SegmentedMap.Hit h = s == null ? null : s.raw(k);
        if (h == null) {
            return new RawCurrent(s, k, null, null, null);
        }
        try {
            return new RawCurrent(s, k, h, RecordCodec.decodeVersion(k, key, h.value(), h.file()), null);
        } catch (CorruptionDetectedException e) {
            return new RawCurrent(s, k, h, null, e);
        }
    }

    /**
     * A key's current raw record ({@code hit}, null if absent), read by {@link #current} from partition store
     * {@code store} (null: the partition had no files yet).
     */
    private record RawCurrent(PartitionStore store, byte[] key, SegmentedMap.Hit hit, Version version,
                              CorruptionDetectedException corruption) implements Current {
        @Override
        public boolean isTombstone() {
            return version != null && RecordHeaders.kind(hit.value()) == RecordCodec.KIND_TOMBSTONE;
        }
    }

    @Override
    public void write(int partition, StoredRecord record, long quotaBytes) {
        byte[] key = RecordCodec.encodeKey(record.key());
        PartitionStore s = part(partition, false);
        write(partition, record, quotaBytes, new RawCurrent(s, key, s == null ? null : s.raw(key), null, null));
    }

    @Override
    public void write(int partition, StoredRecord record, long quotaBytes, Current current) {
        RawCurrent cur = (RawCurrent) current;
        byte[] key = cur.key();
        byte[] encoded = RecordCodec.encode(key, record);
        PartitionStore s = part(partition, true);
        // The partition was opened by this write: nothing was there to replace.
        SegmentedMap.Hit old = s == cur.store() ? cur.hit() : null;
        String space = record.key().space();
        if (quotaBytes > 0) {
            long delta = s.sizeOf(key, encoded) - PartitionStore.storedSize(key, old);
            SpaceTally t = global.get(space);
            long used = t == null ? 0 : t.bytes.get();
            if (delta > 0 && used + delta > quotaBytes) {
                throw new QuotaExceededException("space '" + space + "' quota of " + quotaBytes + " bytes would be exceeded: "
                        + used + " bytes stored, this write adds " + delta + "; remove memories or raise the quota");
            }
        }
        s.write(space, key, record, encoded, old);
    }

    @Override
    public boolean delete(int partition, MemoryKey key) {
        PartitionStore s = part(partition, false);
        return s != null && s.delete(key.space(), RecordCodec.encodeKey(key));
    }

    @Override
    public List<byte[]> keys(int partition, String space) {
        PartitionStore s = part(partition, false);
        return s == null ? List.of() : s.keys(space == null ? null : space.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public List<MemoryKey> tombstonesBefore(int partition, long cutoffMillis) {
        PartitionStore s = part(partition, false);
        if (s == null) {
            return List.of();
        }
        List<MemoryKey> out = new ArrayList<>();
        for (byte[] k : s.tombstonesBefore(cutoffMillis)) {
            MemoryKey mk = RecordCodec.decodeKey(k);
            if (mk != null) {
                out.add(mk);
            }
        }
        return out;
    }

    @Override
    public SortedSet<Integer> partitionsWithData() {
        SortedSet<Integer> out = new TreeSet<>();
        for (int p = 0; p < parts.length(); p++) {
            if (parts.get(p) != null) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public Runnable detachPartition(int partition) {
        checkPartition(partition);
        PartitionStore s;
        synchronized (openLocks[partition]) {
            s = parts.getAndSet(partition, null);
        }
        if (s == null) {
            return () -> { };
        }
        for (Map.Entry<String, SpaceTally> e : s.tallies().entrySet()) {
            SpaceTally t = e.getValue();
            global.computeIfAbsent(e.getKey(), k -> new SpaceTally())
                    .add(-t.live.get(), -t.tombstones.get(), -t.bytes.get(), -t.largeValues.get());
        }
        Path dropped = dataDir.resolve(s.dir.getFileName() + DROPPED_SUFFIX + dropSequence.incrementAndGet());
        try {
            Files.move(s.dir, dropped, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // Unexpected within one directory: delete it in place, while the caller still excludes everyone.
            LOG.warn("cannot move {} aside to drop it; deleting it in place", s.dir, e);
            s.close();
            Files2.deleteRecursively(s.dir);
            return () -> { };
        }
        return () -> {
            s.close();
            Files2.deleteRecursively(dropped);
        };
    }

    /** Deletes the directories of partitions dropped by a process that died before deleting them. */
    private static void deleteDroppedLeftovers(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "p-*" + DROPPED_SUFFIX + "*")) {
            for (Path d : ds) {
                LOG.info("deleting {}, a partition dropped before the last stop", d);
                Files2.deleteRecursively(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @Override
    public Map<String, SpaceTally> tallies() {
        return Collections.unmodifiableMap(global);
    }

    @Override
    public Map<String, SpaceTally> tallies(int partition) {
        checkPartition(partition);
        PartitionStore s = parts.get(partition);
        return s == null ? Map.of() : Collections.unmodifiableMap(s.tallies());
    }

    @Override
    public Sizes sizes() {
        long file = 0;
        long used = 0;
        int open = 0;
        int segs = 0;
        for (int p = 0; p < parts.length(); p++) {
            PartitionStore s = parts.get(p);
            if (s != null) {
                open++;
                file += s.fileBytes();
                used += s.usedBytes();
                segs += s.segmentFiles();
            }
        }
        return new Sizes(file, used, open, segs);
    }

    @Override
    public RecoveryReport recovery() {
        return recovery;
    }

    private void closePartitions() {
        for (int p = 0; p < parts.length(); p++) {
            PartitionStore s = parts.getAndSet(p, null);
            if (s != null) {
                s.close();
            }
        }
    }

    /** Waits for the warm-up (it never fails; see SegmentedMap.warmUpInBackground), keeping an interrupt for later. */
    private void awaitWarmUp() {
        boolean interrupted = false;
        while (true) {
            try {
                warmUp.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            awaitWarmUp();
            closePartitions();
            Files.writeString(dataDir.resolve(CLEAN_MARKER), "clean\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the clean-shutdown marker in " + dataDir, e);
        } finally {
            release(lockChannel, lock);
        }
    }
}
