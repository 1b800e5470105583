package io.mnemo.client;

/**
 * The space does not exist, or the memory does not exist in it (or was removed). Note that
 * {@link MnemoClient#recall(String)} reports a missing memory as an empty {@code Optional}, not with this exception;
 * it is thrown when the space itself is missing, and by calls that need an existing target.
 *
 * <pre>{@code
 * catch (NotFoundException e) { client.createSpace(SpaceInfo.named(e.space())); }
 * }</pre>
 */
public class NotFoundException extends MnemoException {
    private static final long serialVersionUID = 1L;
    private final String space;
    private final String id;

    public NotFoundException(String space, String id, Throwable cause) {
        super(id.isEmpty()
                ? "no space '" + space + "': create it with createSpace or check the name"
                : "no memory '" + id + "' in space '" + space + "'", cause);
        this.space = space;
        this.id = id;
    }

    public String space() {
        return space;
    }

    /** The memory's id; empty when the space itself is missing. */
    public String id() {
        return id;
    }
}
