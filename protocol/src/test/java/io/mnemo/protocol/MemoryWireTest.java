package io.mnemo.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.Tombstone;
import io.mnemo.protocol.v1.Version;
import io.mnemo.protocol.v1.VersionedRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryWireTest {

    private static Memory.Builder memory(float... embedding) {
        Memory.Builder b = Memory.newBuilder()
                .setSpace("agents")
                .setId("m-1")
                .setCreatedAtNs(1_700_000_000_123_456_789L)
                .setLastAccessNs(1_700_000_001_000_000_000L)
                .setConfidence(0.75f)
                .setActivation(1.5f)
                .setDecayRate(0.01f)
                .setAccessCount(42)
                .setVersion(Version.newBuilder().setHlc((1_700_000_000_123L << 16) | 7).setNodeId(3));
        for (float f : embedding) {
            b.addEmbedding(f);
        }
        return b;
    }

    private static Memory roundTrip(Memory m) throws InvalidProtocolBufferException {
        return Memory.parseFrom(m.toByteArray());
    }

    @Test
    void parseFrom_absentContent_staysAbsent() throws Exception {
        Memory back = roundTrip(memory(1f, 2f).build());

        assertThat(back.hasContent()).isFalse();
        assertThat(back.getContent()).isEmpty();
    }

    @Test
    void parseFrom_emptyContent_staysPresentAndEmpty() throws Exception {
        Memory back = roundTrip(memory(1f, 2f).setContent("").build());

        assertThat(back.hasContent()).isTrue();
        assertThat(back.getContent()).isEmpty();
    }

    @Test
    void parseFrom_absentAndEmptyContent_differOnTheWireAndInEquality() {
        Memory absent = memory(1f).build();
        Memory empty = memory(1f).setContent("").build();

        assertThat(absent).isNotEqualTo(empty);
        assertThat(absent.toByteString()).isNotEqualTo(empty.toByteString());
    }

    @Test
    void parseFrom_everyField_roundTripsExactly() throws Exception {
        Memory m = memory(0.5f, -0.0f, Float.MIN_VALUE, -Float.MAX_VALUE).setContent("héllo, 世界").build();

        Memory back = roundTrip(m);

        assertThat(back).isEqualTo(m);
        assertThat(back.getContent()).isEqualTo("héllo, 世界");
        assertThat(Float.floatToRawIntBits(back.getEmbedding(1))).isEqualTo(Float.floatToRawIntBits(-0.0f));
        assertThat(back.getVersion().getHlc()).isEqualTo((1_700_000_000_123L << 16) | 7);
        assertThat(back.getVersion().getNodeId()).isEqualTo(3);
    }

    @Test
    void toByteArray_embedding_isPackedLittleEndianFloats() {
        float[] values = {1.0f, -2.5f, 3.25e-7f};
        Memory onlyEmbedding = Memory.newBuilder().addEmbedding(values[0]).addEmbedding(values[1])
                .addEmbedding(values[2]).build();

        byte[] wire = onlyEmbedding.toByteArray();

        // tag (field 6, wire type 2 = length-delimited) = 0x32, then the length, then the payload.
        ByteBuffer expectedPayload = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) {
            expectedPayload.putFloat(f);
        }
        byte[] expected = new byte[2 + 4 * values.length];
        expected[0] = 0x32;
        expected[1] = (byte) (4 * values.length);
        System.arraycopy(expectedPayload.array(), 0, expected, 2, 4 * values.length);
        assertThat(wire).containsExactly(expected);
    }

    @Test
    void getSerializedSize_768Dimensions_costsFourBytesPerValuePlusFraming() {
        Memory.Builder b = Memory.newBuilder();
        for (int i = 0; i < 768; i++) {
            b.addEmbedding(i * 0.001f);
        }

        // 1 tag byte + 2 length bytes (3072 needs a 2-byte varint) + 3072 payload bytes.
        assertThat(b.build().getSerializedSize()).isEqualTo(1 + 2 + 768 * 4);
    }

    @Test
    void parseFrom_tombstoneRecord_keepsStateAndVersion() throws Exception {
        VersionedRecord r = VersionedRecord.newBuilder().setSpace("s").setId("gone")
                .setVersion(Version.newBuilder().setHlc(99).setNodeId(2))
                .setTombstone(Tombstone.newBuilder().setRemovedAtNs(5)).build();

        VersionedRecord back = VersionedRecord.parseFrom(r.toByteArray());

        assertThat(back.getStateCase()).isEqualTo(VersionedRecord.StateCase.TOMBSTONE);
        assertThat(back.hasLive()).isFalse();
        assertThat(back).isEqualTo(r);
    }

    @Test
    void descriptor_memoryFieldNumbers_neverChange() {
        // Wire compatibility: these numbers are on the wire and in every stored hint. This test fails when one is
        // renumbered or removed; a removed field must become `reserved`, never reused.
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("space", 1);
        expected.put("id", 2);
        expected.put("created_at_ns", 3);
        expected.put("last_access_ns", 4);
        expected.put("content", 5);
        expected.put("embedding", 6);
        expected.put("confidence", 7);
        expected.put("activation", 8);
        expected.put("decay_rate", 9);
        expected.put("access_count", 10);
        expected.put("version", 11);

        Map<String, Integer> actual = new LinkedHashMap<>();
        for (FieldDescriptor f : Memory.getDescriptor().getFields()) {
            actual.put(f.getName(), f.getNumber());
        }

        assertThat(actual).containsAllEntriesOf(expected);
        assertThat(Memory.getDescriptor().findFieldByName("content").hasPresence()).isTrue();
        assertThat(Memory.getDescriptor().findFieldByName("embedding").isPacked()).isTrue();
    }
}
