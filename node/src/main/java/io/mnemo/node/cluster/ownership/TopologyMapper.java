package io.mnemo.node.cluster.ownership;

import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Turns a baseline into the shard map's {@link Topology} for the same epoch.
 *
 * <p>Only ACTIVE members own replicas: a DRAINING member is left out, so the topology of the epoch that
 * marked it draining already places its partitions elsewhere and rebalancing moves its data off; it stays
 * in the baseline (reachable at its endpoint, streaming its data out) until it is removed. RF goes over
 * as configured; the topology caps it by the number of members.
 */
public final class TopologyMapper {
    private TopologyMapper() {
    }

    /**
     * The topology of {@code state}'s epoch.
     *
     * @throws IllegalStateException if the baseline is not initialized yet (there is no P)
     */
    public static Topology toTopology(BaselineState state) {
        if (!state.isInitialized()) {
            throw new IllegalStateException("the baseline is not initialized (epoch 0): there is no topology before Init");
        }
        return topologyOf(state.epoch(), state.partitions(), state.replicationFactor(), state.activeMembers());
    }

    /**
     * The source topology of the placement change in progress (the last stable placement, numbered with
     * {@code state}'s epoch), or empty when no partition is moving.
     */
    public static Optional<Topology> sourceTopology(BaselineState state) {
        return state.transition().map(t -> topologyOf(state.epoch(), state.partitions(), state.replicationFactor(), t.source()));
    }

    static Topology topologyOf(long epoch, int partitions, int replicationFactor, Collection<BaselineMember> owners) {
        List<Member> members = new ArrayList<>();
        for (BaselineMember m : owners) {
            members.add(Member.of(m.id(), m.endpoint(), m.weight(), m.zone()));
        }
        return Topology.of(epoch, partitions, replicationFactor, members);
    }
}
