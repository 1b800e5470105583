package io.mnemo.node.storage;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The warm tier's binary layout of keys and records (format version 1). Big-endian throughout.
 *
 * <pre>
 * key      := utf8(space) 0x00 utf8(id)               (a space name never contains 0x00)
 * record   := version:u8 kind:u8 hlc:i64 nodeId:i32 body crc:i32
 * kind 1 (live)      body := createdAtNs:i64 lastAccessNs:i64 accessCount:i64 confidence:f32 activation:f32
 *                            decayRate:f32 dim:i32 embedding:f32[dim] contentLen:i32 content:u8[contentLen]
 *                            (contentLen -1 = absent content; 0 = empty content)
 * kind 2 (tombstone) body := (nothing)
 * kind 3 (large)     body := bodyLength:i32 bodyCrc:i32   the live record itself is in the partition's
 *                            large-value file under key ++ hlc:i64 ++ nodeId:i32
 * crc      := CRC32C over key ++ record[0 .. crc)
 * </pre>
 *
 * <p>Floats are stored by their raw bits, so every value round-trips exactly (and a decoded record remembers the
 * bytes it came from, so writing or streaming it again does not encode it anew). The CRC covers the key, so
 * a record that somehow ended up under another key is detected too. Decoding never guesses: a record that
 * fails its CRC, is truncated, has trailing bytes or holds malformed UTF-8 raises
 * {@link CorruptionDetectedException}; a record whose CRC is right but whose format version is unknown
 * raises {@link UnsupportedFormatException}. Stateless and thread-safe.
 */
final class RecordCodec {
    static final int FORMAT_VERSION = 1;
    static final byte KIND_LIVE = 1;
    static final byte KIND_TOMBSTONE = 2;
    static final byte KIND_LARGE = 3;
    static final int HEADER_BYTES = 1 + 1 + 8 + 4;
    static final int CRC_BYTES = 4;
    /** Bytes a live record takes besides its embedding and content. */
    static final int LIVE_FIXED_BYTES = HEADER_BYTES + 8 + 8 + 8 + 4 + 4 + 4 + 4 + 4 + CRC_BYTES;
    /** Suffix of a large-value body key: hlc and node id. */
    static final int LARGE_KEY_SUFFIX = 12;

    private RecordCodec() {
    }

    /** The warm-tier key of a memory key. */
    static byte[] encodeKey(MemoryKey key) {
        byte[] s = key.space().getBytes(StandardCharsets.UTF_8);
        byte[] i = key.id().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[s.length + 1 + i.length];
        System.arraycopy(s, 0, out, 0, s.length);
        System.arraycopy(i, 0, out, s.length + 1, i.length);
        return out;
    }

    /** The memory key of a warm-tier key; null if the bytes are not a valid key (a damaged file). */
    static MemoryKey decodeKey(byte[] key) {
        int sep = spaceLength(key);
        if (sep <= 0) {
            return null;
        }
        try {
            String space = strictUtf8(key, 0, sep);
            String id = strictUtf8(key, sep + 1, key.length - sep - 1);
            return new MemoryKey(space, id);
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The length of the space part of an encoded key, or -1 if it has no separator. */
    static int spaceLength(byte[] key) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** True if the encoded key belongs to {@code spaceUtf8}. */
    static boolean inSpace(byte[] key, byte[] spaceUtf8) {
        if (key.length <= spaceUtf8.length || key[spaceUtf8.length] != 0) {
            return false;
        }
        for (int i = 0; i < spaceUtf8.length; i++) {
            if (key[i] != spaceUtf8[i]) {
                return false;
            }
        }
        return true;
    }

    /** The key of a large-value body: the record key followed by the version. */
    static byte[] largeKey(byte[] key, Version v) {
        return ByteBuffer.allocate(key.length + LARGE_KEY_SUFFIX).put(key).putLong(v.hlc()).putInt(v.nodeId()).array();
    }

    /** The record key and version a large-value body key names. */
    static byte[] recordKeyOfLargeKey(byte[] largeKey) {
        byte[] out = new byte[largeKey.length - LARGE_KEY_SUFFIX];
        System.arraycopy(largeKey, 0, out, 0, out.length);
        return out;
    }

    static Version versionOfLargeKey(byte[] largeKey) {
        ByteBuffer b = ByteBuffer.wrap(largeKey, largeKey.length - LARGE_KEY_SUFFIX, LARGE_KEY_SUFFIX);
        return new Version(b.getLong(), b.getInt());
    }

    /** The encoded size of a live memory. */
    static long liveSize(Memory m, long contentUtf8Bytes) {
        return LIVE_FIXED_BYTES + 4L * m.dimension() + Math.max(0, contentUtf8Bytes);
    }

    /**
     * Encodes a live record or a tombstone; a record decoded from an encoding ({@link StoredRecord#encodedOrNull})
     * returns that encoding, which is what encoding it again would give (decoding is strict, so every field, float
     * bit and content byte round-trips). The result must not be modified.
     */
    static byte[] encode(byte[] key, StoredRecord r) {
        byte[] known = r.encodedOrNull();
        if (known != null) {
            return known;
        }
        if (r.isTombstone()) {
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + CRC_BYTES);
            header(b, KIND_TOMBSTONE, r.version());
            return finish(key, b);
        }
        Memory m = r.memory().orElseThrow();
        String content = m.contentOrNull();
        byte[] c = content == null ? null : strictEncode(content);
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(liveSize(m, c == null ? 0 : c.length)));
        header(b, KIND_LIVE, r.version());
        b.putLong(m.createdAtNs()).putLong(m.lastAccessNs()).putLong(m.accessCount());
        b.putInt(Float.floatToRawIntBits(m.confidence()));
        b.putInt(Float.floatToRawIntBits(m.activation()));
        b.putInt(Float.floatToRawIntBits(m.decayRate()));
        b.putInt(m.dimension());
        for (int i = 0; i < m.dimension(); i++) {
            b.putInt(Float.floatToRawIntBits(m.embeddingAt(i)));
        }
        if (c == null) {
            b.putInt(-1);
        } else {
            b.putInt(c.length).put(c);
        }
        return finish(key, b);
    }

    /** Encodes the pointer to a large-value body. */
    static byte[] encodePointer(byte[] key, Version v, int bodyLength, int bodyCrc) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 8 + CRC_BYTES);
        header(b, KIND_LARGE, v);
        b.putInt(bodyLength).putInt(bodyCrc);
        return finish(key, b);
    }

    private static void header(ByteBuffer b, byte kind, Version v) {
        b.put((byte) FORMAT_VERSION).put(kind).putLong(v.hlc()).putInt(v.nodeId());
    }

    private static byte[] finish(byte[] key, ByteBuffer b) {
        byte[] out = b.array();
        int crc = crc(key, out, out.length - CRC_BYTES);
        b.putInt(crc);
        if (b.hasRemaining()) {
            throw new IllegalStateException("encoded size mismatch: " + b.remaining() + " bytes left");
        }
        return out;
    }

    static int crc(byte[] key, byte[] value, int valueLength) {
        CRC32C c = new CRC32C();
        c.update(key, 0, key.length);
        c.update(value, 0, valueLength);
        return (int) c.getValue();
    }

    /** The CRC stored at the end of an encoded record (or 0 if it is too short to hold one). */
    static int storedCrc(byte[] value) {
        if (value.length < CRC_BYTES) {
            return 0;
        }
        return ByteBuffer.wrap(value, value.length - CRC_BYTES, CRC_BYTES).getInt();
    }

    /** The kind byte of an encoded record, or 0 if it is too short. */
    static byte kind(byte[] value) {
        return value.length > 1 ? value[1] : 0;
    }

    /**
     * Decodes a record and checks its CRC.
     *
     * @param file the file the bytes came from, for the error
     */
    static Decoded decode(byte[] key, MemoryKey mk, byte[] value, Path file) {
        String name = mk.space() + "/" + mk.id();
        int stored = checkFrame(key, name, value, file);
        ByteBuffer b = ByteBuffer.wrap(value, 0, value.length - CRC_BYTES).order(ByteOrder.BIG_ENDIAN);
        b.position(1);
        byte kind = b.get();
        try {
            Version v = new Version(b.getLong(), b.getInt());
            Decoded d;
            if (kind == KIND_TOMBSTONE) {
                d = new Decoded(StoredRecord.withEncoding(StoredRecord.tombstone(mk, v), value), null, 0, 0);
            } else if (kind == KIND_LARGE) {
                int len = b.getInt();
                int bodyCrc = b.getInt();
                d = new Decoded(null, v, len, bodyCrc);
            } else if (kind == KIND_LIVE) {
                d = new Decoded(StoredRecord.withEncoding(StoredRecord.live(decodeLive(b, mk, v)), value), null, 0, 0);
            } else {
                throw corrupt(file, name, stored, "unknown record kind " + kind);
            }
            if (b.hasRemaining()) {
                throw corrupt(file, name, stored, b.remaining() + " trailing bytes");
            }
            return d;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw corrupt(file, name, stored, "malformed record: " + e);
        } catch (CharacterCodingException e) {
            throw corrupt(file, name, stored, "content is not valid UTF-8");
        }
    }

    /**
     * The version of a record (live, tombstone or large-value pointer), after the same length, CRC and format checks
     * as {@link #decode}, without decoding its fields: what a write needs to compare versions.
     */
    static Version decodeVersion(byte[] key, MemoryKey mk, byte[] value, Path file) {
        String name = mk.space() + "/" + mk.id();
        int stored = checkFrame(key, name, value, file);
        byte kind = value[1];
        if (kind != KIND_LIVE && kind != KIND_TOMBSTONE && kind != KIND_LARGE) {
            throw corrupt(file, name, stored, "unknown record kind " + kind);
        }
        ByteBuffer b = ByteBuffer.wrap(value, 2, 12).order(ByteOrder.BIG_ENDIAN);
        try {
            return new Version(b.getLong(), b.getInt());
        } catch (IllegalArgumentException e) {
            throw corrupt(file, name, stored, "malformed record: " + e);
        }
    }

    /** Checks a record's length, CRC and format version; returns its stored CRC. */
    private static int checkFrame(byte[] key, String name, byte[] value, Path file) {
        if (value.length < HEADER_BYTES + CRC_BYTES) {
            throw new CorruptionDetectedException(file, name, 0, 0, "record is " + value.length + " bytes, shorter than any record");
        }
        int stored = storedCrc(value);
        int actual = crc(key, value, value.length - CRC_BYTES);
        if (stored != actual) {
            throw new CorruptionDetectedException(file, name, Integer.toUnsignedLong(stored), Integer.toUnsignedLong(actual), null);
        }
        int format = value[0] & 0xff;
        if (format != FORMAT_VERSION) {
            throw new UnsupportedFormatException(file, "record " + name + " has format version " + format
                    + ", this build supports " + FORMAT_VERSION + "; " + FormatHeader.MIGRATION);
        }
        return stored;
    }

    private static Memory decodeLive(ByteBuffer b, MemoryKey mk, Version v) throws CharacterCodingException {
        Memory.Builder mb = Memory.builder(mk.space(), mk.id())
                .createdAtNs(b.getLong()).lastAccessNs(b.getLong()).accessCount(b.getLong())
                .confidence(Float.intBitsToFloat(b.getInt()))
                .activation(Float.intBitsToFloat(b.getInt()))
                .decayRate(Float.intBitsToFloat(b.getInt()))
                .version(v);
        int dim = b.getInt();
        if (dim < 0 || dim > b.remaining() / 4) {
            throw new IllegalArgumentException("dimension " + dim + " does not fit the record");
        }
        float[] e = new float[dim];
        // One bulk copy through a big-endian float view (raw bits, as written) instead of a bounds-checked getInt per
        // float: decoding is most of a scan's and a partition stream's CPU.
        b.asFloatBuffer().get(e);
        b.position(b.position() + 4 * dim);
        mb.embedding(e);
        int len = b.getInt();
        if (len == -1) {
            mb.content(null);
        } else if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("content length " + len + " does not fit the record");
        } else {
            mb.content(strictUtf8(b.array(), b.position(), len));
            b.position(b.position() + len);
        }
        return mb.build();
    }

    private static CorruptionDetectedException corrupt(Path file, String name, int crc, String detail) {
        long c = Integer.toUnsignedLong(crc);
        return new CorruptionDetectedException(file, name, c, c, detail);
    }

    /** UTF-8 of {@code s}; a lone surrogate is refused rather than replaced by '?'. */
    private static byte[] strictEncode(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvalidMemoryException("content", "must be well-formed UTF-16 (a lone surrogate cannot be stored): " + e);
        }
    }

    private static String strictUtf8(byte[] bytes, int off, int len) throws CharacterCodingException {
        CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, off, len));
        return cb.toString();
    }

    /**
     * A decoded record: either a full record, or the pointer to a large-value body.
     *
     * @param record        the record, or null for a pointer
     * @param bodyVersion   the version of the large-value body a pointer names, or null
     * @param bodyLength    the pointer's body length
     * @param bodyCrc       the CRC stored at the end of the body
     */
    record Decoded(StoredRecord record, Version bodyVersion, int bodyLength, int bodyCrc) {
        boolean isPointer() {
            return record == null;
        }
    }
}
