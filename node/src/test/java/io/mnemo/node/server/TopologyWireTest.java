package io.mnemo.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.node.replication.MoveRule;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.shardmap.Member;
import io.mnemo.shardmap.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client-facing wire topology of a placement, stable and during a move (topology.proto's contract). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TopologyWireTest {
    private static final int P = 64;

    private static Member member(int id) {
        return Member.of(Integer.toString(id), "127.0.0.1:" + (7400 + id), 1, null);
    }

    private static Topology topology(long epoch, int rf, int... ids) {
        List<Member> members = new ArrayList<>();
        for (int id : ids) {
            members.add(member(id));
        }
        return Topology.of(epoch, P, rf, members);
    }

    private static List<Integer> ids(List<Member> members) {
        List<Integer> out = new ArrayList<>();
        members.forEach(m -> out.add(TopologyPlacement.nodeIdOf(m)));
        return out;
    }

    private static Map<Integer, MemberState> states(io.mnemo.protocol.v1.Topology wire) {
        Map<Integer, MemberState> out = new HashMap<>();
        wire.getMembersList().forEach(m -> out.put(m.getId(), m.getState()));
        return out;
    }

    @Test
    void toWire_stablePlacement_everyMemberActiveAndNothingPending() {
        Topology t = topology(4, 3, 1, 2, 3);

        io.mnemo.protocol.v1.Topology wire = ProtoMapping.toWire(new TopologyPlacement(t));

        assertThat(wire.getEpoch()).isEqualTo(4);
        assertThat(wire.getPartitionCount()).isEqualTo(P);
        assertThat(wire.getReplicationFactor()).isEqualTo(3);
        assertThat(wire.getPartitionFunction()).isEqualTo(ProtoMapping.PARTITION_FUNCTION);
        assertThat(states(wire)).containsOnlyKeys(1, 2, 3).allSatisfy((id, s) -> assertThat(s)
                .isEqualTo(MemberState.MEMBER_STATE_ACTIVE));
        for (int p = 0; p < P; p++) {
            PartitionReplicas pr = wire.getPartitions(p);
            assertThat(pr.getPartition()).isEqualTo(p);
            assertThat(pr.getReplicasList()).isEqualTo(ids(t.replicas(p)));
            assertThat(pr.getPendingReplicasList()).isEmpty();
        }
    }

    @Test
    void toWire_nodeReplacedMidMove_sourceAsReplicasTargetAsPendingAndMemberStates() {
        Topology source = topology(9, 3, 1, 2, 3);
        Topology target = topology(9, 3, 1, 2, 4);
        TopologyPlacement placement = new TopologyPlacement(target, source, 7);

        io.mnemo.protocol.v1.Topology wire = ProtoMapping.toWire(placement);

        assertThat(wire.getEpoch()).as("the topology epoch, not the ownership epoch").isEqualTo(9);
        assertThat(states(wire)).containsExactlyInAnyOrderEntriesOf(Map.of(
                1, MemberState.MEMBER_STATE_ACTIVE,
                2, MemberState.MEMBER_STATE_ACTIVE,
                3, MemberState.MEMBER_STATE_DRAINING,
                4, MemberState.MEMBER_STATE_JOINING));
        assertThat(wire.getMembersList()).filteredOn(m -> m.getId() == 3).singleElement()
                .satisfies(m -> assertThat(m.getEndpoint()).isEqualTo("127.0.0.1:7403"));
        for (int p = 0; p < P; p++) {
            PartitionReplicas pr = wire.getPartitions(p);
            assertThat(pr.getReplicasList()).as("partition %d", p).isEqualTo(ids(source.replicas(p)));
            assertThat(pr.getPendingReplicasList()).as("partition %d", p).isEqualTo(ids(target.replicas(p)));
        }
        assertThat(placement.member(3)).map(Member::endpoint).contains("127.0.0.1:7403");
    }

    @Test
    void toWire_joinMovesSomePartitions_onlyMovingOnesHavePending() {
        Topology source = topology(5, 2, 1, 2, 3);
        Topology target = topology(6, 2, 1, 2, 3, 4);
        TopologyPlacement placement = new TopologyPlacement(target, source, 6);

        io.mnemo.protocol.v1.Topology wire = ProtoMapping.toWire(placement);

        int moving = 0;
        for (int p = 0; p < P; p++) {
            PartitionReplicas pr = wire.getPartitions(p);
            List<Integer> s = ids(source.replicas(p));
            List<Integer> t = ids(target.replicas(p));
            if (MoveRule.isMoving(s, t)) {
                moving++;
                assertThat(pr.getReplicasList()).isEqualTo(s);
                assertThat(pr.getPendingReplicasList()).isEqualTo(t);
            } else {
                assertThat(pr.getReplicasList()).containsExactlyInAnyOrderElementsOf(t);
                assertThat(pr.getPendingReplicasList()).isEmpty();
            }
        }
        assertThat(moving).isEqualTo(placement.movingPartitions()).isPositive().isLessThan(P);
        assertThat(wire.getEpoch()).isEqualTo(6);
        assertThat(states(wire)).containsExactlyInAnyOrderEntriesOf(Map.of(
                1, MemberState.MEMBER_STATE_ACTIVE,
                2, MemberState.MEMBER_STATE_ACTIVE,
                3, MemberState.MEMBER_STATE_ACTIVE,
                4, MemberState.MEMBER_STATE_JOINING));
    }

    @Test
    void toWire_nodeLeavesWithoutReplacement_leaverDrainingNobodyJoining() {
        Topology source = topology(5, 2, 1, 2, 3);
        Topology target = topology(6, 2, 1, 2);

        io.mnemo.protocol.v1.Topology wire = ProtoMapping.toWire(new TopologyPlacement(target, source, 6));

        assertThat(states(wire)).containsExactlyInAnyOrderEntriesOf(Map.of(
                1, MemberState.MEMBER_STATE_ACTIVE,
                2, MemberState.MEMBER_STATE_ACTIVE,
                3, MemberState.MEMBER_STATE_DRAINING));
        assertThat(wire.getMembersList()).extracting(io.mnemo.protocol.v1.Member::getId)
                .as("the target's members first, then the leaver").containsExactly(1, 2, 3);
    }

    @Test
    void toWire_sourceGivenButNothingMoves_sameAsStable() {
        Topology t = topology(3, 3, 1, 2, 3);

        io.mnemo.protocol.v1.Topology wire = ProtoMapping.toWire(new TopologyPlacement(t, t, 3));

        assertThat(wire).isEqualTo(ProtoMapping.toWire(new TopologyPlacement(t)));
    }
}
