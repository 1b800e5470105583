package io.mnemo.node.storage;

/**
 * The domain rules of a memory (DESIGN section 1), checked where input enters the store. Every failure is
 * an {@link InvalidMemoryException} naming the field, the limit and the offending value; nothing is
 * truncated or replaced. Strings must be well-formed UTF-16 (no unpaired surrogate), because UTF-8
 * encoding would otherwise replace the surrogate with '?' and change the value silently.
 */
public final class MemoryValidator {
    /** Longest id in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;

    private MemoryValidator() {
    }

    /** Checks every field of {@code m} against the rules of its space {@code space}. */
    public static void validate(Memory m, SpaceConfig space) {
        if (!m.space().equals(space.name())) {
            throw new InvalidMemoryException("space", "memory names space '" + abbreviate(m.space())
                    + "' but was checked against '" + space.name() + "'");
        }
        SpaceConfig.validateName(m.space());
        validateId(m.id());
        if (m.dimension() != space.dimension()) {
            throw new InvalidMemoryException("embedding", "dimension must be " + space.dimension()
                    + " (space '" + space.name() + "'), got " + m.dimension());
        }
        for (int i = 0; i < m.dimension(); i++) {
            float v = m.embeddingAt(i);
            if (!Float.isFinite(v)) {
                throw new InvalidMemoryException("embedding[" + i + "]", "must be finite, got " + v);
            }
        }
        float c = m.confidence();
        if (!(c >= 0.0f && c <= 1.0f)) {
            throw new InvalidMemoryException("confidence", "must be in [0, 1], got " + c);
        }
        requireFinite("activation", m.activation());
        requireFinite("decayRate", m.decayRate());
        if (m.accessCount() < 0) {
            throw new InvalidMemoryException("accessCount", "must be >= 0, got " + m.accessCount());
        }
        String content = m.contentOrNull();
        if (content != null) {
            long bytes = utf8Length(content);
            if (bytes < 0) {
                throw new InvalidMemoryException("content", "must be well-formed UTF-16: unpaired surrogate at char "
                        + (-bytes - 1));
            }
            if (bytes > space.maxContentBytes()) {
                throw new InvalidMemoryException("content", "must be at most " + space.maxContentBytes()
                        + " UTF-8 bytes (space '" + space.name() + "'), got " + bytes);
            }
        }
    }

    /** Checks an id: 1..{@value #MAX_ID_BYTES} UTF-8 bytes of well-formed UTF-16. */
    public static void validateId(String id) {
        if (id == null) {
            throw new InvalidMemoryException("id", "must not be null");
        }
        long bytes = utf8Length(id);
        if (bytes < 0) {
            throw new InvalidMemoryException("id", "must be well-formed UTF-16: unpaired surrogate at char " + (-bytes - 1));
        }
        if (bytes < 1 || bytes > MAX_ID_BYTES) {
            throw new InvalidMemoryException("id", "must be 1.." + MAX_ID_BYTES + " UTF-8 bytes, got " + bytes
                    + " ('" + abbreviate(id) + "')");
        }
    }

    private static void requireFinite(String field, float v) {
        if (!Float.isFinite(v)) {
            throw new InvalidMemoryException(field, "must be finite, got " + v);
        }
    }

    /**
     * The UTF-8 length of {@code s}, or {@code -(index + 1)} of the first unpaired surrogate.
     */
    static long utf8Length(String s) {
        long n = 0;
        int len = s.length();
        int i = 0;
        while (i < len) {
            char ch = s.charAt(i++);
            if (ch < 0x80) {
                n += 1;
            } else if (ch < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(ch)) {
                if (i < len && Character.isLowSurrogate(s.charAt(i))) {
                    n += 4;
                    i++;
                } else {
                    return -i;
                }
            } else if (Character.isLowSurrogate(ch)) {
                return -i;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** At most 40 chars of {@code s} for an error message. */
    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
