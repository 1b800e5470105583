package io.mnemo.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing and routing order of a wire topology, stable and during a move (pending replicas). */
class TopologyViewTest {

    private static Member member(int id, MemberState state, String zone) {
        return Member.newBuilder().setId(id).setEndpoint(endpoint(id)).setWeight(1).setZone(zone).setState(state).build();
    }

    private static String endpoint(int id) {
        return "127.0.0.1:" + (7400 + id);
    }

    private static PartitionReplicas partition(int p, List<Integer> replicas, List<Integer> pending) {
        return PartitionReplicas.newBuilder().setPartition(p).addAllReplicas(replicas).addAllPendingReplicas(pending).build();
    }

    /** Node 3 replaced by node 4: partition 0 moves from 1,2,3 to 1,2,4; partition 1 (2,1) does not move. */
    private static Topology moving() {
        return Topology.newBuilder().setEpoch(9).setPartitionCount(2).setReplicationFactor(3)
                .setPartitionFunction(TopologyView.PARTITION_FUNCTION_ID)
                .addMembers(member(1, MemberState.MEMBER_STATE_ACTIVE, ""))
                .addMembers(member(2, MemberState.MEMBER_STATE_ACTIVE, ""))
                .addMembers(member(4, MemberState.MEMBER_STATE_JOINING, ""))
                .addMembers(member(3, MemberState.MEMBER_STATE_DRAINING, ""))
                .addPartitions(partition(0, List.of(3, 1, 2), List.of(4, 1, 2)))
                .addPartitions(partition(1, List.of(2, 1), List.of()))
                .build();
    }

    @Test
    void replicas_partitionMoving_currentReplicasFirstInTableOrderThenReceivers() {
        TopologyView v = TopologyView.of(moving(), null);

        assertThat(v.epoch()).isEqualTo(9);
        assertThat(v.replicas(0)).as("the draining node holds the data: it still comes first")
                .containsExactly(endpoint(3), endpoint(1), endpoint(2), endpoint(4));
    }

    @Test
    void replicas_partitionNotMoving_unchanged() {
        TopologyView v = TopologyView.of(moving(), null);

        assertThat(v.replicas(1)).containsExactly(endpoint(2), endpoint(1));
    }

    @Test
    void holdersAndScanGroups_partitionMoving_receiversLeftOut() {
        TopologyView v = TopologyView.of(moving(), null);

        assertThat(v.holdersOfAll(List.of(0))).containsExactly(endpoint(3), endpoint(1), endpoint(2));
        assertThat(v.holdersOfAll(List.of(0, 1))).containsExactly(endpoint(1), endpoint(2));
        assertThat(v.partitionsByReplicaSet()).containsExactly(List.of(0), List.of(1));
    }

    @Test
    void members_moving_everyMemberListedDrainingThenJoiningLast() {
        TopologyView v = TopologyView.of(moving(), null);

        assertThat(v.members()).containsExactly(endpoint(1), endpoint(2), endpoint(3), endpoint(4));
        assertThat(v.endpointsById()).containsOnlyKeys(1, 2, 3, 4);
    }

    @Test
    void replicas_moveWithZones_sameZoneFirstAmongReplicasAndAmongReceivers() {
        Topology t = Topology.newBuilder().setEpoch(3).setPartitionCount(1).setReplicationFactor(2)
                .addMembers(member(1, MemberState.MEMBER_STATE_ACTIVE, "a"))
                .addMembers(member(2, MemberState.MEMBER_STATE_ACTIVE, "b"))
                .addMembers(member(3, MemberState.MEMBER_STATE_JOINING, "a"))
                .addMembers(member(4, MemberState.MEMBER_STATE_JOINING, "b"))
                .addPartitions(partition(0, List.of(1, 2), List.of(4, 3)))
                .build();

        TopologyView v = TopologyView.of(t, "b");

        assertThat(v.replicas(0)).containsExactly(endpoint(2), endpoint(1), endpoint(4), endpoint(3));
    }

    @Test
    void of_pendingReplicaNotAMember_refusedNamingIt() {
        Topology t = moving().toBuilder().setPartitions(0, partition(0, List.of(3, 1, 2), List.of(5, 1, 2))).build();

        assertThatThrownBy(() -> TopologyView.of(t, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partition 0 names member 5");
    }

    @Test
    void of_stableTopologyFromAnOlderNode_routesAsBefore() {
        Topology t = Topology.newBuilder().setEpoch(2).setPartitionCount(1).setReplicationFactor(2)
                .addMembers(member(1, MemberState.MEMBER_STATE_UNSPECIFIED, ""))
                .addMembers(member(2, MemberState.MEMBER_STATE_UNSPECIFIED, ""))
                .addPartitions(partition(0, List.of(2, 1), List.of()))
                .build();

        TopologyView v = TopologyView.of(t, null);

        assertThat(v.replicas(0)).containsExactly(endpoint(2), endpoint(1));
        assertThat(v.members()).containsExactly(endpoint(1), endpoint(2));
    }
}
