package io.mnemo.node.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * The stored state of one key: a live memory or a tombstone, each with its version. This is the unit
 * of replication, repair and anti-entropy. Immutable.
 */
public final class StoredRecord {
    private final MemoryKey key;
    private final Version version;
    private final Memory memory; // null for a tombstone
    /**
     * The warm-tier encoding ({@link RecordCodec}) this record was decoded from, CRC checked, or null: a record read
     * from a store or a stream is written or streamed again from these bytes instead of being encoded anew. Never
     * modified.
     */
    private final byte[] encoded;

    private StoredRecord(MemoryKey key, Version version, Memory memory, byte[] encoded) {
        this.key = Objects.requireNonNull(key, "key");
        this.version = Objects.requireNonNull(version, "version");
        this.memory = memory;
        this.encoded = encoded;
    }

    /** A live record; the memory must carry its version. */
    public static StoredRecord live(Memory memory) {
        Version v = memory.versionOrNull();
        if (v == null) {
            throw new IllegalArgumentException("a stored memory must carry a version: " + memory);
        }
        return new StoredRecord(memory.key(), v, memory, null);
    }

    /** A tombstone: the key was removed by the write with {@code version}. */
    public static StoredRecord tombstone(MemoryKey key, Version version) {
        return new StoredRecord(key, version, null, null);
    }

    /** {@code r} remembering {@code encoded}, the checked encoding it was just decoded from ({@link RecordCodec}). */
    static StoredRecord withEncoding(StoredRecord r, byte[] encoded) {
        return new StoredRecord(r.key, r.version, r.memory, encoded);
    }

    /**
     * This record carrying its storage encoding, computed now if it has none, so that the store's write and every
     * replica call that sends it encoded ({@link EncodedRecord#of}) reuse the one encoding.
     */
    public StoredRecord withEncoding() {
        return encoded != null ? this : withEncoding(this, RecordCodec.encode(RecordCodec.encodeKey(key), this));
    }

    /** Bytes of the storage encoding this record carries, 0 if none: for estimates of what holding it costs. */
    public int encodedBytes() {
        return encoded == null ? 0 : encoded.length;
    }

    /** The encoding this record was decoded from, or null; see the field. */
    byte[] encodedOrNull() {
        return encoded;
    }

    public MemoryKey key() {
        return key;
    }

    public Version version() {
        return version;
    }

    /** True if this record marks a removed key. */
    public boolean isTombstone() {
        return memory == null;
    }

    /** The memory of a live record; empty for a tombstone. */
    public Optional<Memory> memory() {
        return Optional.ofNullable(memory);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StoredRecord)) {
            return false;
        }
        StoredRecord r = (StoredRecord) o;
        return key.equals(r.key) && version.equals(r.version) && Objects.equals(memory, r.memory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, version, memory);
    }

    @Override
    public String toString() {
        return (memory == null ? "Tombstone[" + key.space() + "/" + key.id() + ", " + version + "]" : "Live[" + memory + "]");
    }
}
