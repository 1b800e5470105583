package io.mnemo.node.cluster.ownership;

import java.util.Objects;

/**
 * What applying one command did.
 *
 * @param outcome APPLIED (the epoch moved), UNCHANGED (already in effect; same epoch) or REJECTED
 * @param state   the state after the command (the unchanged state when rejected)
 * @param reason  why it was rejected; null unless REJECTED
 * @param message a sentence naming the conflict; empty unless REJECTED
 */
public record CommandResult(Outcome outcome, BaselineState state, RejectionReason reason, String message) {

    /** The three outcomes. The wire codes are part of the persisted format: never renumber. */
    public enum Outcome {
        /** The command changed the topology: the state has a new epoch. */
        APPLIED(1),
        /** The command was already in effect: same epoch (a confirmation time may have moved). */
        UNCHANGED(2),
        /** The command conflicts with the baseline: nothing changed. */
        REJECTED(3);

        private final int code;

        Outcome(int code) {
            this.code = code;
        }

        int code() {
            return code;
        }

        static Outcome fromCode(int code) {
            for (Outcome o : values()) {
                if (o.code == code) {
                    return o;
                }
            }
            throw new IllegalArgumentException("outcome code must be in [1, 3], got " + code);
        }
    }

    /** Checks that a rejection carries a reason and only a rejection does. */
    public CommandResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(message, "message");
        if ((outcome == Outcome.REJECTED) != (reason != null)) {
            throw new IllegalArgumentException("a reason must be given exactly for REJECTED, got " + outcome + " with " + reason);
        }
    }

    static CommandResult applied(BaselineState state) {
        return new CommandResult(Outcome.APPLIED, state, null, "");
    }

    static CommandResult unchanged(BaselineState state) {
        return new CommandResult(Outcome.UNCHANGED, state, null, "");
    }

    static CommandResult rejected(BaselineState state, RejectionReason reason, String message) {
        return new CommandResult(Outcome.REJECTED, state, reason, message);
    }
}
