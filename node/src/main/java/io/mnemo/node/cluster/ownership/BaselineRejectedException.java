package io.mnemo.node.cluster.ownership;

/**
 * The state machine committed the proposal and rejected it: it conflicts with the baseline (see
 * {@link #reason()}). Not retryable: the same command is rejected again until the baseline changes.
 */
public final class BaselineRejectedException extends OwnershipException {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final transient BaselineCommand command;

    BaselineRejectedException(BaselineCommand command, RejectionReason reason, String message, long epoch) {
        super(command.kind() + " rejected (" + reason + ") at epoch " + epoch + ": " + message, epoch, null);
        this.reason = reason;
        this.command = command;
    }

    /** Why the command was rejected. */
    public RejectionReason reason() {
        return reason;
    }

    /** The rejected command; null if this exception was deserialized. */
    public BaselineCommand command() {
        return command;
    }

    /** Always false. */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
