package io.mnemo.node.query;

import io.mnemo.node.cluster.membership.ClusterJob;
import io.mnemo.node.cluster.membership.NodeContext;

/** A node's share of a recall by cue: search these partitions within this budget ({@link LocalQueries#searchCue}). */
final class CueJob implements ClusterJob<CueShard> {
    private static final long serialVersionUID = 1L;

    private final CueQuery query;
    private final int[] partitions;
    private final long budgetNs;

    CueJob(CueQuery query, int[] partitions, long budgetNs) {
        this.query = query;
        this.partitions = partitions.clone();
        this.budgetNs = budgetNs;
    }

    @Override
    public CueShard run(NodeContext context) {
        return context.service(LocalQueries.class).searchCue(query, partitions, budgetNs);
    }
}
