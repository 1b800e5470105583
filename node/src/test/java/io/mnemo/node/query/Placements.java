package io.mnemo.node.query;

import io.mnemo.node.replication.ReplicaPlacement;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.List;

/** A shard-map topology as the replica placement a node routes by (nothing moving), for the query tests. */
final class Placements {
    private Placements() {
    }

    static ReplicaPlacement of(Topology t) {
        List<List<Integer>> table = new ArrayList<>();
        for (int p = 0; p < t.partitions(); p++) {
            List<Integer> ids = new ArrayList<>();
            for (Member m : t.replicas(p)) {
                ids.add(Integer.parseInt(m.id()));
            }
            table.add(List.copyOf(ids));
        }
        return new ReplicaPlacement() {
            @Override
            public long epoch() {
                return t.epoch();
            }

            @Override
            public List<Integer> replicas(int partition) {
                return table.get(partition);
            }

            @Override
            public List<Integer> pendingReplicas(int partition) {
                return List.of();
            }

            @Override
            public int partitions() {
                return t.partitions();
            }
        };
    }
}
