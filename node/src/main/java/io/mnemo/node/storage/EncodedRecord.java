package io.mnemo.node.storage;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One record in the warm tier's own encoding ({@link RecordCodec}, format version 1): the key bytes and the record
 * bytes whose CRC32C covers both. Partition streaming passes records between nodes in this form, so a record is
 * checked once by its CRC on arrival instead of being converted to and from a wire message at each hop. A large
 * record is always encoded whole (never as a pointer to a large-value file, which only means something in the
 * store that wrote it).
 *
 * <p>The arrays are shared, not copied (a record read from a store passes its bytes on as they are): never modify
 * them.
 *
 * @param key    {@code utf8(space) 0x00 utf8(id)}
 * @param record the encoded record, CRC last
 */
public record EncodedRecord(byte[] key, byte[] record) {
    public EncodedRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(record, "record");
    }

    /** Encodes {@code r} (live or tombstone). */
    public static EncodedRecord of(StoredRecord r) {
        byte[] key = RecordCodec.encodeKey(r.key());
        return new EncodedRecord(key, RecordCodec.encode(key, r));
    }

    /**
     * Checks the CRC and decodes the record.
     *
     * @param origin where the bytes came from, for the error (e.g. {@code "stream of partition 3 from node 2"})
     * @throws CorruptionDetectedException if the key is not a valid key, the CRC disagrees, the record is truncated
     *                                     or malformed, or it is a large-value pointer
     * @throws UnsupportedFormatException  if the CRC is right but the format version is not this build's
     */
    public StoredRecord decode(String origin) {
        Path where = Path.of(origin);
        MemoryKey mk = RecordCodec.decodeKey(key);
        if (mk == null) {
            throw new CorruptionDetectedException(where, HexFormat.of().formatHex(key), 0, 0,
                    "key is not a valid space/id encoding");
        }
        RecordCodec.Decoded d = RecordCodec.decode(key, mk, record, where);
        if (d.isPointer()) {
            long crc = Integer.toUnsignedLong(RecordCodec.storedCrc(record));
            throw new CorruptionDetectedException(where, mk.space() + "/" + mk.id(), crc, crc,
                    "a large-value pointer, which has no meaning outside the store that wrote it");
        }
        return d.record();
    }

    /** The encoded size, for throttles and counters. */
    public int size() {
        return key.length + record.length;
    }
}
