package io.mnemo.node.server;

import io.mnemo.node.replication.ReplicaPlacement;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A shard-map {@link Topology} seen as replication's {@link ReplicaPlacement}. Shard-map members are named by
 * strings; replication names nodes by their numeric id, so a member's id must be the decimal node id (the
 * assembly names members that way). The replica lists are converted once, at construction: the placement is an
 * immutable snapshot like the topology it wraps. No partition is ever moving in a placement built from one
 * topology; joint quorums need the pair of topologies of an epoch change, which rebalancing will supply.
 */
final class TopologyPlacement implements ReplicaPlacement {
    private final Topology topology;
    private final List<List<Integer>> replicas;

    TopologyPlacement(Topology topology) {
        this.topology = Objects.requireNonNull(topology, "topology");
        List<List<Integer>> lists = new ArrayList<>(topology.partitions());
        for (int p = 0; p < topology.partitions(); p++) {
            List<Integer> ids = new ArrayList<>();
            for (Member m : topology.replicas(p)) {
                ids.add(nodeIdOf(m));
            }
            lists.add(List.copyOf(ids));
        }
        this.replicas = Collections.unmodifiableList(lists);
    }

    /** The numeric node id a member stands for. */
    static int nodeIdOf(Member m) {
        try {
            return Integer.parseInt(m.id());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member id must be a numeric node id, got '" + m.id() + "'", e);
        }
    }

    Topology topology() {
        return topology;
    }

    @Override
    public long epoch() {
        return topology.epoch();
    }

    @Override
    public List<Integer> replicas(int partition) {
        return replicas.get(partition);
    }

    @Override
    public List<Integer> pendingReplicas(int partition) {
        return List.of();
    }

    @Override
    public int partitions() {
        return topology.partitions();
    }

    @Override
    public String toString() {
        return "TopologyPlacement[epoch=" + topology.epoch() + ", members=" + topology.members().size() + "]";
    }
}
