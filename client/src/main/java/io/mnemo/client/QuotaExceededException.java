package io.mnemo.client;

/**
 * A limit of a space or of a node was reached. Not retried: remove memories or have the quota raised first.
 *
 * <pre>{@code
 * catch (QuotaExceededException e) { System.err.println(e.quota() + " limit " + e.limit()); }
 * }</pre>
 */
public class QuotaExceededException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final String quota;
    private final String space;
    private final long limit;
    private final long requested;

    public QuotaExceededException(String quota, String space, long limit, long requested, Throwable cause) {
        super("quota " + quota + " of space '" + space + "' exceeded: " + requested + " > limit " + limit
                + "; remove memories or raise the quota, retrying as is cannot succeed", cause);
        this.quota = quota;
        this.space = space;
        this.limit = limit;
        this.requested = requested;
    }

    /** Which quota, e.g. {@code "space.bytes"}. */
    public String quota() {
        return quota;
    }

    public String space() {
        return space;
    }

    public long limit() {
        return limit;
    }

    /** The usage the refused call would have reached. */
    public long requested() {
        return requested;
    }
}
