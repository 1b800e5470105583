package io.mnemo.node.storage;

import java.nio.file.Path;

/**
 * A data file was written in a format this version cannot read (an unknown magic or a newer format
 * version). The message names the file, the found and supported versions, and the migration path.
 */
public final class UnsupportedFormatException extends StorageException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public UnsupportedFormatException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
