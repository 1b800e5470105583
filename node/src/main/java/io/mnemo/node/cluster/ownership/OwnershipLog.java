package io.mnemo.node.cluster.ownership;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated baseline as one node sees it: read the last committed state, propose changes, hear
 * about new epochs.
 *
 * <p>Implementations are thread-safe. {@link #close()} is idempotent; after it {@link #current()},
 * {@link #propose} and {@link #addEpochListener} throw {@link IllegalStateException}, {@link #isLeader()}
 * is false and {@link #leaderId()} empty.
 */
public interface OwnershipLog extends AutoCloseable {

    /**
     * The last baseline this node applied. It can lag the cluster's by the replication delay, and on the
     * minority side of a partition it stays at the last epoch this node saw committed.
     */
    BaselineState current();

    /**
     * Proposes a command. Completes with the state the command produced, or the state in which it was
     * already in effect, as committed by a majority; or exceptionally with
     * <ul>
     *   <li>{@link BaselineRejectedException} (not retryable) when the state machine refused it,</li>
     *   <li>{@link NoQuorumException} (retryable) when no majority committed it before the deadline,</li>
     *   <li>{@link IllegalStateException} when the log is closed meanwhile.</li>
     * </ul>
     * Never blocks. When this node is not the leader the command is forwarded to the leader; when there
     * is no leader yet it is retried until the deadline.
     */
    CompletableFuture<BaselineState> propose(BaselineCommand command);

    /**
     * Adds a listener for new epochs. The listener is first called with the current state (if it is
     * initialized), then with every later epoch this node applies, in order, each once, on a dedicated
     * thread and never while a lock is held. Epochs are strictly increasing per listener; intermediate
     * epochs are skipped only when this node catches up by installing a snapshot.
     *
     * @return a handle whose {@code close()} removes the listener
     */
    Subscription addEpochListener(EpochListener listener);

    /** Whether this node is the Raft leader now. */
    boolean isLeader();

    /** The Raft id of the current leader, if one is known. */
    Optional<String> leaderId();

    /** How many listener invocations threw. */
    long listenerFailureCount();

    /** Stops this node's part of the log. Idempotent and thread-safe. */
    @Override
    void close();

    /** Removes a listener when closed. Idempotent. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
