package io.mnemo.node.server;

import io.mnemo.node.cluster.ownership.BaselineState;
import io.mnemo.node.cluster.ownership.TopologyMapper;
import io.mnemo.node.replication.MoveRule;
import io.mnemo.node.replication.ReplicaPlacement;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A baseline's placement seen as replication's {@link ReplicaPlacement}. Shard-map members are named by strings;
 * replication names nodes by their numeric id, so a member's id must be the decimal node id (the assembly names
 * members that way). The replica lists are converted once, at construction: an immutable snapshot.
 *
 * <p>During a placement change the placement holds two topologies: the source S (the last stable placement) and
 * the target T (the baseline's active members). A partition whose replica sets differ ({@link MoveRule}) is
 * moving: {@link #replicas} is S's list (reads keep going to the old owners, who hold everything acknowledged,
 * until the receivers confirm) and {@link #pendingReplicas} is T's list (writes need a joint quorum, so every
 * write acknowledged from now on is also on a majority of T). Other partitions use T's list and nothing pends.
 *
 * <p>{@link #epoch()} is the <em>ownership</em> epoch, the version of this placement, which replicas compare; it
 * moves only when the placement (or a move's state) changes, so a change that moves nothing (a space created)
 * never fences replication. {@link #topology()} is the target topology with the baseline's topology epoch, for
 * clients; {@link ProtoMapping#toWire(TopologyPlacement)} describes the move to them (source lists as replicas,
 * target lists as pending replicas).
 */
final class TopologyPlacement implements ReplicaPlacement {
    private final Topology topology;
    /** The source topology while a partition moves; null when nothing does. */
    private final Topology source;
    private final long ownershipEpoch;
    private final List<List<Integer>> replicas;
    private final List<List<Integer>> pending;
    private final int moving;

    /** A placement with nothing moving, versioned by the topology's epoch (a one-node cluster). */
    TopologyPlacement(Topology topology) {
        this(topology, null, topology.epoch());
    }

    /**
     * A placement of {@code target}, moving from {@code source} when it is not null.
     *
     * @param ownershipEpoch the baseline's ownership epoch
     */
    TopologyPlacement(Topology target, Topology source, long ownershipEpoch) {
        this.topology = Objects.requireNonNull(target, "target");
        this.ownershipEpoch = ownershipEpoch;
        List<List<Integer>> cur = new ArrayList<>(target.partitions());
        List<List<Integer>> pend = new ArrayList<>(target.partitions());
        int count = 0;
        for (int p = 0; p < target.partitions(); p++) {
            List<Integer> t = ids(target.replicas(p));
            List<Integer> s = source == null ? t : ids(source.replicas(p));
            if (MoveRule.isMoving(s, t)) {
                cur.add(s);
                pend.add(t);
                count++;
            } else {
                cur.add(t);
                pend.add(List.of());
            }
        }
        this.replicas = Collections.unmodifiableList(cur);
        this.pending = Collections.unmodifiableList(pend);
        this.moving = count;
        this.source = count == 0 ? null : source;
    }

    /** The placement of a committed baseline: its target topology, moving from its transition's source if any. */
    static TopologyPlacement of(BaselineState state) {
        return new TopologyPlacement(TopologyMapper.toTopology(state), TopologyMapper.sourceTopology(state).orElse(null),
                state.ownershipEpoch());
    }

    private static List<Integer> ids(List<Member> members) {
        List<Integer> ids = new ArrayList<>(members.size());
        for (Member m : members) {
            ids.add(nodeIdOf(m));
        }
        return List.copyOf(ids);
    }

    /** The numeric node id a member stands for. */
    static int nodeIdOf(Member m) {
        try {
            return Integer.parseInt(m.id());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member id must be a numeric node id, got '" + m.id() + "'", e);
        }
    }

    /** The target topology, numbered with the baseline's topology epoch. */
    Topology topology() {
        return topology;
    }

    /** The source topology of the move in progress (members, weights, zones of S); empty when nothing moves. */
    Optional<Topology> source() {
        return Optional.ofNullable(source);
    }

    /** The member with node id {@code node} in the target, else in the source; empty if neither names it. */
    Optional<Member> member(int node) {
        String id = Integer.toString(node);
        Optional<Member> m = topology.member(id);
        return m.isPresent() || source == null ? m : source.member(id);
    }

    /** The number of partitions moving in this placement. */
    int movingPartitions() {
        return moving;
    }

    @Override
    public long epoch() {
        return ownershipEpoch;
    }

    @Override
    public List<Integer> replicas(int partition) {
        return replicas.get(partition);
    }

    @Override
    public List<Integer> pendingReplicas(int partition) {
        return pending.get(partition);
    }

    @Override
    public int partitions() {
        return topology.partitions();
    }

    @Override
    public String toString() {
        return "TopologyPlacement[epoch=" + topology.epoch() + ", ownershipEpoch=" + ownershipEpoch + ", members="
                + topology.members().size() + ", moving=" + moving + "]";
    }
}
