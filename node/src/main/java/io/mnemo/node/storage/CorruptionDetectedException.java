package io.mnemo.node.storage;

import java.nio.file.Path;

/**
 * A stored record failed its integrity check. Never replaced by {@code null} or a default: the caller
 * learns which file and key are damaged and the checksums that disagree. Other keys stay readable; a
 * replicated cluster repairs the key from another replica.
 */
public final class CorruptionDetectedException extends StorageException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String key;
    private final long expectedChecksum;
    private final long actualChecksum;

    public CorruptionDetectedException(Path file, String key, long expectedChecksum, long actualChecksum, String detail) {
        super("corrupted record " + key + " in " + file + ": expected CRC32C " + Long.toHexString(expectedChecksum)
                + ", actual " + Long.toHexString(actualChecksum) + (detail == null ? "" : " (" + detail + ")"));
        this.file = file;
        this.key = key;
        this.expectedChecksum = expectedChecksum;
        this.actualChecksum = actualChecksum;
    }

    public Path file() {
        return file;
    }

    /** The damaged key as {@code space/id}. */
    public String key() {
        return key;
    }

    public long expectedChecksum() {
        return expectedChecksum;
    }

    public long actualChecksum() {
        return actualChecksum;
    }
}
