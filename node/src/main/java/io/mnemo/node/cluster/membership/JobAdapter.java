package io.mnemo.node.cluster.membership;

import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Wraps a {@link ClusterJob} as the callable Ignite ships to a member. On the member it finds the local
 * {@link NodeContext} and tags any exception with the member's node id.
 */
final class JobAdapter<R> implements IgniteCallable<R> {
    private static final long serialVersionUID = 1L;

    private final ClusterJob<R> job;

    /** Injected by Ignite on the node that runs the job. */
    @IgniteInstanceResource
    private transient Ignite ignite;

    JobAdapter(ClusterJob<R> job) {
        this.job = job;
    }

    @Override
    public R call() {
        NodeContext context = NodeContexts.get(ignite.name());
        if (context == null) {
            throw new RemoteJobFailure(String.valueOf(ignite.cluster().localNode().consistentId()),
                    new IllegalStateException("membership of Ignite node " + ignite.name() + " is closing"));
        }
        try {
            return job.run(context);
        } catch (Exception e) {
            throw new RemoteJobFailure(context.nodeId(), e);
        }
    }
}
