package io.mnemo.client;

/**
 * A stored record failed its checksum on a replica, and no other replica could answer instead within the retry cap.
 * The node repairs the record from another replica where one has it; report persistent cases to the operators with
 * the file and checksums below.
 *
 * <pre>{@code
 * catch (CorruptionException e) { alert(e.file() + " expected " + e.expectedCrc() + " actual " + e.actualCrc()); }
 * }</pre>
 */
public class CorruptionException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String key;
    private final int expectedCrc;
    private final int actualCrc;

    public CorruptionException(String file, String key, int expectedCrc, int actualCrc, Throwable cause) {
        super("corrupt record " + key + " in " + file + " (crc32c expected " + Integer.toHexString(expectedCrc)
                + ", actual " + Integer.toHexString(actualCrc) + "); the node repairs it from another replica where "
                + "one has it: retry later, and report it to the operators if it persists", cause);
        this.file = file;
        this.key = key;
        this.expectedCrc = expectedCrc;
        this.actualCrc = actualCrc;
    }

    public String file() {
        return file;
    }

    public String key() {
        return key;
    }

    public int expectedCrc() {
        return expectedCrc;
    }

    public int actualCrc() {
        return actualCrc;
    }
}
