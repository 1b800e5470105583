package io.mnemo.node.cluster.ownership;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends big-endian fixed-width values and length-prefixed UTF-8 strings to a growing byte array. */
final class WireWriter {
    private byte[] buf = new byte[128];
    private int pos;

    WireWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    WireWriter i32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
        return this;
    }

    WireWriter i64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (v >>> shift);
        }
        return this;
    }

    /** A string as a 2-byte length and its UTF-8 bytes; refuses strings that do not encode losslessly. */
    WireWriter string(String s) {
        byte[] bytes;
        try {
            ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            bytes = Arrays.copyOfRange(bb.array(), bb.position(), bb.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string does not encode as UTF-8: '" + Validation.printable(s) + "'", e);
        }
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes: " + bytes.length);
        }
        ensure(2 + bytes.length);
        buf[pos++] = (byte) (bytes.length >>> 8);
        buf[pos++] = (byte) bytes.length;
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
        return this;
    }

    /** A byte array as a 4-byte length and the bytes. */
    WireWriter bytes(byte[] b) {
        i32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }
}
