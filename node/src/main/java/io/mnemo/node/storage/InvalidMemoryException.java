package io.mnemo.node.storage;

/**
 * An input broke a rule. Names the field, the rule and the offending value (abbreviated), so the caller
 * can fix the request; retrying the same input can never succeed.
 */
public final class InvalidMemoryException extends StorageException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidMemoryException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The field that broke a rule, e.g. {@code "embedding[17]"} or {@code "content"}. */
    public String field() {
        return field;
    }
}
