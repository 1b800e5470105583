package io.mnemo.node.cluster.ownership;

import java.time.Duration;
import java.util.Optional;

/**
 * No Raft majority committed the proposal before its deadline: this node is on the minority side of a
 * partition, most of the group is down, or a leader election did not finish in time.
 *
 * <p>Retryable. The outcome is unknown: the command may still commit later (a leader that was cut off
 * can have appended it). Retrying is safe because every {@link BaselineCommand} is idempotent.
 */
public final class NoQuorumException extends OwnershipException {
    private static final long serialVersionUID = 1L;

    private final Duration waited;
    private final String leaderHint;

    NoQuorumException(String message, long lastKnownEpoch, Duration waited, String leaderHint, Throwable cause) {
        super(message, lastKnownEpoch, cause);
        this.waited = waited;
        this.leaderHint = leaderHint;
    }

    /** How long the proposal was tried. */
    public Duration waited() {
        return waited;
    }

    /** The Raft id of the last leader this node knew of, if any. */
    public Optional<String> leaderHint() {
        return Optional.ofNullable(leaderHint);
    }

    /** Always true: a majority may be reachable later. */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
