package io.mnemo.node.cluster.membership;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers membership events to listeners on one dedicated thread, in the order they were submitted.
 *
 * <p>Ignite reports discovery events on its discovery notifier thread, which must never block (it would
 * stall failure detection for the whole node), so events are handed over here and delivered later,
 * holding no lock. Listener exceptions are logged and counted; an {@link Error} is counted and rethrown
 * (the executor replaces the thread, later events still flow).
 */
final class ListenerDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);

    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder failures = new LongAdder();
    private final ExecutorService executor;

    ListenerDispatcher(String nodeId) {
        executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "mnemo-membership-events-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    void add(MembershipListener listener) {
        listeners.add(listener);
    }

    boolean remove(MembershipListener listener) {
        return listeners.remove(listener);
    }

    long failureCount() {
        return failures.sum();
    }

    /** Queues the event for every listener; events after {@link #close()} are dropped. */
    void dispatch(MembershipEvent event) {
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException e) {
            LOG.debug("membership closed, dropped {}", event);
        }
    }

    private void deliver(MembershipEvent event) {
        for (MembershipListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                failures.increment();
                LOG.warn("membership listener {} failed on {}", listener, event, e);
            } catch (Error e) {
                failures.increment();
                LOG.error("membership listener {} failed on {}", listener, event, e);
                throw e;
            }
        }
    }

    /** Stops accepting events and lets the queued ones finish, waiting at most {@code waitMs}. */
    void close(long waitMs) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
                LOG.warn("membership listeners still busy after {} ms; interrupting", waitMs);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(2_000);
    }
}
