package io.mnemo.shardmap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The compact binary form of a {@link Topology}, big-endian:
 *
 * <pre>
 *   magic      4 bytes  "MNTP"
 *   version    u16      1
 *   flags      u16      0 (reserved; a reader refuses bits it does not know)
 *   epoch      i64
 *   partitions i32
 *   rf         i32
 *   algorithm  str      placement algorithm id, must equal {@link Placement#ALGORITHM}
 *   count      i32      member count
 *   member     count x { id str, host str, port u16, weight i32, hasZone u8 (0|1), [zone str] }
 *   crc        u32      CRC32C of every byte before it
 *   str = u16 length + UTF-8 bytes (strictly decoded)
 * </pre>
 *
 * The table is not stored: it is a pure function of the rest, and the algorithm id guarantees the
 * reader computes it the same way. A 3-member topology takes about 110 bytes.
 */
final class BinaryCodec {
    static final int MAGIC = 0x4D4E5450;
    static final int VERSION = 1;

    private BinaryCodec() {
    }

    static byte[] encode(Topology t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 48 * t.members().size());
        ByteBuffer header = ByteBuffer.allocate(24);
        header.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(t.epoch())
                .putInt(t.partitions()).putInt(t.replicationFactor());
        out.writeBytes(header.array());
        writeString(out, Placement.ALGORITHM);
        writeInt(out, t.members().size());
        for (Member m : t.members()) {
            writeString(out, m.id());
            writeString(out, m.host());
            out.write(m.port() >>> 8);
            out.write(m.port());
            writeInt(out, m.weight());
            String zone = m.zoneOrNull();
            out.write(zone == null ? 0 : 1);
            if (zone != null) {
                writeString(out, zone);
            }
        }
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body, 0, body.length);
        writeInt(out, (int) crc.getValue());
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    static Topology decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("topology binary must not be null");
        }
        Reader in = new Reader(ByteBuffer.wrap(bytes));
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw new IllegalArgumentException(String.format(
                    "topology binary: bad magic 0x%08x at offset 0, expected 0x%08x (\"MNTP\"): not a topology", magic, MAGIC));
        }
        int version = in.u16("version");
        if (version != VERSION) {
            throw new IllegalArgumentException("topology binary: unsupported format version " + version
                    + ", this library reads version " + VERSION + ": upgrade the reader");
        }
        int flags = in.u16("flags");
        if (flags != 0) {
            throw new IllegalArgumentException(String.format("topology binary: unknown flags 0x%04x at offset 6", flags));
        }
        long epoch = in.i64("epoch");
        int partitions = in.i32("partitions");
        int rf = in.i32("replicationFactor");
        String algorithm = in.str("algorithm");
        if (!Placement.ALGORITHM.equals(algorithm)) {
            throw new IllegalArgumentException("topology binary: placement algorithm '" + algorithm
                    + "' is not supported, this library computes '" + Placement.ALGORITHM + "'");
        }
        int count = in.i32("member count");
        // A member takes at least 13 bytes (two 1-byte strings, port, weight, zone flag); the CRC 4 more.
        if (count < 0 || (long) count * 13 + 4 > in.remaining()) {
            throw new IllegalArgumentException("topology binary truncated or corrupt: member count " + count + " at offset "
                    + (in.position() - 4) + " needs at least " + ((long) count * 13 + 4) + " bytes, only " + in.remaining() + " left");
        }
        // Members are validated only after the checksum matched, so corruption is reported as such.
        List<RawMember> raw = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String prefix = "member[" + i + "].";
            String id = in.str(prefix + "id");
            String host = in.str(prefix + "host");
            int port = in.u16(prefix + "port");
            int weight = in.i32(prefix + "weight");
            int hasZone = in.u8(prefix + "hasZone");
            if (hasZone > 1) {
                throw new IllegalArgumentException("topology binary: " + prefix + "hasZone must be 0 or 1, got " + hasZone
                        + " at offset " + (in.position() - 1));
            }
            String zone = hasZone == 1 ? in.str(prefix + "zone") : null;
            raw.add(new RawMember(id, host, port, weight, zone));
        }
        int end = in.position();
        int stored = in.i32("crc");
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("topology binary: " + in.remaining() + " unexpected bytes after the checksum at offset "
                    + in.position());
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, end);
        if ((int) crc.getValue() != stored) {
            throw new IllegalArgumentException(String.format(
                    "topology binary: checksum mismatch at offset %d, stored 0x%08x, computed 0x%08x: the data is corrupt",
                    end, stored, (int) crc.getValue()));
        }
        List<Member> members = new ArrayList<>(count);
        for (RawMember m : raw) {
            members.add(Member.of(m.id, m.host, m.port, m.weight, m.zone));
        }
        return Topology.of(epoch, partitions, rf, members);
    }

    private record RawMember(String id, String host, int port, int weight, String zone) {
    }

    /** Bounds-checked reads that name the field and the offset when the input ends early. */
    private static final class Reader {
        private final ByteBuffer buf;

        Reader(ByteBuffer buf) {
            this.buf = buf;
        }

        int position() {
            return buf.position();
        }

        int remaining() {
            return buf.remaining();
        }

        private void need(int n, String field) {
            if (buf.remaining() < n) {
                throw new IllegalArgumentException("topology binary truncated: field '" + field + "' needs " + n
                        + " bytes at offset " + buf.position() + ", only " + buf.remaining() + " left (total " + buf.limit() + ")");
            }
        }

        int u8(String field) {
            need(1, field);
            return buf.get() & 0xFF;
        }

        int u16(String field) {
            need(2, field);
            return buf.getShort() & 0xFFFF;
        }

        int i32(String field) {
            need(4, field);
            return buf.getInt();
        }

        long i64(String field) {
            need(8, field);
            return buf.getLong();
        }

        String str(String field) {
            int len = u16(field + " length");
            need(len, field);
            int at = buf.position();
            ByteBuffer slice = buf.slice();
            slice.limit(len);
            buf.position(at + len);
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(slice);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("topology binary: field '" + field + "' at offset " + at
                        + " is not valid UTF-8", e);
            }
        }
    }
}
