package io.mnemo.node.storage;

/** The store was closed; open a new one. */
public final class StoreClosedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String what) {
        super(what + " is closed");
    }
}
