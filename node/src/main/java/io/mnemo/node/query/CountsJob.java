package io.mnemo.node.query;

import io.mnemo.node.cluster.membership.ClusterJob;
import io.mnemo.node.cluster.membership.NodeContext;

/** A node's share of a cluster-wide count: count these partitions ({@link LocalQueries#count}). */
final class CountsJob implements ClusterJob<CountsShard> {
    private static final long serialVersionUID = 1L;

    private final String space;
    private final int[] partitions;

    CountsJob(String space, int[] partitions) {
        this.space = space;
        this.partitions = partitions.clone();
    }

    @Override
    public CountsShard run(NodeContext context) {
        return context.service(LocalQueries.class).count(space, partitions);
    }
}
