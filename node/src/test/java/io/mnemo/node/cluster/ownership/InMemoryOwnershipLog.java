package io.mnemo.node.cluster.ownership;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A single-process {@link OwnershipLog} for tests of code that uses one: proposals apply at once with the
 * real {@link BaselineTransitions}; {@link #loseQuorum} makes them fail with {@link NoQuorumException}
 * the way a node cut off from the majority sees it.
 */
final class InMemoryOwnershipLog implements OwnershipLog {
    private final Object lock = new Object();
    private final ExecutorService listenerExecutor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-memory-ownership-listeners");
        t.setDaemon(true);
        return t;
    });
    private final EpochNotifier notifier = new EpochNotifier(listenerExecutor, this::stateNow);
    /** Guarded by {@link #lock}; volatile so that {@link #current()} reads it without the lock. */
    private volatile BaselineState state = BaselineState.empty();
    private volatile boolean quorum = true;
    private volatile boolean closed;

    /** Makes later proposals fail as if no majority were reachable ({@code false}) or work again ({@code true}). */
    void loseQuorum(boolean lost) {
        quorum = !lost;
    }

    @Override
    public BaselineState current() {
        checkOpen();
        return state;
    }

    @Override
    public CompletableFuture<BaselineState> propose(BaselineCommand command) {
        Objects.requireNonNull(command, "command");
        checkOpen();
        if (!quorum) {
            return CompletableFuture.failedFuture(new NoQuorumException("no majority (simulated)", state.epoch(), Duration.ZERO,
                    null, null));
        }
        CommandResult r;
        synchronized (lock) {
            BaselineState before = state;
            r = BaselineTransitions.apply(before, command);
            state = r.state();
            if (r.state().epoch() > before.epoch()) {
                notifier.publish(r.state()); // only enqueues; under the lock so epochs are queued in order
            }
        }
        if (r.outcome() == CommandResult.Outcome.REJECTED) {
            return CompletableFuture.failedFuture(new BaselineRejectedException(command, r.reason(), r.message(), r.state().epoch()));
        }
        return CompletableFuture.completedFuture(r.state());
    }

    @Override
    public Subscription addEpochListener(EpochListener listener) {
        checkOpen();
        return notifier.add(listener);
    }

    @Override
    public boolean isLeader() {
        return !closed;
    }

    @Override
    public Optional<String> leaderId() {
        return closed ? Optional.empty() : Optional.of("in-memory");
    }

    @Override
    public long listenerFailureCount() {
        return notifier.failureCount();
    }

    @Override
    public void close() {
        closed = true;
        notifier.clear();
        listenerExecutor.shutdown();
    }

    private BaselineState stateNow() {
        return state;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("in-memory ownership log is closed");
        }
    }
}
