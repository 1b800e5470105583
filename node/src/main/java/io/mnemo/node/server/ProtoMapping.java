package io.mnemo.node.server;

import io.mnemo.node.storage.Memory;
import io.mnemo.node.storage.SpaceConfig;
import io.mnemo.node.storage.TierCounts;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.SpaceSpec;
import io.mnemo.protocol.v1.Version;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.PartitionFunction;
import io.mnemo.shardmap.Topology;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Conversions between the wire types ({@code io.mnemo.protocol.v1}) and the node's own. Pure functions. The one
 * rule that needs care: content absent and content {@code ""} are different values, so the wire's field presence
 * ({@code hasContent}) maps to {@code null} versus a string, in both directions.
 */
final class ProtoMapping {
    /**
     * Identity of the partition hash ({@code PartitionFunction}: FNV-1a 64 over space, 0x00, id; fmix64; Lemire
     * reduction). A client whose function has another name refuses to route.
     */
    static final String PARTITION_FUNCTION = PartitionFunction.ID;

    private ProtoMapping() {
    }

    /** A storage memory from a client's memory; the version is left unset (the coordinator stamps it). */
    static Memory fromWire(io.mnemo.protocol.v1.Memory m) {
        Memory.Builder b = Memory.builder(m.getSpace(), m.getId())
                .createdAtNs(m.getCreatedAtNs())
                .lastAccessNs(m.getLastAccessNs())
                .embedding(toArray(m))
                .confidence(m.getConfidence())
                .activation(m.getActivation())
                .decayRate(m.getDecayRate())
                .accessCount(m.getAccessCount());
        if (m.hasContent()) {
            b.content(m.getContent());
        }
        return b.build();
    }

    private static float[] toArray(io.mnemo.protocol.v1.Memory m) {
        float[] e = new float[m.getEmbeddingCount()];
        for (int i = 0; i < e.length; i++) {
            e[i] = m.getEmbedding(i);
        }
        return e;
    }

    /** The wire form of a stored memory; {@code withEmbedding} false leaves the embedding out (scans may ask). */
    static io.mnemo.protocol.v1.Memory toWire(Memory m, boolean withEmbedding) {
        io.mnemo.protocol.v1.Memory.Builder b = io.mnemo.protocol.v1.Memory.newBuilder()
                .setSpace(m.space())
                .setId(m.id())
                .setCreatedAtNs(m.createdAtNs())
                .setLastAccessNs(m.lastAccessNs())
                .setConfidence(m.confidence())
                .setActivation(m.activation())
                .setDecayRate(m.decayRate())
                .setAccessCount(m.accessCount());
        m.content().ifPresent(b::setContent);
        if (withEmbedding) {
            for (int i = 0; i < m.dimension(); i++) {
                b.addEmbedding(m.embeddingAt(i));
            }
        }
        m.version().ifPresent(v -> b.setVersion(toWire(v)));
        return b.build();
    }

    static Version toWire(io.mnemo.node.storage.Version v) {
        return Version.newBuilder().setHlc(v.hlc()).setNodeId(v.nodeId()).build();
    }

    static io.mnemo.protocol.v1.TierCounts toWire(TierCounts.SpaceCounts c) {
        return io.mnemo.protocol.v1.TierCounts.newBuilder()
                .setHot(c.hot()).setWarm(c.warm()).setTombstones(c.tombstones()).build();
    }

    static SpaceSpec toWire(SpaceConfig s) {
        return SpaceSpec.newBuilder()
                .setName(s.name())
                .setDimension(s.dimension())
                .setQuotaBytes(s.quotaBytes().orElse(0))
                .setMaxContentBytes(s.maxContentBytes())
                .build();
    }

    /**
     * The wire topology of a placement, as clients route by it; member ids are decimal node ids (see
     * {@link TopologyPlacement#nodeIdOf}). The epoch is the topology epoch (clients compare it), not the ownership
     * epoch.
     *
     * <p>During a move (topology.proto, {@code PartitionReplicas.pending_replicas}): a moving partition's
     * {@code replicas} are the source list S (they hold the data and serve reads) and its {@code pending_replicas}
     * the target list T; other partitions carry their one list and nothing pending. The members are T's, then the
     * members of S that T left out (a drained or removed node still serving what it owns), so every id in either
     * list has an endpoint. States: a member of S left out of T is DRAINING; a member of T that holds no partition
     * yet (in no {@code replicas} list) while partitions move is JOINING; every other member is ACTIVE.
     */
    static io.mnemo.protocol.v1.Topology toWire(TopologyPlacement placement) {
        Topology t = placement.topology();
        io.mnemo.protocol.v1.Topology.Builder b = io.mnemo.protocol.v1.Topology.newBuilder()
                .setEpoch(t.epoch())
                .setPartitionCount(t.partitions())
                .setReplicationFactor(t.replicationFactor())
                .setPartitionFunction(PARTITION_FUNCTION);
        Set<Integer> holders = new HashSet<>();
        for (int p = 0; p < placement.partitions(); p++) {
            holders.addAll(placement.replicas(p));
        }
        boolean moving = placement.movingPartitions() > 0;
        Set<Integer> listed = new HashSet<>();
        for (Member m : t.members()) {
            int id = TopologyPlacement.nodeIdOf(m);
            listed.add(id);
            b.addMembers(toWire(m, id, moving && !holders.contains(id) ? MemberState.MEMBER_STATE_JOINING
                    : MemberState.MEMBER_STATE_ACTIVE));
        }
        for (Member m : placement.source().map(Topology::members).orElse(List.of())) {
            int id = TopologyPlacement.nodeIdOf(m);
            if (listed.add(id)) {
                b.addMembers(toWire(m, id, MemberState.MEMBER_STATE_DRAINING));
            }
        }
        for (int p = 0; p < placement.partitions(); p++) {
            b.addPartitions(PartitionReplicas.newBuilder().setPartition(p)
                    .addAllReplicas(placement.replicas(p))
                    .addAllPendingReplicas(placement.pendingReplicas(p)));
        }
        return b.build();
    }

    private static io.mnemo.protocol.v1.Member toWire(Member m, int id, MemberState state) {
        io.mnemo.protocol.v1.Member.Builder mb = io.mnemo.protocol.v1.Member.newBuilder()
                .setId(id)
                .setEndpoint(m.endpoint())
                .setWeight(m.weight())
                .setState(state);
        m.zone().ifPresent(mb::setZone);
        return mb.build();
    }
}
