package io.mnemo.node.storage.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.mnemo.node.storage.Memory;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Self-checking memories for the suites.
 *
 * <p>Every write is identified by a {@code token} (unique per write in a test). Every field of a payload
 * memory is a pure function of {@code (id, token)}: the content spells out the id and the token and ends
 * with a CRC32C of itself, the embedding is a pseudo-random vector seeded by both, and createdAt,
 * confidence, activation and decay rate encode the token. A record that mixes two writes (content of one,
 * embedding of another, a content cut short or stitched from two buffers) therefore fails
 * {@link #assertIntact}, without the reader having to know which write it should see.
 *
 * <p>Payloads whose content is too small to carry the header (absent, empty, a few bytes) are checked
 * against the expected memory with {@link #assertSameWrite} instead.
 */
final class Payloads {
    /** The smallest content that can carry a self-describing header and trailer. */
    static final int MIN_SELF_CHECKING_BYTES = 64;

    private static final String PREFIX = "mnemo:";
    private static final String TRAILER = "|crc=";
    private static final int CRC_HEX = 8;

    private Payloads() {
    }

    /** A self-checking memory of roughly {@code contentBytes} (at least {@link #MIN_SELF_CHECKING_BYTES}) bytes. */
    static Memory memory(String space, String id, long token, int contentBytes, int dim) {
        return builder(space, id, token, dim).content(content(id, token, contentBytes)).build();
    }

    /** A memory whose content is given verbatim (absent if null); fields other than content derive from the token. */
    static Memory withContent(String space, String id, long token, String content, int dim) {
        return builder(space, id, token, dim).content(content).build();
    }

    private static Memory.Builder builder(String space, String id, long token, int dim) {
        if (token < 0) {
            throw new IllegalArgumentException("token must be >= 0, got " + token);
        }
        return Memory.builder(space, id)
                .createdAtNs(token)
                .lastAccessNs(token)
                .embedding(embedding(id, token, dim))
                .confidence((token % 1001) / 1000f)
                .activation((float) (token % 9973))
                .decayRate(1f / (1 + (token % 127)));
    }

    /** The self-checking content for one write: header, deterministic filler, CRC trailer. */
    static String content(String id, long token, int contentBytes) {
        StringBuilder sb = new StringBuilder(Math.max(contentBytes, MIN_SELF_CHECKING_BYTES) + 32);
        sb.append(PREFIX).append(token).append('|').append(id).append('|');
        int target = Math.max(contentBytes, MIN_SELF_CHECKING_BYTES) - TRAILER.length() - CRC_HEX;
        long x = mix(token ^ id.hashCode());
        while (sb.length() < target) {
            x = mix(x);
            sb.append((char) ('a' + (int) ((x >>> 33) % 26)));
        }
        String body = sb.toString();
        return body + TRAILER + String.format("%08x", crc(body));
    }

    /** The embedding that belongs to {@code (id, token)}: finite values in [-1, 1). */
    static float[] embedding(String id, long token, int dim) {
        float[] v = new float[dim];
        long seed = mix(id.hashCode() * 0x9E3779B97F4A7C15L ^ token);
        for (int i = 0; i < dim; i++) {
            seed = mix(seed + i);
            v[i] = ((seed >>> 40) / (float) (1 << 24)) * 2f - 1f;
        }
        return v;
    }

    /**
     * Asserts that {@code m} is exactly one write: the content is whole (its CRC matches), names this id,
     * and every other field is the one derived from the token the content names.
     *
     * @return the token of the write {@code m} holds
     */
    static long assertIntact(Memory m) {
        String content = m.content().orElseThrow(() -> new AssertionError(m.id() + ": content absent, expected a payload"));
        if (!content.startsWith(PREFIX)) {
            fail(m.id() + ": content does not start with the payload prefix: " + abbreviate(content));
        }
        int trailer = content.lastIndexOf(TRAILER);
        if (trailer < 0 || content.length() != trailer + TRAILER.length() + CRC_HEX) {
            fail(m.id() + ": content has no whole CRC trailer (torn or truncated), length " + content.length()
                    + ": " + abbreviate(content));
        }
        String body = content.substring(0, trailer);
        String crcHex = content.substring(trailer + TRAILER.length());
        long actualCrc = crc(body);
        if (!String.format("%08x", actualCrc).equals(crcHex)) {
            fail(m.id() + ": content CRC mismatch (torn content): trailer " + crcHex + ", computed "
                    + String.format("%08x", actualCrc));
        }
        int bar = body.indexOf('|', PREFIX.length());
        long token = Long.parseLong(body.substring(PREFIX.length(), bar));
        String idInContent = body.substring(bar + 1, body.indexOf('|', bar + 1));
        assertEquals(m.id(), idInContent, "content of " + m.id() + " belongs to another id");
        assertFieldsMatchToken(m, token);
        return token;
    }

    /** Asserts that the token-derived fields (embedding, createdAt, floats) of {@code m} belong to {@code token}. */
    static void assertFieldsMatchToken(Memory m, long token) {
        float[] expected = embedding(m.id(), token, m.dimension());
        float[] actual = m.embedding();
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(m.id() + ": embedding[" + i + "] is " + actual[i] + " but write " + token + " stored " + expected[i]
                        + " (torn read: content and embedding from different writes)");
            }
        }
        assertEquals(token, m.createdAtNs(), m.id() + ": createdAtNs does not match the write's token");
        assertEquals((token % 1001) / 1000f, m.confidence(), m.id() + ": confidence");
        assertEquals((float) (token % 9973), m.activation(), m.id() + ": activation");
        assertEquals(1f / (1 + (token % 127)), m.decayRate(), m.id() + ": decayRate");
    }

    /**
     * Asserts that {@code actual} holds exactly the user-written fields of {@code expected}: id, content (absent
     * vs empty included), embedding bits, createdAt and the float fields. Access statistics and versions are
     * not compared: recall changes the first, the store stamps the second.
     */
    static void assertSameWrite(Memory expected, Memory actual) {
        String where = expected.space() + "/" + expected.id();
        assertEquals(expected.space(), actual.space(), where + ": space");
        assertEquals(expected.id(), actual.id(), where + ": id");
        if (!Objects.equals(expected.contentOrNull(), actual.contentOrNull())) {
            fail(where + ": content differs: expected " + describe(expected.contentOrNull()) + ", got "
                    + describe(actual.contentOrNull()));
        }
        assertEquals(expected.dimension(), actual.dimension(), where + ": dimension");
        for (int i = 0; i < expected.dimension(); i++) {
            if (Float.floatToRawIntBits(expected.embeddingAt(i)) != Float.floatToRawIntBits(actual.embeddingAt(i))) {
                fail(where + ": embedding[" + i + "] expected " + expected.embeddingAt(i) + ", got " + actual.embeddingAt(i));
            }
        }
        assertEquals(expected.createdAtNs(), actual.createdAtNs(), where + ": createdAtNs");
        assertEquals(expected.confidence(), actual.confidence(), where + ": confidence");
        assertEquals(expected.activation(), actual.activation(), where + ": activation");
        assertEquals(expected.decayRate(), actual.decayRate(), where + ": decayRate");
    }

    /** The token a self-checking payload's content names, without checking the rest. */
    static long tokenOf(Memory m) {
        String c = m.contentOrNull();
        if (c == null || !c.startsWith(PREFIX)) {
            throw new AssertionError(m.id() + ": not a payload: " + describe(c));
        }
        return Long.parseLong(c.substring(PREFIX.length(), c.indexOf('|', PREFIX.length())));
    }

    static long crc(String s) {
        CRC32C crc = new CRC32C();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    /** SplitMix64's finaliser: a cheap, well-mixed bijection of 64-bit values. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String describe(String content) {
        return content == null ? "<absent>" : "\"" + abbreviate(content) + "\" (" + content.length() + " chars)";
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 60) + "..." + s.substring(s.length() - 16);
    }
}
