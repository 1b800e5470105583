package io.mnemo.node.cluster.ownership;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link WireWriter} wrote, checking every length against the bytes left. Every failure is a
 * {@link BaselineFormatException} naming what is being decoded, the field and the offset.
 */
final class WireReader {
    private final String what;
    private final byte[] buf;
    private final int end;
    private int pos;

    WireReader(String what, byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length || offset + length < 0) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + "+" + length + ") outside a buffer of "
                    + buf.length + " bytes");
        }
        this.what = what;
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    int position() {
        return pos;
    }

    int u8(String field) {
        need(field, 1);
        return buf[pos++] & 0xFF;
    }

    int i32(String field) {
        need(field, 4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    long i64(String field) {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    String string(String field) {
        int at = pos;
        need(field + " length", 2);
        int len = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        need(field, len);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, pos, len))
                    .toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw fail(field + " is not valid UTF-8", at, e);
        }
    }

    byte[] bytes(String field, int maxLength) {
        int at = pos;
        int len = i32(field + " length");
        if (len < 0 || len > maxLength) {
            throw fail(field + " length must be in [0, " + maxLength + "], got " + len, at, null);
        }
        need(field, len);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    /** A count of items, each at least {@code minItemBytes} long: refuses counts the remaining bytes cannot hold. */
    int count(String field, int max, int minItemBytes) {
        int at = pos;
        int n = i32(field);
        if (n < 0 || n > max) {
            throw fail(field + " must be in [0, " + max + "], got " + n, at, null);
        }
        if ((long) n * minItemBytes > end - pos) {
            throw fail(field + " is " + n + " but only " + (end - pos) + " bytes remain", at, null);
        }
        return n;
    }

    void expectEnd() {
        if (pos != end) {
            throw fail((end - pos) + " trailing bytes after the end", pos, null);
        }
    }

    BaselineFormatException fail(String message, int at, Throwable cause) {
        return new BaselineFormatException(what + ": " + message + " (at byte offset " + at + ")", at, cause);
    }

    private void need(String field, int n) {
        if (n > end - pos) {
            throw fail("truncated: " + field + " needs " + n + " bytes, " + (end - pos) + " remain", pos, null);
        }
    }
}
