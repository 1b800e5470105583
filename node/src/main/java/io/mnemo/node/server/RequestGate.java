package io.mnemo.node.server;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admits client calls while the node serves and lets a drain wait for the admitted ones to finish.
 *
 * <p>Invariant (under {@code lock}): {@code inFlight >= 0}; once {@code open} is false it never becomes true
 * again, so after {@link #close()} the in-flight count only falls. Thread-safe; the lock is held only to
 * update and read these two fields, never while calling out.
 */
final class RequestGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean open;

    /** Starts admitting calls (the node became ready). */
    void open() {
        lock.lock();
        try {
            open = true;
        } finally {
            lock.unlock();
        }
    }

    /** Admits a call, or returns false when the node is not serving (starting or draining). */
    boolean tryEnter() {
        lock.lock();
        try {
            if (!open) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a call admitted by {@link #tryEnter()}. */
    void exit() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isOpen() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Stops admitting calls; those already admitted go on. */
    void close() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} for the admitted calls to finish; true if none is left. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long remainingNs = timeout.toNanos();
        lock.lock();
        try {
            while (inFlight > 0) {
                if (remainingNs <= 0) {
                    return false;
                }
                remainingNs = idle.awaitNanos(remainingNs);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
