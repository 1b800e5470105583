package io.mnemo.node.cluster.membership;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@link ClusterJob}s on live members. Thread-safe; throws {@link IllegalStateException} once the
 * membership it belongs to is closed.
 */
public interface ClusterCompute {
    /**
     * Runs the job on every live member (this node included) and gathers what came back within the
     * deadline. Never throws for a member's failure: it is in {@link BroadcastResult#failures()}.
     *
     * @param timeout how long to wait for all members; members that have not answered by then are
     *                failures of kind {@link ClusterJobException.Kind#TIMED_OUT}
     */
    <R> BroadcastResult<R> broadcast(ClusterJob<R> job, Duration timeout);

    /**
     * Runs the job on the member {@code nodeId} and returns its result.
     *
     * @throws ClusterJobException naming the node and the kind of failure
     */
    <R> R call(String nodeId, ClusterJob<R> job, Duration timeout);

    /**
     * Runs the job on the member {@code nodeId} without blocking the caller: the future completes with the result,
     * or exceptionally with a {@link ClusterJobException} naming the node and the kind of failure (never any other
     * exception). Scatter-gather queries use it to wait for many members at once and to retry one member's share
     * elsewhere as soon as that member fails.
     */
    <R> CompletableFuture<R> callAsync(String nodeId, ClusterJob<R> job, Duration timeout);
}
