package io.mnemo.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    private static final Path FILE = Path.of("records-0000.cmap");

    private static StoredRecord roundTrip(StoredRecord r) {
        byte[] key = RecordCodec.encodeKey(r.key());
        byte[] bytes = RecordCodec.encode(key, r);
        RecordCodec.Decoded d = RecordCodec.decode(key, r.key(), bytes, FILE);
        assertThat(d.isPointer()).isFalse();
        return d.record();
    }

    @Property(tries = 300)
    void encodeDecode_arbitraryMemory_roundTripsEveryField(@ForAll("memories") Memory m) {
        StoredRecord r = StoredRecord.live(m);
        assertThat(roundTrip(r)).isEqualTo(r);
        byte[] key = RecordCodec.encodeKey(r.key());
        assertThat(RecordCodec.decodeVersion(key, r.key(), RecordCodec.encode(key, r), FILE)).isEqualTo(m.versionOrNull());
    }

    @Provide
    Arbitrary<Memory> memories() {
        Arbitrary<String> ids = codePoints(1, 40);
        Arbitrary<String> contents = codePoints(0, 300).injectNull(0.2);
        Arbitrary<float[]> embeddings = Arbitraries.floats().list().ofMaxSize(32)
                .map(l -> {
                    float[] a = new float[l.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = l.get(i);
                    }
                    return a;
                });
        Arbitrary<Version> versions = Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE),
                Arbitraries.integers().between(0, Integer.MAX_VALUE)).as(Version::new);
        return Combinators.combine(ids, contents, embeddings, versions, Arbitraries.longs(), Arbitraries.longs(),
                Arbitraries.floats(), Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as((id, content, emb, v, created, last, f, count) -> Memory.builder("space-1", id)
                        .content(content).embedding(emb).version(v).createdAtNs(created).lastAccessNs(last)
                        .confidence(f).activation(-f).decayRate(f / 3).accessCount(count).build());
    }

    /** Strings of whole code points (every plane, no lone surrogates). */
    private static Arbitrary<String> codePoints(int min, int max) {
        return Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMinSize(min).ofMaxSize(max)
                .map(l -> {
                    StringBuilder sb = new StringBuilder();
                    l.forEach(sb::appendCodePoint);
                    return sb.toString();
                });
    }

    @Test
    void encode_loneSurrogateInContent_isRefusedNotReplaced() {
        Memory m = StoreFixtures.memory("x", "a\ud800").toBuilder().version(new Version(1, 0)).build();
        assertThatThrownBy(() -> RecordCodec.encode(RecordCodec.encodeKey(m.key()), StoredRecord.live(m)))
                .isInstanceOf(InvalidMemoryException.class).hasMessageContaining("content");
    }

    @Test
    void decode_emptyAndAbsentContent_stayDistinct() {
        Version v = new Version(5, 1);
        Memory empty = StoreFixtures.memory("a", "").toBuilder().version(v).build();
        Memory absent = StoreFixtures.memory("a", null).toBuilder().version(v).build();
        assertThat(roundTrip(StoredRecord.live(empty)).memory().orElseThrow().content()).contains("");
        assertThat(roundTrip(StoredRecord.live(absent)).memory().orElseThrow().content()).isEmpty();
    }

    @Test
    void decode_tombstone_roundTrips() {
        StoredRecord t = StoredRecord.tombstone(new MemoryKey("s", "gone"), new Version(77, 3));
        assertThat(roundTrip(t)).isEqualTo(t);
        assertThat(roundTrip(t).isTombstone()).isTrue();
    }

    @Test
    void decode_anyFlippedByte_raisesCorruptionWithChecksums() {
        Memory m = StoreFixtures.memory("x", "some content").toBuilder().version(new Version(9, 0)).build();
        byte[] key = RecordCodec.encodeKey(m.key());
        byte[] good = RecordCodec.encode(key, StoredRecord.live(m));
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> RecordCodec.decode(key, m.key(), bad, FILE))
                    .isInstanceOf(CorruptionDetectedException.class)
                    .satisfies(e -> {
                        CorruptionDetectedException c = (CorruptionDetectedException) e;
                        assertThat(c.file()).isEqualTo(FILE);
                        assertThat(c.key()).isEqualTo("s1/x");
                        assertThat(c.expectedChecksum()).isNotEqualTo(c.actualChecksum());
                    });
        }
    }

    @Test
    void decodeVersion_tombstoneAndPointer_readFromTheHeader_andAnyFlippedByteIsCorruption() {
        MemoryKey k = new MemoryKey("s1", "x");
        byte[] key = RecordCodec.encodeKey(k);
        Version v = new Version(123_456L, 7);
        byte[] tomb = RecordCodec.encode(key, StoredRecord.tombstone(k, v));
        assertThat(RecordCodec.decodeVersion(key, k, tomb, FILE)).isEqualTo(v);
        byte[] pointer = RecordCodec.encodePointer(key, v, 3_000_000, 42);
        assertThat(RecordCodec.decode(key, k, pointer, FILE).isPointer()).isTrue();
        assertThat(RecordCodec.decodeVersion(key, k, pointer, FILE)).isEqualTo(v);
        for (int i = 0; i < tomb.length; i++) {
            byte[] bad = tomb.clone();
            bad[i] ^= 0x10;
            assertThatThrownBy(() -> RecordCodec.decodeVersion(key, k, bad, FILE))
                    .isInstanceOf(CorruptionDetectedException.class);
        }
        assertThatThrownBy(() -> RecordCodec.decodeVersion(key, k, new byte[5], FILE))
                .isInstanceOf(CorruptionDetectedException.class).hasMessageContaining("shorter");
    }

    @Test
    void decode_recordUnderAnotherKey_raisesCorruption() {
        Memory m = StoreFixtures.memory("x", "c").toBuilder().version(new Version(9, 0)).build();
        byte[] bytes = RecordCodec.encode(RecordCodec.encodeKey(m.key()), StoredRecord.live(m));
        MemoryKey other = new MemoryKey("s1", "y");
        assertThatThrownBy(() -> RecordCodec.decode(RecordCodec.encodeKey(other), other, bytes, FILE))
                .isInstanceOf(CorruptionDetectedException.class);
    }

    @Test
    void decode_truncatedRecord_raisesCorruption() {
        MemoryKey k = new MemoryKey("s1", "x");
        assertThatThrownBy(() -> RecordCodec.decode(RecordCodec.encodeKey(k), k, new byte[5], FILE))
                .isInstanceOf(CorruptionDetectedException.class).hasMessageContaining("shorter");
    }

    @Test
    void decode_unknownFormatVersionWithValidCrc_raisesUnsupportedFormat() {
        MemoryKey k = new MemoryKey("s1", "x");
        byte[] key = RecordCodec.encodeKey(k);
        byte[] bytes = RecordCodec.encode(key, StoredRecord.tombstone(k, new Version(1, 1)));
        bytes[0] = 2;
        int crc = RecordCodec.crc(key, bytes, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, crc);
        assertThatThrownBy(() -> RecordCodec.decode(key, k, bytes, FILE))
                .isInstanceOf(UnsupportedFormatException.class).hasMessageContaining("format version 2")
                .hasMessageContaining("supports 1");
    }

    @Test
    void decodeKey_encodedKey_roundTrips() {
        MemoryKey k = new MemoryKey("space_1-x", "id with \u0000 nul and \ud83d\ude00");
        assertThat(RecordCodec.decodeKey(RecordCodec.encodeKey(k))).isEqualTo(k);
    }
}
