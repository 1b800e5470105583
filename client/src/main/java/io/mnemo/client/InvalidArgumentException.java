package io.mnemo.client;

/**
 * A request field was refused, by the client's own checks or by the server. Never retried: fix the named field.
 *
 * <pre>{@code
 * catch (InvalidArgumentException e) { System.err.println(e.field() + " (limit " + e.limit() + ")"); }
 * }</pre>
 */
public class InvalidArgumentException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String limit;

    public InvalidArgumentException(String field, String reason, String limit) {
        this(field, reason, limit, null);
    }

    public InvalidArgumentException(String field, String reason, String limit, Throwable cause) {
        super(field + ": " + reason + (limit.isEmpty() ? "" : " (limit: " + limit + ")")
                + "; fix this field and send again, retrying as is cannot succeed", cause);
        this.field = field;
        this.limit = limit;
    }

    /** Path of the refused field, e.g. {@code "memory.id"} or {@code "memories[3].embedding"}. */
    public String field() {
        return field;
    }

    /** The broken limit as text ({@code "1..256 bytes"}), empty when there is none. */
    public String limit() {
        return limit;
    }
}
