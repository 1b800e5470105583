package io.mnemo.node.numa;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Receives every Throwable a worker task throws, so no failure on a background thread goes unseen. */
@FunctionalInterface
public interface WorkerErrorHandler {

    /**
     * Called on the failing worker thread after the pool's failure counter was incremented. Must not
     * block for long; an exception it throws is logged and otherwise ignored.
     *
     * @param pool   the pool's name, e.g. {@code numa0}
     * @param thread the worker thread's name
     * @param error  what the task threw
     */
    void onError(String pool, String thread, Throwable error);

    /** Logs at ERROR through SLF4J. */
    static WorkerErrorHandler logging() {
        Logger log = LoggerFactory.getLogger(WorkerErrorHandler.class);
        return (pool, thread, error) -> log.error("task failed on NUMA worker pool {} thread {}", pool, thread, error);
    }
}
