package io.mnemo.node.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The warm-tier files of one partition, in their own directory {@code p-NNNN/}: the record segments
 * ({@code records-NNNN.cmap}) and, created on first need, the large-value segments ({@code large-NNNN.cmap}).
 * A partition can be streamed or dropped without touching any other.
 *
 * <p><b>Large values.</b> A record whose encoding exceeds the large-value threshold is stored as its full
 * encoding in a large-value segment under {@code key ++ version}, and the record segment holds a small
 * pointer naming that version, the body's length and its CRC. A write puts the new body first, then the
 * pointer, then removes the old body: after a crash between any two steps the pointer names exactly one
 * complete body, and recovery removes bodies no pointer names (resolution by version).
 *
 * <p>Thread-safe for different keys; writers of one key are serialised by the caller.
 */
final class PartitionStore implements AutoCloseable {
    private static final String RECORDS = "records-";
    /** The average key size the records maps are sized for (one of the settings of their files). */
    static final double RECORDS_AVERAGE_KEY_BYTES = 48;
    private static final String LARGE = "large-";
    private static final int HEAD = RecordCodec.HEADER_BYTES + 4;

    final int partition;
    final Path dir;
    private final FormatHeader format;
    private final int maxSegments;
    private final SegmentedMap records;
    private volatile SegmentedMap large;
    /** Per-space tallies of this partition; mirrored into {@code global} on every change. */
    private final Map<String, SpaceTally> tallies = new ConcurrentHashMap<>();
    private final Map<String, SpaceTally> global;

    private PartitionStore(int partition, Path dir, FormatHeader format, int maxSegments, SegmentedMap records,
            SegmentedMap large, Map<String, SpaceTally> global) {
        this.partition = partition;
        this.dir = dir;
        this.format = format;
        this.maxSegments = maxSegments;
        this.records = records;
        this.large = large;
        this.global = global;
    }

    static String dirName(int partition) {
        return String.format("p-%04d", partition);
    }

    /** Opens (creating the directory if needed) partition {@code partition}; counts its records into the tallies. */
    static PartitionStore open(Path dataDir, int partition, FormatHeader format, int maxSegments,
            Map<String, SpaceTally> global, RecoveryCollector recovery) {
        Path dir = dataDir.resolve(dirName(partition));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        SegmentedMap records = SegmentedMap.open(dir, RECORDS, format.entriesPerSegment(), RECORDS_AVERAGE_KEY_BYTES,
                format.averageValueBytes(), maxSegments, recovery);
        SegmentedMap large = null;
        try {
            if (Files.exists(dir.resolve(LARGE + "0000.cmap"))) {
                large = openLarge(dir, format, maxSegments, recovery);
            }
            PartitionStore p = new PartitionStore(partition, dir, format, maxSegments, records, large, global);
            if (recovery != null) {
                records.resolveDuplicates(recovery);
                p.removeOrphanBodies(recovery);
            }
            p.countAll();
            return p;
        } catch (RuntimeException e) {
            records.close();
            if (large != null) {
                large.close();
            }
            throw e;
        }
    }

    private static SegmentedMap openLarge(Path dir, FormatHeader format, int maxSegments, RecoveryCollector recovery) {
        return SegmentedMap.open(dir, LARGE, format.largeEntriesPerSegment(), 60, format.largeAverageValueBytes(),
                maxSegments, recovery);
    }

    private SegmentedMap large() {
        SegmentedMap l = large;
        if (l == null) {
            synchronized (this) {
                l = large;
                if (l == null) {
                    l = openLarge(dir, format, maxSegments, null);
                    large = l;
                }
            }
        }
        return l;
    }

    private void removeOrphanBodies(RecoveryCollector recovery) {
        SegmentedMap l = large;
        if (l == null) {
            return;
        }
        List<byte[]> orphans = new ArrayList<>();
        l.forEach(0, (key, head, size, file) -> {
            byte[] recordKey = RecordCodec.recordKeyOfLargeKey(key);
            Version v = RecordCodec.versionOfLargeKey(key);
            SegmentedMap.Hit h = records.get(recordKey);
            if (h == null || RecordHeaders.kind(h.value()) != RecordCodec.KIND_LARGE
                    || RecordHeaders.hlc(h.value()) != v.hlc() || RecordHeaders.nodeId(h.value()) != v.nodeId()) {
                orphans.add(key);
            }
        });
        for (byte[] key : orphans) {
            l.remove(key);
            MemoryKey mk = RecordCodec.decodeKey(RecordCodec.recordKeyOfLargeKey(key));
            recovery.orphanRemoved("large-value body of " + (mk == null ? "?" : mk.space() + "/" + mk.id()) + " version "
                    + RecordCodec.versionOfLargeKey(key) + " in " + dir + " had no record pointing to it");
        }
    }

    private void countAll() {
        records.forEach(HEAD, (key, head, size, file) -> {
            int sep = RecordCodec.spaceLength(key);
            String space = sep <= 0 ? "?" : new String(key, 0, sep, StandardCharsets.UTF_8);
            byte kind = RecordHeaders.kind(head);
            long bytes = key.length + size;
            if (kind == RecordCodec.KIND_LARGE) {
                bytes += key.length + RecordCodec.LARGE_KEY_SUFFIX + RecordHeaders.pointerBodyLength(head);
            }
            adjust(space, kind == RecordCodec.KIND_TOMBSTONE ? 0 : 1, kind == RecordCodec.KIND_TOMBSTONE ? 1 : 0, bytes,
                    kind == RecordCodec.KIND_LARGE ? 1 : 0);
        });
    }

    private void adjust(String space, long dLive, long dTomb, long dBytes, long dLarge) {
        tallies.computeIfAbsent(space, s -> new SpaceTally()).add(dLive, dTomb, dBytes, dLarge);
        global.computeIfAbsent(space, s -> new SpaceTally()).add(dLive, dTomb, dBytes, dLarge);
    }

    /** Creates the partition's first records file if needed and touches its pages; see {@link SegmentedMap#prepare()}. */
    void prepare() {
        records.prepare();
    }

    /** Reads and checks the record of {@code key}; empty if absent. */
    Optional<StoredRecord> read(MemoryKey mk, byte[] key) {
        SegmentedMap.Hit h = records.get(key);
        if (h == null) {
            return Optional.empty();
        }
        RecordCodec.Decoded d = RecordCodec.decode(key, mk, h.value(), h.file());
        if (!d.isPointer()) {
            return Optional.of(d.record());
        }
        String name = mk.space() + "/" + mk.id();
        SegmentedMap l = large;
        SegmentedMap.Hit body = l == null ? null : l.get(RecordCodec.largeKey(key, d.bodyVersion()));
        if (body == null) {
            throw new CorruptionDetectedException(l == null ? dir : l.firstFile(), name,
                    Integer.toUnsignedLong(d.bodyCrc()), 0, "large-value body of version " + d.bodyVersion() + " is missing");
        }
        int actualCrc = RecordCodec.storedCrc(body.value());
        if (actualCrc != d.bodyCrc() || body.value().length != d.bodyLength()) {
            throw new CorruptionDetectedException(body.file(), name, Integer.toUnsignedLong(d.bodyCrc()),
                    Integer.toUnsignedLong(actualCrc), "large-value body does not match its pointer");
        }
        RecordCodec.Decoded b = RecordCodec.decode(key, mk, body.value(), body.file());
        if (b.isPointer() || !b.record().version().equals(d.bodyVersion())) {
            throw new CorruptionDetectedException(body.file(), name, Integer.toUnsignedLong(d.bodyCrc()),
                    Integer.toUnsignedLong(actualCrc), "large-value body holds another version");
        }
        return Optional.of(b.record());
    }

    /** The raw, unchecked current record of {@code key}; null if absent. */
    SegmentedMap.Hit raw(byte[] key) {
        return records.get(key);
    }

    /** The stored size of a record (key and value, plus its large body), from its raw bytes; 0 if absent. */
    static long storedSize(byte[] key, SegmentedMap.Hit h) {
        if (h == null) {
            return 0;
        }
        long n = key.length + h.value().length;
        if (RecordHeaders.kind(h.value()) == RecordCodec.KIND_LARGE) {
            n += key.length + RecordCodec.LARGE_KEY_SUFFIX + RecordHeaders.pointerBodyLength(h.value());
        }
        return n;
    }

    /** The stored size {@code record} would take. */
    long sizeOf(byte[] key, byte[] encoded) {
        if (encoded.length > format.largeValueThresholdBytes()) {
            return key.length + RecordCodec.HEADER_BYTES + 8 + RecordCodec.CRC_BYTES + key.length + RecordCodec.LARGE_KEY_SUFFIX
                    + encoded.length;
        }
        return key.length + encoded.length;
    }

    /**
     * Writes {@code encoded} (the full encoding of {@code record}) for {@code key}, replacing {@code old}, the key's
     * current raw record (null if absent), which the caller read under the key's stripe.
     *
     * @return the change of the partition's stored bytes
     */
    long write(String space, byte[] key, StoredRecord record, byte[] encoded, SegmentedMap.Hit old) {
        boolean large = encoded.length > format.largeValueThresholdBytes();
        byte[] stored;
        if (large) {
            large().put(RecordCodec.largeKey(key, record.version()), encoded);
            stored = RecordCodec.encodePointer(key, record.version(), encoded.length, RecordCodec.storedCrc(encoded));
        } else {
            stored = encoded;
        }
        try {
            records.put(key, stored);
        } catch (RuntimeException e) {
            if (large && (old == null || RecordHeaders.kind(old.value()) != RecordCodec.KIND_LARGE
                    || RecordHeaders.hlc(old.value()) != record.version().hlc()
                    || RecordHeaders.nodeId(old.value()) != record.version().nodeId())) {
                large().remove(RecordCodec.largeKey(key, record.version()));
            }
            throw e;
        }
        if (old != null && RecordHeaders.kind(old.value()) == RecordCodec.KIND_LARGE) {
            Version oldV = new Version(RecordHeaders.hlc(old.value()), RecordHeaders.nodeId(old.value()));
            if (!(large && oldV.equals(record.version()))) {
                large().remove(RecordCodec.largeKey(key, oldV));
            }
        }
        long oldSize = storedSize(key, old);
        long newSize = large ? key.length + stored.length + key.length + RecordCodec.LARGE_KEY_SUFFIX + encoded.length
                : key.length + stored.length;
        byte oldKind = old == null ? 0 : RecordHeaders.kind(old.value());
        long dLive = (record.isTombstone() ? 0 : 1) - (old != null && oldKind != RecordCodec.KIND_TOMBSTONE ? 1 : 0);
        long dTomb = (record.isTombstone() ? 1 : 0) - (oldKind == RecordCodec.KIND_TOMBSTONE ? 1 : 0);
        long dLarge = (large ? 1 : 0) - (oldKind == RecordCodec.KIND_LARGE ? 1 : 0);
        adjust(space, dLive, dTomb, newSize - oldSize, dLarge);
        return newSize - oldSize;
    }

    /** Physically removes {@code key} (garbage collection, space drop); true if it was present. */
    boolean delete(String space, byte[] key) {
        SegmentedMap.Hit old = records.get(key);
        if (old == null) {
            return false;
        }
        records.remove(key);
        byte kind = RecordHeaders.kind(old.value());
        if (kind == RecordCodec.KIND_LARGE) {
            large().remove(RecordCodec.largeKey(key, new Version(RecordHeaders.hlc(old.value()), RecordHeaders.nodeId(old.value()))));
        }
        adjust(space, kind == RecordCodec.KIND_TOMBSTONE ? 0 : -1, kind == RecordCodec.KIND_TOMBSTONE ? -1 : 0,
                -storedSize(key, old), kind == RecordCodec.KIND_LARGE ? -1 : 0);
        return true;
    }

    /** A header of the current raw record of {@code key} (kind and version, unchecked), or null. */
    byte[] rawHead(byte[] key) {
        SegmentedMap.Hit h = records.get(key);
        return h == null ? null : h.value();
    }

    /** The keys of this partition (of {@code spaceUtf8} if non-null), sorted by unsigned bytes. */
    List<byte[]> keys(byte[] spaceUtf8) {
        List<byte[]> out = new ArrayList<>();
        records.forEach(0, (key, head, size, file) -> {
            if (spaceUtf8 == null || RecordCodec.inSpace(key, spaceUtf8)) {
                out.add(key);
            }
        });
        out.sort(Arrays::compareUnsigned);
        return out;
    }

    /**
     * Keys whose record is a tombstone stamped before {@code cutoffMillis}. A partition whose tallies count no
     * tombstone (they are exact: counted at open and kept by every write) answers without reading its files, so
     * the periodic collection costs nothing where nothing was removed.
     */
    List<byte[]> tombstonesBefore(long cutoffMillis) {
        if (tallies.values().stream().mapToLong(t -> t.tombstones.get()).sum() == 0) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>();
        records.forEach(HEAD, (key, head, size, file) -> {
            if (RecordHeaders.kind(head) == RecordCodec.KIND_TOMBSTONE
                    && HybridClock.physicalMillis(RecordHeaders.hlc(head)) < cutoffMillis) {
                out.add(key);
            }
        });
        return out;
    }

    Map<String, SpaceTally> tallies() {
        return tallies;
    }

    long fileBytes() {
        SegmentedMap l = large;
        return records.fileBytes() + (l == null ? 0 : l.fileBytes());
    }

    long usedBytes() {
        SegmentedMap l = large;
        return records.usedBytes() + (l == null ? 0 : l.usedBytes());
    }

    int segmentFiles() {
        SegmentedMap l = large;
        return records.segmentCount() + (l == null ? 0 : l.segmentCount());
    }

    @Override
    public void close() {
        records.close();
        SegmentedMap l = large;
        if (l != null) {
            l.close();
        }
    }
}
