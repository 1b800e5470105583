package io.mnemo.node.cluster.ownership;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers new epochs to listeners on one executor, outside every lock of the caller.
 *
 * <p>The executor must run tasks one at a time, in submission order (a single-thread executor, or
 * {@code Runnable::run} in tests). {@link #publish} only enqueues, so the Raft thread that applies
 * commands never waits for a listener. Each registration remembers the last epoch it delivered (read and
 * written only by tasks on the executor, which run one at a time) and drops anything not newer, so a
 * listener sees strictly increasing epochs, each once, whatever interleaving of {@link #add} and
 * {@link #publish} produced the tasks.
 */
final class EpochNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(EpochNotifier.class);

    private final Executor executor;
    private final Supplier<BaselineState> current;
    private final CopyOnWriteArrayList<Registration> registrations = new CopyOnWriteArrayList<>();
    private final LongAdder failures = new LongAdder();

    EpochNotifier(Executor executor, Supplier<BaselineState> current) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.current = Objects.requireNonNull(current, "current");
    }

    /**
     * Registers a listener and schedules its first call with the state current now. Every epoch applied
     * after this read is published after it too, so the listener misses none of them.
     */
    OwnershipLog.Subscription add(EpochListener listener) {
        Registration r = new Registration(Objects.requireNonNull(listener, "listener"));
        registrations.add(r);
        BaselineState atRegistration = current.get();
        submit(() -> deliver(r, atRegistration));
        return r;
    }

    /** Schedules delivery of {@code state} to every listener registered when the task runs. */
    void publish(BaselineState state) {
        submit(() -> {
            for (Registration r : registrations) {
                deliver(r, state);
            }
        });
    }

    long failureCount() {
        return failures.sum();
    }

    /** Drops every listener; tasks already queued deliver nothing more. */
    void clear() {
        for (Registration r : registrations) {
            r.close();
        }
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("epoch notification dropped: the listener executor is shut down");
        }
    }

    private void deliver(Registration r, BaselineState state) {
        if (!r.active || !state.isInitialized() || state.epoch() <= r.lastEpoch) {
            return;
        }
        r.lastEpoch = state.epoch();
        try {
            r.listener.onEpoch(state);
        } catch (Throwable t) {
            failures.increment();
            LOG.error("epoch listener {} failed at epoch {}", r.listener, state.epoch(), t);
            if (t instanceof Error) {
                throw (Error) t;
            }
        }
    }

    private final class Registration implements OwnershipLog.Subscription {
        final EpochListener listener;
        /** Set false once; read by executor tasks. */
        volatile boolean active = true;
        /** The last epoch delivered; only executor tasks (one at a time) touch it. */
        long lastEpoch;

        Registration(EpochListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            active = false;
            registrations.remove(this);
        }
    }
}
