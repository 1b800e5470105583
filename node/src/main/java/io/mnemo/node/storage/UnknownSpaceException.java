package io.mnemo.node.storage;

/** The named space does not exist; create it first with {@code createSpace}. */
public final class UnknownSpaceException extends StorageException {
    private static final long serialVersionUID = 1L;
    private final String space;

    public UnknownSpaceException(String space) {
        super("unknown space '" + space + "': create it first");
        this.space = space;
    }

    public String space() {
        return space;
    }
}
