package io.mnemo.client;

import io.mnemo.client.internal.TopologyView;
import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.Memory;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.shardmap.PartitionFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * Fake nodes sharing one data map (replication is instant here) and one topology that tests move at will. The
 * default placement: partition p's replicas are nodes p, p+1, ... (mod n), RF of them.
 */
final class FakeCluster implements AutoCloseable {
    private final PartitionFunction function;
    private final List<FakeNode> nodes = new ArrayList<>();
    private final Map<String, Memory> data = new ConcurrentHashMap<>();
    private final AtomicReference<Topology> topology = new AtomicReference<>();
    private final AtomicLong hlc = new AtomicLong(1L << 16);

    private FakeCluster(int partitions) {
        this.function = PartitionFunction.of(partitions);
    }

    /** {@code n} nodes in zones z0, z1, ...; topology epoch 1 with replication factor {@code rf}. */
    static FakeCluster start(int n, int partitions, int rf) throws java.io.IOException {
        FakeCluster c = new FakeCluster(partitions);
        for (int i = 0; i < n; i++) {
            c.nodes.add(new FakeNode(c, i, "z" + i));
        }
        c.setTopology(1, p -> {
            List<Integer> r = new ArrayList<>();
            for (int k = 0; k < rf; k++) {
                r.add((p + k) % n);
            }
            return r;
        });
        return c;
    }

    /** Moves the cluster to {@code epoch} with partition p held by {@code replicas.apply(p)}, in order. */
    void setTopology(long epoch, IntFunction<List<Integer>> replicas) {
        Topology.Builder t = Topology.newBuilder().setEpoch(epoch).setPartitionCount(function.partitions())
                .setPartitionFunction(TopologyView.PARTITION_FUNCTION_ID);
        for (FakeNode n : nodes) {
            t.addMembers(Member.newBuilder().setId(n.id).setEndpoint(n.endpoint).setZone(n.zone).setWeight(1)
                    .setState(MemberState.MEMBER_STATE_ACTIVE));
        }
        int rf = 0;
        for (int p = 0; p < function.partitions(); p++) {
            List<Integer> r = replicas.apply(p);
            rf = r.size();
            t.addPartitions(PartitionReplicas.newBuilder().setPartition(p).addAllReplicas(r));
        }
        topology.set(t.setReplicationFactor(rf).build());
    }

    /** Edits the current topology. */
    void editTopology(UnaryOperator<Topology> edit) {
        topology.set(edit.apply(topology.get()));
    }

    Topology topology() {
        return topology.get();
    }

    PartitionFunction function() {
        return function;
    }

    FakeNode node(int id) {
        return nodes.get(id);
    }

    List<FakeNode> nodes() {
        return nodes;
    }

    /** The replica node ids of a key at the current epoch, in order. */
    List<Integer> replicasOf(String space, String id) {
        return topology.get().getPartitions(function.partitionOf(space, id)).getReplicasList();
    }

    String[] seeds() {
        return nodes.stream().map(n -> n.endpoint).toArray(String[]::new);
    }

    int totalCalls(String method) {
        return nodes.stream().mapToInt(n -> n.calls(method)).sum();
    }

    long nextHlc() {
        return hlc.addAndGet(1);
    }

    void put(Memory m) {
        data.put(m.getSpace() + "/" + m.getId(), m);
    }

    Memory get(String space, String id) {
        return data.get(space + "/" + id);
    }

    boolean remove(String space, String id) {
        return data.remove(space + "/" + id) != null;
    }

    List<Memory> all(String space) {
        return data.values().stream().filter(m -> space.isEmpty() || m.getSpace().equals(space)).toList();
    }

    @Override
    public void close() {
        for (FakeNode n : nodes) {
            n.close();
        }
    }
}
