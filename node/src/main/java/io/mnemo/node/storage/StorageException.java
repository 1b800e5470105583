package io.mnemo.node.storage;

/**
 * The root of the storage engine's typed errors. Each subclass says what was wrong and what to do next,
 * and maps to one error kind on the wire.
 */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
