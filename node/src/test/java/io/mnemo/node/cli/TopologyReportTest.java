package io.mnemo.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo.protocol.v1.Member;
import io.mnemo.protocol.v1.MemberState;
import io.mnemo.protocol.v1.PartitionReplicas;
import io.mnemo.protocol.v1.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code mnemo admin show} prints about members and moving partitions. */
class TopologyReportTest {

    private static Member member(int id, MemberState state) {
        return Member.newBuilder().setId(id).setEndpoint("127.0.0.1:" + (7400 + id)).setWeight(1).setState(state).build();
    }

    private static Topology.Builder cluster() {
        return Topology.newBuilder().setEpoch(9).setReplicationFactor(3)
                .addMembers(member(1, MemberState.MEMBER_STATE_ACTIVE))
                .addMembers(member(2, MemberState.MEMBER_STATE_ACTIVE))
                .addMembers(member(4, MemberState.MEMBER_STATE_JOINING))
                .addMembers(member(3, MemberState.MEMBER_STATE_DRAINING));
    }

    /** {@code partitions} partitions, the odd ones moving from 1,2,3 to 1,2,4. */
    private static Topology moving(int partitions) {
        Topology.Builder b = cluster().setPartitionCount(partitions);
        for (int p = 0; p < partitions; p++) {
            PartitionReplicas.Builder pr = PartitionReplicas.newBuilder().setPartition(p).addAllReplicas(List.of(1, 2, 3));
            if (p % 2 == 1) {
                pr.addAllPendingReplicas(List.of(1, 2, 4));
            }
            b.addPartitions(pr);
        }
        return b.build();
    }

    @Test
    void lines_moveInProgress_memberStatesSummaryAndOneLinePerMovingPartition() {
        assertThat(TopologyReport.lines(moving(8))).containsExactly(
                "  member 1  127.0.0.1:7401  ACTIVE",
                "  member 2  127.0.0.1:7402  ACTIVE",
                "  member 4  127.0.0.1:7404  JOINING",
                "  member 3  127.0.0.1:7403  DRAINING",
                "moving: 4 partitions (from 1,2,3 to 1,2,4)",
                "  partition 1: 1,2,3 -> 1,2,4",
                "  partition 3: 1,2,3 -> 1,2,4",
                "  partition 5: 1,2,3 -> 1,2,4",
                "  partition 7: 1,2,3 -> 1,2,4");
    }

    @Test
    void moves_moreThanTheCap_firstOnesListedAndTheRestCounted() {
        List<String> lines = TopologyReport.moves(moving(64), 20);

        assertThat(lines).hasSize(22);
        assertThat(lines.get(0)).isEqualTo("moving: 32 partitions (from 1,2,3 to 1,2,4)");
        assertThat(lines.get(20)).isEqualTo("  partition 39: 1,2,3 -> 1,2,4");
        assertThat(lines.get(21)).isEqualTo("  ... and 12 more");
    }

    @Test
    void moves_onePartitionMoving_singular() {
        Topology t = cluster().setPartitionCount(2)
                .addPartitions(PartitionReplicas.newBuilder().setPartition(0).addAllReplicas(List.of(1, 2)))
                .addPartitions(PartitionReplicas.newBuilder().setPartition(1).addAllReplicas(List.of(2, 3))
                        .addAllPendingReplicas(List.of(2, 4)))
                .build();

        assertThat(TopologyReport.moves(t, 20)).containsExactly("moving: 1 partition (from 2,3 to 2,4)",
                "  partition 1: 2,3 -> 2,4");
    }

    @Test
    void lines_stablePlacementFromAnOlderNode_activeAndNothingMoving() {
        Topology t = Topology.newBuilder().setEpoch(2).setPartitionCount(1).setReplicationFactor(1)
                .addMembers(member(1, MemberState.MEMBER_STATE_UNSPECIFIED).toBuilder().setZone("a"))
                .addPartitions(PartitionReplicas.newBuilder().setPartition(0).addReplicas(1))
                .build();

        assertThat(TopologyReport.lines(t)).containsExactly("  member 1  127.0.0.1:7401  ACTIVE  zone a",
                "moving: none (placement stable)");
    }
}
