package io.mnemo.client.internal;

import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.Topology;
import io.mnemo.shardmap.PartitionFunction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One topology epoch as the client routes by it: which partition a key is in and, for each partition, the replica
 * endpoints in the order the client tries them. Immutable; built once per epoch and swapped in whole, so a call
 * always routes against one consistent snapshot.
 *
 * <p>Order of a partition's replicas: the replicas in the client's zone first (when it has one), then the others,
 * each part in the partition table's order (its first live replica coordinates writes); JOINING members, which do
 * not serve reads yet, last.
 *
 * <p>During a move (a partition with {@code pending_replicas}) the partition's {@code replicas} are the nodes that
 * hold its data and serve reads, and a call goes to them first, as for any partition. The pending replicas that
 * are not among them (the receivers) come after, in the same order: any of them can coordinate the call (the node
 * reads from the old replicas and writes to both sets), so a call whose first choices are all unreachable still
 * has somewhere to go. Scans and the replica sets they group by use {@code replicas} only: a receiver may not hold
 * the data yet. The member list ({@link #members()}) puts DRAINING members, which are about to leave, after the
 * others (before JOINING ones).
 */
public final class TopologyView {
    /**
     * The identity of the partition hash this client routes with ({@link PartitionFunction}: FNV-1a 64 over
     * {@code space 0x00 id}, fmix64, Lemire reduction). A topology naming another function is refused instead of
     * routing every call to the wrong owner; an empty name (a node that does not fill the field) is accepted.
     */
    public static final String PARTITION_FUNCTION_ID = PartitionFunction.ID;

    private final long epoch;
    private final PartitionFunction function;
    private final List<List<String>> replicaOrder;
    private final List<Set<Integer>> replicaSets;
    private final List<String> members;
    private final Map<Integer, String> endpointById;

    private TopologyView(long epoch, PartitionFunction function, List<List<String>> replicaOrder,
                         List<Set<Integer>> replicaSets, List<String> members, Map<Integer, String> endpointById) {
        this.epoch = epoch;
        this.function = function;
        this.replicaOrder = replicaOrder;
        this.replicaSets = replicaSets;
        this.members = members;
        this.endpointById = endpointById;
    }

    /**
     * Checks a topology from the wire and orders its replicas for a client in {@code zone} ({@code null}: none).
     *
     * @throws IllegalArgumentException saying what is inconsistent in the topology
     */
    public static TopologyView of(Topology t, String zone) {
        String fn = t.getPartitionFunction();
        if (!fn.isEmpty() && !fn.equals(PARTITION_FUNCTION_ID)) {
            throw new IllegalArgumentException("the cluster partitions with '" + fn + "' but this client routes with '"
                    + PARTITION_FUNCTION_ID + "': use a client version that matches the cluster");
        }
        if (t.getEpoch() == 0 || t.getPartitionCount() < 1 || t.getPartitionCount() > PartitionFunction.MAX_PARTITIONS) {
            throw new IllegalArgumentException("topology epoch " + t.getEpoch() + " with " + t.getPartitionCount()
                    + " partitions cannot be routed by (needs epoch > 0 and 1..65536 partitions)");
        }
        if (t.getPartitionsCount() != t.getPartitionCount()) {
            throw new IllegalArgumentException("topology epoch " + t.getEpoch() + " lists " + t.getPartitionsCount()
                    + " partitions, expected partition_count = " + t.getPartitionCount());
        }
        Map<Integer, Member> byId = new LinkedHashMap<>();
        for (Member m : t.getMembersList()) {
            HostPort.parse(m.getEndpoint());
            byId.put(m.getId(), m);
        }
        List<List<String>> order = new ArrayList<>(t.getPartitionCount());
        List<Set<Integer>> sets = new ArrayList<>(t.getPartitionCount());
        for (int p = 0; p < t.getPartitionCount(); p++) {
            PartitionReplicas pr = t.getPartitions(p);
            if (pr.getPartition() != p || pr.getReplicasCount() == 0) {
                throw new IllegalArgumentException("topology epoch " + t.getEpoch() + ": entry " + p + " is partition "
                        + pr.getPartition() + " with " + pr.getReplicasCount() + " replicas");
            }
            List<Member> replicas = new ArrayList<>();
            for (int id : pr.getReplicasList()) {
                replicas.add(member(byId, t.getEpoch(), p, id));
            }
            List<Member> receivers = new ArrayList<>();
            for (int id : pr.getPendingReplicasList()) {
                Member m = member(byId, t.getEpoch(), p, id);
                if (!pr.getReplicasList().contains(id)) {
                    receivers.add(m);
                }
            }
            List<String> endpoints = new ArrayList<>(ordered(replicas, zone, false));
            for (String e : ordered(receivers, zone, false)) {
                if (!endpoints.contains(e)) {
                    endpoints.add(e);
                }
            }
            order.add(List.copyOf(endpoints));
            sets.add(Collections.unmodifiableSet(new TreeSet<>(pr.getReplicasList())));
        }
        Map<Integer, String> endpoints = new LinkedHashMap<>();
        byId.forEach((id, m) -> endpoints.put(id, m.getEndpoint()));
        return new TopologyView(t.getEpoch(), PartitionFunction.of(t.getPartitionCount()), List.copyOf(order),
                List.copyOf(sets), ordered(new ArrayList<>(byId.values()), zone, true), Collections.unmodifiableMap(endpoints));
    }

    private static Member member(Map<Integer, Member> byId, long epoch, int partition, int id) {
        Member m = byId.get(id);
        if (m == null) {
            throw new IllegalArgumentException("topology epoch " + epoch + ": partition " + partition
                    + " names member " + id + ", which is not in the member list");
        }
        return m;
    }

    /**
     * Same zone first, then the others, then (when {@code drainingLast}) DRAINING members, then JOINING ones; each part
     * in the given order.
     */
    private static List<String> ordered(List<Member> members, String zone, boolean drainingLast) {
        List<String> sameZone = new ArrayList<>();
        List<String> other = new ArrayList<>();
        List<String> draining = new ArrayList<>();
        List<String> joining = new ArrayList<>();
        for (Member m : members) {
            if (m.getState() == MemberState.MEMBER_STATE_JOINING) {
                joining.add(m.getEndpoint());
            } else if (drainingLast && m.getState() == MemberState.MEMBER_STATE_DRAINING) {
                draining.add(m.getEndpoint());
            } else if (zone != null && zone.equals(m.getZone())) {
                sameZone.add(m.getEndpoint());
            } else {
                other.add(m.getEndpoint());
            }
        }
        sameZone.addAll(other);
        sameZone.addAll(draining);
        sameZone.addAll(joining);
        return List.copyOf(sameZone);
    }

    public long epoch() {
        return epoch;
    }

    public int partitionCount() {
        return replicaOrder.size();
    }

    public int partitionOf(String space, String id) {
        return function.partitionOf(space, id);
    }

    /**
     * The endpoints that can coordinate a call on a partition, preferred first: its replicas, then, during a move,
     * the receivers (pending replicas that are not replicas). Never empty.
     */
    public List<String> replicas(int partition) {
        return replicaOrder.get(partition);
    }

    /** {@link #replicas(int)} of the key's partition. */
    public List<String> replicasOf(String space, String id) {
        return replicaOrder.get(partitionOf(space, id));
    }

    /** Every member's endpoint, same zone first: the targets of calls that any node can answer. */
    public List<String> members() {
        return members;
    }

    /** Member id to endpoint, in member-list order. */
    public Map<Integer, String> endpointsById() {
        return endpointById;
    }

    /**
     * The endpoints that hold every one of {@code partitions}, preferred first; empty when no member holds them
     * all (the topology moved them apart).
     */
    public List<String> holdersOfAll(List<Integer> partitions) {
        Set<Integer> common = null;
        for (int p : partitions) {
            if (common == null) {
                common = new TreeSet<>(replicaSets.get(p));
            } else {
                common.retainAll(replicaSets.get(p));
            }
        }
        if (common == null || common.isEmpty()) {
            return List.of();
        }
        Set<String> holders = new LinkedHashSet<>();
        for (String endpoint : replicaOrder.get(partitions.get(0))) {
            for (int id : common) {
                if (endpoint.equals(endpointById.get(id))) {
                    holders.add(endpoint);
                }
            }
        }
        return List.copyOf(holders);
    }

    /**
     * The partitions grouped by their replica set, so one server stream per group covers them: every member of the
     * set holds all of the group's partitions, which lets a broken stream resume on another member with the same
     * filters. Groups come in order of their first partition.
     */
    public List<List<Integer>> partitionsByReplicaSet() {
        Map<Set<Integer>, List<Integer>> groups = new LinkedHashMap<>();
        for (int p = 0; p < replicaSets.size(); p++) {
            groups.computeIfAbsent(replicaSets.get(p), k -> new ArrayList<>()).add(p);
        }
        List<List<Integer>> out = new ArrayList<>();
        groups.values().forEach(g -> out.add(List.copyOf(g)));
        return out;
    }

    @Override
    public String toString() {
        return "TopologyView[epoch=" + epoch + ", partitions=" + replicaOrder.size() + ", members=" + members + "]";
    }
}
