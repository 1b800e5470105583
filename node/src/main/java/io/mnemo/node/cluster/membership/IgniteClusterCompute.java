package io.mnemo.node.cluster.membership;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.compute.ComputeTaskTimeoutException;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.lang.IgniteFutureTimeoutException;

/**
 * {@link ClusterCompute} over Ignite's compute grid. A broadcast is one call per member rather than
 * Ignite's all-or-nothing broadcast, so that each member's result or failure is reported on its own.
 * Calls use no failover: a job meant for one node never silently runs on another.
 */
final class IgniteClusterCompute implements ClusterCompute {
    private final IgniteMembership membership;

    IgniteClusterCompute(IgniteMembership membership) {
        this.membership = membership;
    }

    @Override
    public <R> BroadcastResult<R> broadcast(ClusterJob<R> job, Duration timeout) {
        Objects.requireNonNull(job, "job");
        long deadlineNs = deadline(timeout);
        Map<String, IgniteFuture<R>> pending = new LinkedHashMap<>();
        Map<String, R> results = new LinkedHashMap<>();
        Map<String, ClusterJobException> failures = new LinkedHashMap<>();
        List<ClusterMember> members = membership.liveMembers();
        for (ClusterMember member : members) {
            try {
                pending.put(member.nodeId(), submit(member.nodeId(), job, timeout));
            } catch (ClusterJobException e) {
                failures.put(member.nodeId(), e);
            }
        }
        for (Map.Entry<String, IgniteFuture<R>> entry : pending.entrySet()) {
            try {
                results.put(entry.getKey(), await(entry.getKey(), entry.getValue(), deadlineNs));
            } catch (ClusterJobException e) {
                failures.put(entry.getKey(), e);
                if (e.kind() == ClusterJobException.Kind.INTERRUPTED) {
                    cancelAll(pending);
                    throw e;
                }
            }
        }
        return new BroadcastResult<>(results, failures);
    }

    @Override
    public <R> R call(String nodeId, ClusterJob<R> job, Duration timeout) {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(job, "job");
        long deadlineNs = deadline(timeout);
        return await(nodeId, submit(nodeId, job, timeout), deadlineNs);
    }

    @Override
    public <R> CompletableFuture<R> callAsync(String nodeId, ClusterJob<R> job, Duration timeout) {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(job, "job");
        CompletableFuture<R> out = new CompletableFuture<>();
        IgniteFuture<R> future;
        try {
            deadline(timeout);
            future = submit(nodeId, job, timeout);
        } catch (ClusterJobException e) {
            out.completeExceptionally(e);
            return out;
        } catch (RuntimeException e) {
            out.completeExceptionally(new ClusterJobException(nodeId, ClusterJobException.Kind.TRANSPORT,
                    String.valueOf(e.getMessage()), e));
            return out;
        }
        // Ignite's own task timeout ends the job; orTimeout is the backstop should its answer never arrive.
        CompletableFuture.delayedExecutor(timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS)
                .execute(() -> {
                    if (out.completeExceptionally(new ClusterJobException(nodeId, ClusterJobException.Kind.TIMED_OUT,
                            "no answer before the deadline", null))) {
                        future.cancel();
                    }
                });
        future.listen(f -> {
            try {
                out.complete(f.get());
            } catch (IgniteException e) {
                out.completeExceptionally(translate(nodeId, e));
            } catch (RuntimeException e) {
                out.completeExceptionally(new ClusterJobException(nodeId, ClusterJobException.Kind.TRANSPORT,
                        String.valueOf(e.getMessage()), e));
            }
        });
        return out;
    }

    private static long deadline(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return System.nanoTime() + timeout.toNanos();
    }

    private <R> IgniteFuture<R> submit(String nodeId, ClusterJob<R> job, Duration timeout) {
        Ignite ignite = membership.ignite();
        ClusterNode node = membership.igniteNode(nodeId);
        if (node == null) {
            throw new ClusterJobException(nodeId, ClusterJobException.Kind.UNKNOWN_NODE, "no live member has this id", null);
        }
        try {
            return ignite.compute(ignite.cluster().forNode(node))
                    .withNoFailover()
                    .withTimeout(Math.max(1, timeout.toMillis()))
                    .callAsync(new JobAdapter<>(job));
        } catch (IgniteException e) {
            throw translate(nodeId, e);
        }
    }

    private static <R> R await(String nodeId, IgniteFuture<R> future, long deadlineNs) {
        long remainingNs = Math.max(0, deadlineNs - System.nanoTime());
        try {
            return future.get(remainingNs, TimeUnit.NANOSECONDS);
        } catch (IgniteFutureTimeoutException e) {
            future.cancel();
            throw new ClusterJobException(nodeId, ClusterJobException.Kind.TIMED_OUT, "no answer before the deadline", e);
        } catch (IgniteException e) {
            throw translate(nodeId, e);
        }
    }

    private static ClusterJobException translate(String nodeId, IgniteException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RemoteJobFailure failure) {
                return new ClusterJobException(failure.nodeId(), ClusterJobException.Kind.JOB_FAILED,
                        String.valueOf(failure.getCause()), failure.getCause());
            }
        }
        if (e instanceof IgniteInterruptedException) {
            Thread.currentThread().interrupt();
            return new ClusterJobException(nodeId, ClusterJobException.Kind.INTERRUPTED, "interrupted while waiting", e);
        }
        if (e instanceof ComputeTaskTimeoutException) {
            return new ClusterJobException(nodeId, ClusterJobException.Kind.TIMED_OUT, "no answer before the deadline", e);
        }
        if (e instanceof ClusterTopologyException || e.hasCause(ClusterTopologyException.class)) {
            return new ClusterJobException(nodeId, ClusterJobException.Kind.NODE_LEFT, "member left before answering", e);
        }
        return new ClusterJobException(nodeId, ClusterJobException.Kind.TRANSPORT, String.valueOf(e.getMessage()), e);
    }

    private static <R> void cancelAll(Map<String, IgniteFuture<R>> pending) {
        for (IgniteFuture<R> future : pending.values()) {
            future.cancel();
        }
    }
}
