package io.mnemo.node.cluster.ownership;

/**
 * Bytes that are not a valid encoded baseline state, command or result: wrong magic, an unknown format
 * version, a truncated or oversized field, a value that breaks a rule, or trailing bytes. The message names
 * what was being read, the field, the byte offset and the value found.
 */
public final class BaselineFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    BaselineFormatException(String message, long offset, Throwable cause) {
        super(message, cause);
        this.offset = offset;
    }

    /** The byte offset at which decoding failed. */
    public long offset() {
        return offset;
    }
}
