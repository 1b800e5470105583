package io.mnemo.node.replication;

import io.mnemo.node.storage.CorruptionDetectedException;
import io.mnemo.node.storage.InvalidMemoryException;
import io.mnemo.node.storage.QuotaExceededException;
import io.mnemo.node.storage.StoreClosedException;
import io.mnemo.node.storage.UnknownSpaceException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one place that decides what a failed replica call means: whether the missed write is kept as a hint, and
 * whether the caller may retry. Every kind has its rule and the reason for it.
 */
final class Failures {

    /** What went wrong with one call to one replica. */
    enum Kind {
        /** No answer: unreachable, dropped, timed out, or the replica said it cannot serve now. */
        UNAVAILABLE,
        /** The replica is at a newer epoch than the caller. */
        STALE_EPOCH,
        /** The replica does not hold the partition at its epoch. */
        WRONG_OWNER,
        /** The replica refused the content (invalid, unknown space, quota, corruption). */
        REJECTED,
        /** Anything else: a bug or an unexpected runtime failure. */
        UNEXPECTED
    }

    private Failures() {
    }

    /** The kind of {@code error}, looking through completion wrappers. */
    static Kind classify(Throwable error) {
        Throwable t = unwrap(error);
        if (t instanceof ReplicaUnavailableException || t instanceof TimeoutException || t instanceof StoreClosedException) {
            return Kind.UNAVAILABLE;
        }
        if (t instanceof StaleEpochException) {
            return Kind.STALE_EPOCH;
        }
        if (t instanceof WrongOwnerException) {
            return Kind.WRONG_OWNER;
        }
        if (t instanceof ReplicaRejectedException || t instanceof InvalidMemoryException || t instanceof UnknownSpaceException
                || t instanceof QuotaExceededException || t instanceof CorruptionDetectedException) {
            return Kind.REJECTED;
        }
        return Kind.UNEXPECTED;
    }

    /**
     * Whether a write a replica failed to take is kept as a hint for it.
     * <ul>
     *   <li>UNAVAILABLE: yes. This is what hints are for; the replica takes it once it answers pings again.</li>
     *   <li>STALE_EPOCH, WRONG_OWNER: no. The partition moved; anti-entropy on the epoch change reconciles the
     *       new owners, and a hint to a node that no longer owns the partition would only be refused again.</li>
     *   <li>REJECTED: no. The replica would refuse the same record again; the write's outcome says why.</li>
     *   <li>UNEXPECTED: yes. Not knowing what happened, redelivery is safe (last writer wins makes it
     *       idempotent) and anti-entropy backs it up if it fails again.</li>
     * </ul>
     */
    static boolean shouldHint(Kind kind) {
        switch (kind) {
            case UNAVAILABLE:
            case UNEXPECTED:
                return true;
            case STALE_EPOCH:
            case WRONG_OWNER:
            case REJECTED:
                return false;
            default:
                throw new IllegalArgumentException("unknown failure kind " + kind);
        }
    }

    /** {@code error} without {@link CompletionException}/{@link ExecutionException} wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CancellationException) {
            return new ReplicaUnavailableException(-1, "call cancelled", t);
        }
        return t;
    }
}
