package io.mnemo.node.storage;

/** A write would exceed a space quota or the node's configured capacity. Free space or raise the limit. */
public final class QuotaExceededException extends StorageException {
    private static final long serialVersionUID = 1L;

    public QuotaExceededException(String message) {
        super(message);
    }

    public QuotaExceededException(String message, Throwable cause) {
        super(message, cause);
    }
}
