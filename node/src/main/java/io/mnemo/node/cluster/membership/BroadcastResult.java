package io.mnemo.node.cluster.membership;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a broadcast gathered: one entry per member it was sent to, either a result or a failure, keyed by
 * node id (sorted). A member appears in exactly one of the two maps.
 *
 * @param <R> the job's result type
 */
public final class BroadcastResult<R> {
    private final Map<String, R> results;
    private final Map<String, ClusterJobException> failures;

    BroadcastResult(Map<String, R> results, Map<String, ClusterJobException> failures) {
        this.results = Collections.unmodifiableMap(new TreeMap<>(results));
        this.failures = Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    /** Results by node id; a job may return null. */
    public Map<String, R> results() {
        return results;
    }

    /** Failures by node id. */
    public Map<String, ClusterJobException> failures() {
        return failures;
    }

    /** Whether every member answered with a result. */
    public boolean complete() {
        return failures.isEmpty();
    }

    /**
     * The results when every member answered.
     *
     * @throws ClusterJobException the failure of the first failing node (by id), the others suppressed
     */
    public Map<String, R> resultsOrThrow() {
        if (failures.isEmpty()) {
            return results;
        }
        ClusterJobException first = null;
        for (ClusterJobException failure : failures.values()) {
            if (first == null) {
                first = failure;
            } else {
                first.addSuppressed(failure);
            }
        }
        throw first;
    }

    @Override
    public String toString() {
        return "BroadcastResult{results=" + results.keySet() + ", failures=" + failures + "}";
    }
}
