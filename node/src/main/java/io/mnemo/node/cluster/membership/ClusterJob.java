package io.mnemo.node.cluster.membership;

import java.io.Serializable;

/**
 * A job that runs on a cluster member. It is serialized to the member, so it must hold only its
 * parameters, never a node service: it reaches those through the {@link NodeContext} of the node it runs
 * on. Peer class loading is off, so the job's class must be on every node's classpath (a named class in
 * Mnemo's code; serializable lambdas work too as long as their defining class is on the classpath).
 *
 * @param <R> the result type, serializable
 */
@FunctionalInterface
public interface ClusterJob<R> extends Serializable {
    /**
     * Runs the job on the node described by {@code context}. An exception comes back to the caller as a
     * {@link ClusterJobException} of kind {@link ClusterJobException.Kind#JOB_FAILED} naming this node.
     */
    R run(NodeContext context) throws Exception;
}
