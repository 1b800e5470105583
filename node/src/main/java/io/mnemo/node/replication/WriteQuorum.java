package io.mnemo.node.replication;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts the durable copies of one write against its quorum rule: {@code W} of the epoch's replica list and,
 * during an epoch change, also a majority of the pending list (joint quorum). A node in both lists counts for
 * both. Strict: only nodes in the lists count, whatever else answers.
 *
 * <p>Invariants (under the monitor): {@code acked} and {@code failed} are disjoint subsets of the two lists;
 * the state moves only from PENDING to MET or FAILED, once.
 */
final class WriteQuorum {
    enum State { PENDING, MET, FAILED }

    private final List<Integer> current;
    private final List<Integer> pending;
    private final int neededCurrent;
    private final int neededPending;
    private final Set<Integer> acked = new HashSet<>();
    private final Set<Integer> failed = new HashSet<>();
    private State state = State.PENDING;
    private boolean outcomeClaimed;

    WriteQuorum(List<Integer> current, List<Integer> pending, int neededCurrent) {
        this.current = List.copyOf(current);
        this.pending = List.copyOf(pending);
        this.neededCurrent = neededCurrent;
        this.neededPending = pending.isEmpty() ? 0 : pending.size() / 2 + 1;
        if (neededCurrent > current.size()) {
            state = State.FAILED;
        }
    }

    /** True if W can never be met by the replica list as configured (W larger than the list). */
    boolean impossibleByConfig() {
        return neededCurrent > current.size();
    }

    /** Records a durable copy on {@code node}; returns the state after it. */
    synchronized State ack(int node) {
        if (state == State.PENDING && !failed.contains(node)) {
            acked.add(node);
            if (count(current, acked) >= neededCurrent && count(pending, acked) >= neededPending) {
                state = State.MET;
            }
        }
        return state;
    }

    /** Records that {@code node} failed to take the write; returns the state after it. */
    synchronized State fail(int node) {
        if (state == State.PENDING && !acked.contains(node)) {
            failed.add(node);
            if (current.size() - count(current, failed) < neededCurrent
                    || pending.size() - count(pending, failed) < neededPending) {
                state = State.FAILED;
            }
        }
        return state;
    }

    /** True exactly once: for the caller that reports the write's outcome (ack or failure). */
    synchronized boolean claimOutcome() {
        if (outcomeClaimed || state == State.PENDING) {
            return false;
        }
        outcomeClaimed = true;
        return true;
    }

    /** Ends a pending write at its deadline; returns true if this call moved it to FAILED. */
    synchronized boolean expire() {
        if (state != State.PENDING) {
            return false;
        }
        state = State.FAILED;
        return true;
    }

    /** The failure to report: the list that fell short, with its needed and reached counts. */
    synchronized QuorumUnavailableException shortfall() {
        int reachedCurrent = count(current, acked);
        if (reachedCurrent < neededCurrent || pending.isEmpty()) {
            return new QuorumUnavailableException(neededCurrent, reachedCurrent, !impossibleByConfig(),
                    "write reached too few of replicas " + current);
        }
        return new QuorumUnavailableException(neededPending, count(pending, acked), true,
                "write reached too few of the incoming replicas " + pending + " (joint quorum)");
    }

    private static int count(List<Integer> nodes, Set<Integer> in) {
        int n = 0;
        for (int x : nodes) {
            if (in.contains(x)) {
                n++;
            }
        }
        return n;
    }
}
